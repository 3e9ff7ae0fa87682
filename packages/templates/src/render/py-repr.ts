/**
 * Python's `str()` and `repr()` for template values. `{{ value }}` prints `str(value)`, and a
 * list or dict prints the `repr()` of its items: `['a', 'b']`, `{'k': True}`, `1.0`. CloudFormation
 * templates rely on this (e.g. `{{ subnets }}` dropped into a YAML flow sequence), so it must match
 * CPython byte for byte.
 */
import { TemplateRuntimeError } from './render-error.js';
import {
  LoopContext,
  Namespace,
  Markup,
  PyFloat,
  PyIterable,
  Undefined,
  isDict,
  isTuple,
  orderedKeys,
  typeName,
} from './py-values.js';

/** Python's `repr()` of a float: shortest round-trip digits, exponent outside [1e-4, 1e16). */
export function floatRepr(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const magnitude = Math.abs(n);
  if (magnitude >= 1e-4 && magnitude < 1e16) {
    // JavaScript prints the same shortest round-trip digits in plain notation in this range;
    // Python adds ".0" to integral values.
    const text = String(n);
    return text.includes('.') ? text : `${text}.0`;
  }
  const sign = n < 0 ? '-' : '';
  const [mantissa = '', expText = '0'] = Math.abs(n).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const expAbs = String(Math.abs(exp)).padStart(2, '0');
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${expAbs}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${intPart}.${frac === '' ? '0' : frac}`;
}

/** Python's `str()` of an int; refuses ints a JS number cannot hold exactly (Python's are unbounded). */
export function intStr(n: number): string {
  if (!Number.isSafeInteger(n)) {
    throw new TemplateRuntimeError(
      `integer ${BigInt(n).toString()} is beyond 2**53 and cannot be rendered exactly; pass it as a string`,
    );
  }
  return String(n);
}

const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

function escapeCodePoint(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp <= 0xff) return `\\x${cp.toString(16).padStart(2, '0')}`;
  if (cp <= 0xffff) return `\\u${cp.toString(16).padStart(4, '0')}`;
  return `\\U${cp.toString(16).padStart(8, '0')}`;
}

/** Python's `repr()` of a str: single quotes unless the text holds `'` and no `"`. */
export function strRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch !== ' ' && NON_PRINTABLE.test(ch)) out += escapeCodePoint(ch);
    else out += ch;
  }
  return out + quote;
}

function seqRepr(items: readonly unknown[], open: string, close: string): string {
  const parts = items.map((item) => pyRepr(item));
  if (open === '(' && parts.length === 1) return `(${parts[0] ?? ''},)`;
  return `${open}${parts.join(', ')}${close}`;
}

function dictRepr(d: Record<string, unknown>): string {
  const parts = orderedKeys(d).map((k) => `${strRepr(k)}: ${pyRepr(d[k])}`);
  return `{${parts.join(', ')}}`;
}

function iterableRepr(v: PyIterable): string {
  switch (v.kind) {
    case 'range':
      return v.reprText ?? 'range(0, 0)';
    case 'dict_items':
      return `dict_items(${seqRepr(v.take(), '[', ']')})`;
    case 'dict_keys':
    case 'dict_values':
      return `${v.kind}(${seqRepr(v.take(), '[', ']')})`;
    default:
      throw new TemplateRuntimeError(
        `cannot print a ${v.kind === 'generator' ? 'generator' : 'reversed iterator'} ` +
          '(Jinja prints its memory address); add `| list` or `| join`',
      );
  }
}

/** Python's `repr()` of any template value. */
export function pyRepr(v: unknown): string {
  if (typeof v === 'string') return strRepr(v);
  if (v instanceof Markup) return `Markup(${strRepr(v.value)})`;
  if (Array.isArray(v)) return isTuple(v) ? seqRepr(v, '(', ')') : seqRepr(v, '[', ']');
  if (isDict(v)) return dictRepr(v);
  if (v instanceof PyIterable) return iterableRepr(v);
  if (v instanceof Undefined) {
    if (v.strict) throw v.error();
    return 'Undefined';
  }
  return pyStr(v);
}

/** Python's `str()` of any template value: what `{{ value }}` prints. */
export function pyStr(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'boolean':
      return v ? 'True' : 'False';
    case 'number':
      return Number.isInteger(v) ? intStr(v) : floatRepr(v);
    case 'undefined':
      throw new TemplateRuntimeError('value is undefined');
    case 'function': {
      const shadowed = (v as { pyShadowed?: string }).pyShadowed;
      throw new TemplateRuntimeError(shadowed ?? 'cannot print a macro or function; call it');
    }
    default:
      break;
  }
  if (v === null) return 'None';
  if (v instanceof Markup) return v.value;
  if (v instanceof PyFloat) return floatRepr(v.value);
  if (v instanceof Undefined) {
    if (v.strict) throw v.error();
    return '';
  }
  if (v instanceof LoopContext) return `<LoopContext ${v.index}/${v.length}>`;
  if (v instanceof Namespace) return `<Namespace ${dictRepr(v.attrs)}>`;
  if (Array.isArray(v) || isDict(v) || v instanceof PyIterable) return pyRepr(v);
  throw new TemplateRuntimeError(`cannot render a value of type ${typeName(v)}`);
}
