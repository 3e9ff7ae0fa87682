import { describe, expect, it } from 'vitest';
import { createRenderer } from './renderer.js';

const renderer = createRenderer();

// Each row: [construct, template (the construct on line 2), text the suggested rewrite contains].
const rejected: Array<[string, string, string]> = [
  ['unknown function', '{{ lipsum() }}', 'lipsum'],
  ['unsupported filter', '{{ xs | random }}', 'filter `random` is not supported'],
  ['unknown filter', '{{ xs | frobnicate }}', 'unknown filter `frobnicate`'],
  ['unknown test', '{% if x is frob %}{% endif %}', 'unknown test `frob`'],
  ['include', "{% include 'other.yaml' %}", 'single files'],
  ['import', "{% import 'macros.j2' as m %}", 'define the macro in this file'],
  ['extends', "{% extends 'base.j2' %}", 'inheritance'],
  ['elseif', '{% if a %}{% elseif b %}{% endif %}', 'spells it `elif`'],
  ['do', '{% do xs.append(1) %}', '{% set _ = list.append(x) %}'],
  ['loop controls', '{% for x in xs %}{% break %}{% endfor %}', 'use `{% if %}` inside the loop'],
  ['verbatim', '{% verbatim %}x{% endverbatim %}', 'use `{% raw %}`'],
  ['===', '{{ a === b }}', "unexpected '='"],
];

describe('lint rejections', () => {
  it.each(rejected)('rejects %s with its line and a rewrite', (_construct, construct, rewrite) => {
    const source = `Resources:\n${construct}\nOutputs: {}\n`;
    const issues = renderer.lint(source, 'infra/cloudformation.yaml');
    expect(issues.length).toBeGreaterThan(0);
    const [first] = issues;
    expect(first?.file).toBe('infra/cloudformation.yaml');
    expect(first?.line).toBe(2);
    expect(issues.map((i) => i.message).join('\n')).toContain(rewrite);
    expect(() =>
      renderer.render(source, { xs: [], a: 1, b: 2, name: 'n' }, 'infra/cloudformation.yaml'),
    ).toThrow(/./);
  });

  it('accepts the constructs Proton templates use', () => {
    const source = [
      '{%- for service_instance in service_instances %}',
      "  {{ loop.index }}: {{ service_instance.name | truncate(29, true, 'zzz', 0) }}",
      '{%- endfor %}',
      '{% if environment.outputs.VpcId is defined and xs | length > 0 %}{{ xs | tojson | safe }}{% endif %}',
      "{% raw %}{{resolve:secretsmanager:s}}{% endraw %}{{ x | default('d') ~ '-' }}",
      '{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1) }}{% set v = d.items() | list %}',
    ].join('\n');
    expect(renderer.lint(source, 't.yaml')).toEqual([]);
  });

  it('ignores look-alikes inside raw blocks', () => {
    expect(renderer.lint('{% raw %}{% elseif %}{{ a === b }}{% endraw %}', 't.yaml')).toEqual([]);
  });

  it('accepts every Jinja construct Proton ran, Python methods included', () => {
    const source = [
      "{% set name, value = 'a=b'.split('=') %}{{ name.upper() }}{{ '%s-%d' % (value, 1) }}",
      '{% for x in xs if x recursive %}{{ loop.changed(x) }}{{ loop(x.kids) }}{% endfor %}',
      '{% set ns = namespace(n=0) %}{% set ns.n = ns.n + 1 %}{% with a = 1 %}{{ a }}{% endwith %}',
      "{{ {'a': {'b': (1,)}} }}{{ 'a' 'b' }}{{ 1e3 }}{%+ if true +%}{% endif %}",
    ].join('\n');
    expect(renderer.lint(source, 't.yaml')).toEqual([]);
  });

  it('does not treat list and dict methods as string methods', () => {
    expect(renderer.lint("{{ xs.index('a') }}{{ xs.count(1) }}{{ d.get('k') }}", 't.yaml')).toEqual(
      [],
    );
  });
});
