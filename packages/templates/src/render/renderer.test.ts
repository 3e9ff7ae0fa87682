import { describe, expect, it } from 'vitest';
import { RenderError } from './render-error.js';
import { createRenderer } from './renderer.js';
import { PyFloat } from './py-values.js';

const renderer = createRenderer();
const render = (source: string, context: object = {}): string =>
  renderer.render(source, context, 't.yaml');

function failure(source: string, context: object = {}): RenderError {
  try {
    render(source, context);
  } catch (err) {
    if (err instanceof RenderError) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(source)} to fail`);
}

// Each row: [compatibility rule, template, context, output Jinja2 3.1.6 produces].
const rules: Array<[string, string, object, string]> = [
  ['autoescape is off', '{{ \'<a href="x">&\' }}', {}, '<a href="x">&'],
  [
    'booleans and None print the Python way',
    '{{ true }} {{ False }} {{ none }} {{ v }}',
    { v: null },
    'True False None None',
  ],
  [
    'ints and floats keep their kind',
    '{{ 1 }} {{ 1.0 }} {{ 4 / 2 }} {{ f }} {{ 7 // 2 }}',
    { f: new PyFloat(3) },
    '1 1.0 2.0 3.0 3',
  ],
  [
    'float repr switches to exponents like Python',
    '{{ 0.00001 * 1 }} {{ 10000000000000000 * 1.0 }} {{ 0.1 + 0.2 }}',
    {},
    '1e-05 1e+16 0.30000000000000004',
  ],
  [
    'lists print with repr quoting',
    '{{ xs }}',
    { xs: ['a', "it's", 1, true, null] },
    `['a', "it's", 1, True, None]`,
  ],
  [
    'dicts print with repr quoting',
    '{{ d }}',
    { d: { k: 'v', n: [1.5] } },
    "{'k': 'v', 'n': [1.5]}",
  ],
  ['tuples print with parentheses', '{{ (1, "a") }}', {}, "(1, 'a')"],
  [
    'iterating a dict yields its keys',
    '{% for k in d %}{{ k }};{% endfor %}',
    { d: { a: 1, b: 2 } },
    'a;b;',
  ],
  [
    'empty lists and dicts are falsy',
    '{% if xs %}y{% else %}n{% endif %}{% if d %}y{% else %}n{% endif %}',
    { xs: [], d: {} },
    'nn',
  ],
  ['~ prints operands with str()', "{{ 'a' ~ 1 ~ true ~ none }}", {}, 'a1TrueNone'],
  [
    '== compares like Python',
    "{{ 1 == 1.0 }} {{ '1' == 1 }} {{ [1] == [1] }}",
    {},
    'True False True',
  ],
  ['% on numbers follows the divisor sign', '{{ -7 % 3 }}', {}, '2'],
  ['* and % share a precedence level', '{{ 2 * 3 % 4 }}', {}, '2'],
  [
    'truncate keeps Jinja leeway and killwords',
    "{{ 'abcdefghij klmnopqrstuvwxyz0123456789' | truncate(29, true, 'zzz', 0) }}",
    {},
    'abcdefghij klmnopqrstuvwxyzzz',
  ],
  [
    'truncate default leeway is 5',
    "{{ 'hello world foo bar baz' | truncate(18) }}|{{ 'hello world foo bar baz' | truncate(12) }}",
    {},
    'hello world foo bar baz|hello...',
  ],
  [
    'tojson sorts keys and escapes HTML characters',
    "{{ {'b': 1, 'a': \"<'&>\"} | tojson }}",
    {},
    '{"a": "\\u003c\\u0027\\u0026\\u003e", "b": 1}',
  ],
  ['format is printf-style', "{{ '%s-%03d' | format('web', 7) }}", {}, 'web-007'],
  [
    'map by attribute and by filter name',
    "{{ xs | map(attribute='n') | join(',') }} {{ ['a'] | map('upper') | list }}",
    { xs: [{ n: 1 }, { n: 2 }] },
    "1,2 ['A']",
  ],
  ['unique is case-insensitive', "{{ ['a', 'A', 'b'] | unique | list }}", {}, "['a', 'b']"],
  [
    'items yields key/value tuples',
    '{% for k, v in d | items %}{{ k }}={{ v }} {% endfor %}',
    { d: { a: 1 } },
    'a=1 ',
  ],
  [
    'groupby sorts and groups',
    "{% for g in xs | groupby('c') %}{{ g.grouper }}{{ g.list | length }}{% endfor %}",
    { xs: [{ c: 'b' }, { c: 'a' }, { c: 'b' }] },
    'a1b2',
  ],
  [
    'default with boolean=true replaces falsy values',
    "{{ '' | default('x', true) }} {{ '' | default('x') }}|",
    {},
    'x |',
  ],
  [
    'default replaces undefined references',
    "{{ d.missing | default('fallback') }}",
    { d: {} },
    'fallback',
  ],
  [
    'is defined inspects without failing',
    '{{ d.k is defined }} {{ d.missing is defined }} {{ nope is undefined }}',
    { d: { k: 1 } },
    'True False True',
  ],
  [
    'whitespace control strips newlines',
    'a\n  {%- if true %}\n  b\n  {%- endif %}\nc',
    {},
    'a\n  b\nc',
  ],
  [
    'raw blocks keep CloudFormation dynamic references',
    '{% raw %}{{resolve:ssm:/x}}{% endraw %}',
    {},
    '{{resolve:ssm:/x}}',
  ],
  ['one trailing newline is dropped', 'line\n\n', {}, 'line\n'],
  ['CRLF line endings become LF', 'a\r\nb\r\n', {}, 'a\nb'],
  [
    'set inside a loop does not leak out',
    '{% set n = 0 %}{% for i in [1, 2] %}{% set n = n + i %}{% endfor %}{{ n }}',
    {},
    '0',
  ],
  [
    'loop variables',
    '{% for x in "ab" %}{{ loop.index }}{{ loop.first }}{{ loop.last }} {% endfor %}',
    {},
    '1TrueFalse 2FalseTrue ',
  ],
  ['string literals use Python escapes', "{{ '^\\d+$' }} {{ '\\x41' }}", {}, '^\\d+$ A'],
  [
    'slices work like Python',
    "{{ 'abcdef'[1:3] }} {{ xs[-1] }} {{ xs[::-1] }}",
    { xs: [1, 2, 3] },
    'bc 3 [3, 2, 1]',
  ],
  [
    'template syntax inside values is data',
    '{{ v }}',
    { v: '{{ 7*7 }}{% if x %}' },
    '{{ 7*7 }}{% if x %}',
  ],
];

describe('Jinja compatibility rules', () => {
  it.each(rules)('%s', (_rule, source, context, expected) => {
    expect(render(source, context)).toBe(expected);
  });
});

describe('strict undefined', () => {
  it.each([
    [
      '{{ environment.outputs.VpcId }}',
      { environment: { outputs: {} } },
      'environment.outputs.VpcId is undefined',
    ],
    ['{{ a.b.c }}', { a: {} }, 'a.b is undefined'],
    ['{% if flag %}x{% endif %}', {}, 'flag is undefined'],
    ['{{ xs[3] }}', { xs: [1] }, 'xs[3] is undefined'],
    ["{{ d['a-b'] }}", { d: {} }, "d['a-b'] is undefined"],
    ['{{ missing | upper }}', {}, 'missing is undefined'],
  ])('%s fails naming what is missing', (source, context, message) => {
    expect(failure(source, context).message).toBe(message);
  });
});

describe('render errors', () => {
  it('carry the file and the line that was executing', () => {
    const err = failure('a\n{% for i in [1] %}\n  {{ i.z }}\n{% endfor %}');
    expect(err.file).toBe('t.yaml');
    expect(err.line).toBe(3);
    expect(String(err)).toBe('t.yaml:3: i.z is undefined');
  });

  it('report syntax errors with their line', () => {
    const err = failure("a\n{{ 'x' ~ }}\n");
    expect(err.line).toBe(2);
    expect(err.message).toMatch(/^syntax error/);
  });

  it('report lint findings before rendering', () => {
    const err = failure('x\n{{ xs | random }}', { xs: [1] });
    expect(err.line).toBe(2);
    expect(err.message).toContain('filter `random` is not supported');
  });

  it('refuse non-JSON context values, naming their path', () => {
    expect(failure('{{ a }}', { a: { b: [1, () => 1] } }).message).toContain(
      'value a.b[1] is a function',
    );
    expect(failure('{{ d }}', { d: new Date(0) }).message).toBe(
      'render context value d is a Date; only JSON-like data can be rendered',
    );
  });
});

describe('renderer', () => {
  it('does not let a template mutate the caller context', () => {
    const context = { xs: [1] };
    render('{% set _ = xs.append(2) %}{{ xs }}', context);
    expect(context.xs).toEqual([1]);
  });

  it('renders the same source repeatedly from its cache', () => {
    const r = createRenderer({ cacheSize: 1 });
    for (let i = 0; i < 3; i++) expect(r.render('{{ n }}', { n: i }, 'c.yaml')).toBe(String(i));
    expect(r.render('{{ 1 }}', {}, 'other.yaml')).toBe('1');
    expect(r.render('{{ n }}', { n: 9 }, 'c.yaml')).toBe('9');
  });

  it('lint returns every finding with the file name', () => {
    const issues = renderer.lint('{{ a | random }}\n\n{{ lipsum() }}', 'x.yaml');
    expect(issues.map((i) => `${i.file}:${i.line}`)).toEqual(['x.yaml:1', 'x.yaml:3']);
  });
});

describe('hostile data', () => {
  it('refuses to reach Python internals through dunder attributes, naming the line', () => {
    const err = failure('x\n{{ s.__class__ }}', { s: 'a' });
    expect(err.line).toBe(2);
    expect(err.message).toContain('s.__class__ reaches Python internals');
  });

  it('keeps a __proto__ key as data and never exposes JavaScript internals', () => {
    const context = JSON.parse('{"d": {"__proto__": {"polluted": 1}, "a": 1}}') as object;
    expect(render("{{ d['__proto__'] }} {{ d | length }}", context)).toBe("{'polluted': 1} 2");
    expect(render('{{ d.constructor is defined }} {{ "s".length is defined }}', { d: {} })).toBe(
      'False False',
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
