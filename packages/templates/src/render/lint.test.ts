import { describe, expect, it } from 'vitest';
import { createRenderer } from './renderer.js';

const renderer = createRenderer();

// Each row: [construct, template (the construct on line 2), text the suggested rewrite contains].
const rejected: Array<[string, string, string]> = [
  [
    'loop filter',
    '{% for x in xs if x.enabled %}{{ x }}{% endfor %}',
    '{% for x in y %}{% if cond %}…{% endif %}{% endfor %}',
  ],
  ['% string formatting', "{{ '%s-%s' % (a, b) }}", "use `'...' | format(values)`"],
  ['.upper()', '{{ name.upper() }}', 'use `x | upper`'],
  ['.lower()', '{{ name.lower() }}', 'use `x | lower`'],
  ['.startswith()', "{% if name.startswith('a') %}{% endif %}", "`x[:4] == 'pref'`"],
  ['.endswith()', "{% if name.endswith('a') %}{% endif %}", "`x[-4:] == '.yml'`"],
  ['.split()', "{{ name.split(',') }}", 'type: array'],
  ['.format()', "{{ '{}-x'.format(name) }}", '| format(value)'],
  ['.replace()', "{{ name.replace('a', 'b') }}", "x | replace('old', 'new')"],
  ['.strip()', '{{ name.strip() }}', 'use `x | trim`'],
  ['.join()', "{{ ', '.join(xs) }}", "items | join('sep')"],
  ['namespace()', '{% set ns = namespace(n=0) %}', 'items.append(x)'],
  ['unknown function', '{{ lipsum() }}', 'lipsum'],
  ['unsupported filter', '{{ xs | random }}', 'filter `random` is not supported'],
  ['unknown filter', '{{ xs | frobnicate }}', 'unknown filter `frobnicate`'],
  ['unknown test', '{% if x is frob %}{% endif %}', 'unknown test `frob`'],
  ['include', "{% include 'other.yaml' %}", 'single files'],
  ['import', "{% import 'macros.j2' as m %}", 'define the macro in this file'],
  ['extends', "{% extends 'base.j2' %}", 'inheritance'],
  ['elseif', '{% if a %}{% elseif b %}{% endif %}', 'spells it `elif`'],
  ['with', '{% with a = 1 %}{% endwith %}', 'use `{% set %}`'],
  ['do', '{% do xs.append(1) %}', '{% set _ = list.append(x) %}'],
  ['loop controls', '{% for x in xs %}{% break %}{% endfor %}', 'use `{% if %}` inside the loop'],
  ['verbatim', '{% verbatim %}x{% endverbatim %}', 'use `{% raw %}`'],
  ['===', '{{ a === b }}', 'use `==`'],
  ['null', '{{ a == null }}', 'use `none`'],
  ['exponent literal', '{{ 1e3 }}', 'number literal `1e3`'],
  ['tuple set', '{% set a, b = xs %}', 'set each name separately'],
  ['loop.changed()', '{% for x in xs %}{{ loop.changed(x) }}{% endfor %}', 'loop.previtem'],
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

  it('does not treat list and dict methods as string methods', () => {
    expect(renderer.lint("{{ xs.index('a') }}{{ xs.count(1) }}{{ d.get('k') }}", 't.yaml')).toEqual(
      [],
    );
  });
});
