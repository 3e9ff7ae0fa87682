import { describe, expect, it } from 'vitest';
import { roundPy, roundPyExact, toExponentialPy, toFixedPy, toGeneralPy } from './py-decimal.js';
import { percentFormat } from './py-format.js';
import { add, contains, div, floorDiv, mod, mul, pow, pyEq, truthy } from './py-ops.js';
import { floatRepr, pyRepr, pyStr, strRepr } from './py-repr.js';
import { PyFloat, PyIterable, Undefined, tuple } from './py-values.js';

// Expected values are CPython 3.11's.
describe('float repr', () => {
  it.each([
    [1, '1.0'],
    [0.5, '0.5'],
    [1e16, '1e+16'],
    [1e15, '1000000000000000.0'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1.5e-7, '1.5e-07'],
    [123456789.125, '123456789.125'],
    [-0, '-0.0'],
    [NaN, 'nan'],
    [Infinity, 'inf'],
    [0.1 + 0.2, '0.30000000000000004'],
    [1e22, '1e+22'],
  ])('repr(%s) is %s', (n, expected) => {
    expect(floatRepr(n)).toBe(expected);
  });
});

describe('str and repr', () => {
  it.each([
    ['plain', "'plain'"],
    ["it's", `"it's"`],
    [`both ' and "`, `'both \\' and "'`],
    ['a\\b', "'a\\\\b'"],
    ['tab\tnl\n', "'tab\\tnl\\n'"],
    ['café', "'café'"],
    ['\u00a0', "'\\xa0'"],
    ['\u2028', "'\\u2028'"],
    ['\x7f', "'\\x7f'"],
  ])('repr(%j) is %s', (s, expected) => {
    expect(strRepr(s)).toBe(expected);
  });

  it.each<[unknown, string]>([
    [true, 'True'],
    [null, 'None'],
    [3, '3'],
    [new PyFloat(2), '2.0'],
    [['a', 1, null], "['a', 1, None]"],
    [{ k: [true] }, "{'k': [True]}"],
    [tuple([1]), '(1,)'],
    [tuple([1, 'a']), "(1, 'a')"],
    [new PyIterable([1], 'dict_keys'), 'dict_keys([1])'],
    [new PyIterable([0, 1], 'range', 'range(0, 2)'), 'range(0, 2)'],
  ])('str(%j) is %s', (v, expected) => {
    expect(pyStr(v)).toBe(expected);
  });

  it('refuses to print generators and strict Undefined', () => {
    expect(() => pyStr(new PyIterable([1], 'generator'))).toThrow(/add `\| list`/);
    expect(() => pyStr(new Undefined('a.b'))).toThrow('a.b is undefined');
    expect(pyStr(new Undefined('x', false))).toBe('');
    expect(() => pyRepr(2 ** 60)).toThrow(/beyond 2\*\*53/);
  });
});

describe('operators', () => {
  it.each<[unknown, boolean]>([
    [[], false],
    [{}, false],
    ['', false],
    [0, false],
    [new PyFloat(0), false],
    [null, false],
    [[0], true],
    [{ a: 1 }, true],
    ['0', true],
    [NaN, true],
    [new PyIterable([], 'generator'), true],
  ])('bool(%j) is %s', (v, expected) => {
    expect(truthy(v)).toBe(expected);
  });

  it.each<[string, () => unknown, string]>([
    ['1 + 1.0', () => add(1, 1), '2'],
    ['1 + 1.0 (float)', () => add(1, new PyFloat(1)), '2.0'],
    ['[1] + [2]', () => add([1], [2]), '[1, 2]'],
    ["'-' * 3", () => mul('-', 3), '---'],
    ['4 / 2', () => div(4, 2), '2.0'],
    ['-7 // 2', () => floorDiv(-7, 2), '-4'],
    ['7 % -3', () => mod(7, -3), '-2'],
    ['2 ** -1', () => pow(2, -1), '0.5'],
    ['True + 1', () => add(true, 1), '2'],
  ])('%s', (_label, op, expected) => {
    expect(pyStr(op())).toBe(expected);
  });

  it('raises the errors Python raises', () => {
    expect(() => add('a', 1)).toThrow(/concatenate/);
    expect(() => div(1, 0)).toThrow('division by zero');
    expect(mod('%s', 1)).toBe('1');
    expect(() => mod('%s %s', 1)).toThrow('not enough arguments for format string');
    expect(() => contains('abc', 1)).toThrow(/requires string as left operand/);
  });

  it('compares like Python', () => {
    expect(pyEq(1, new PyFloat(1))).toBe(true);
    expect(pyEq('1', 1)).toBe(false);
    expect(pyEq(tuple([1]), [1])).toBe(false);
    expect(pyEq({ a: [1] }, { a: [1] })).toBe(true);
    expect(contains({ a: 1 }, 'a')).toBe(true);
    expect(contains([1, 2], new PyFloat(2))).toBe(true);
  });
});

describe('decimal formatting', () => {
  it.each<[string, string]>([
    [toFixedPy(2.5, 0), '2'],
    [toFixedPy(3.5, 0), '4'],
    [toFixedPy(2.675, 2), '2.67'],
    [toFixedPy(0.125, 2), '0.12'],
    [toFixedPy(1e22, 1), '10000000000000000000000.0'],
    [toExponentialPy(12345.678, 3), '1.235e+04'],
    [toExponentialPy(0.000123, 2), '1.23e-04'],
    [toGeneralPy(0.0001, 6), '0.0001'],
    [toGeneralPy(1e20, 6), '1e+20'],
    [toGeneralPy(1234567, 6), '1.23457e+06'],
    [toGeneralPy(100000, 6), '100000'],
  ])('%s is %s', (actual, expected) => {
    expect(actual).toBe(expected);
  });

  it.each([
    [2.5, 0, 2],
    [0.125, 2, 0.12],
    [2.675, 2, 2.67],
    [15, -1, 20],
    [25, -1, 20],
    [-0.5, 0, -0],
  ])('round(%s, %s) is %s', (x, n, expected) => {
    expect(Object.is(roundPy(x, n), expected)).toBe(true);
  });

  it('rounds like the exact expansion on random values, ties and near-ties included', () => {
    let seed = 42;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const values: number[] = [0.125, 2.675, 1.005, 0.5, 1.5, -2.5, 1e15 + 0.5, 4503599627370495.5];
    for (let i = 0; i < 4000; i++) {
      const x = (random() - 0.5) * 10 ** Math.floor(random() * 24 - 8);
      // Decimal-looking inputs (many sit next to a tie once scaled).
      values.push(x, Number(x.toFixed(Math.floor(random() * 6))));
    }
    const wrong: string[] = [];
    for (const x of values) {
      for (const n of [0, 1, 2, 3, 6, 15, 22, -1]) {
        if (!Object.is(roundPy(x, n), roundPyExact(x, n))) wrong.push(`round(${x}, ${n})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it.each<[string, unknown[], string]>([
    ['%s-%d', ['a', 3.9], 'a-3'],
    ['%05.1f|%-4s|%4d', [3.14159, 'ab', 42], '003.1|ab  |  42'],
    ['%x %X %#o %+d % d', [255, 255, 8, 5, 5], 'ff FF 0o10 +5  5'],
    ['%r %c%%', ['q', 65], "'q' A%"],
    ['%.2e|%g|%G', [12345.6789, 0.00001234, 1e-10], '1.23e+04|1.234e-05|1E-10'],
  ])('%s %% %j', (format, args, expected) => {
    expect(percentFormat(format, args)).toBe(expected);
  });

  it('formats with a mapping and reports argument mismatches', () => {
    expect(percentFormat('%(a)s=%(b)03d', [], { a: 'k', b: 7 })).toBe('k=007');
    expect(() => percentFormat('%s %s', ['a'])).toThrow('not enough arguments');
    expect(() => percentFormat('%s', ['a', 'b'])).toThrow('not all arguments converted');
  });
});
