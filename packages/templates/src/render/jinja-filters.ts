/**
 * Jinja 3.1's string and number filters, re-implemented on the Python value model, down to the
 * details that change CloudFormation output: `truncate`'s leeway (an ALB name must come out 29
 * characters, not 32), `round` half-to-even returning a float, `title` and `trim` using Python's
 * character classes.
 */
import { TemplateRuntimeError } from './render-error.js';
import { REQUIRED, bindArgs, splitArgs, type ParamList } from './filter-args.js';
import { roundPy } from './py-decimal.js';
import { percentFormat } from './py-format.js';
import { escapeHtml, codePointLength, iterate, truthy } from './py-ops.js';
import { pyStr } from './py-repr.js';
import {
  Markup,
  PyFloat,
  isDict,
  isFloat,
  isNum,
  isStr,
  numValue,
  orderedKeys,
  pyFloat,
  strValue,
  typeName,
} from './py-values.js';
import { toJson } from './tojson.js';

// Parameter lists of the filters/methods below, built once (a literal at the call would be
// allocated again on every call).
const TOJSON_PARAMS: ParamList = [['indent', null]];
const TRIM_PARAMS: ParamList = [['chars', null]];
const ROUND_PARAMS: ParamList = [
  ['precision', 0],
  ['method', 'common'],
];
const FLOAT_PARAMS: ParamList = [['default', new PyFloat(0)]];
const INT_PARAMS: ParamList = [
  ['default', 0],
  ['base', 10],
];
const CENTER_PARAMS: ParamList = [['width', 80]];
const REPLACE_PARAMS: ParamList = [
  ['old', REQUIRED],
  ['new', REQUIRED],
  ['count', null],
];
const INDENT_PARAMS: ParamList = [
  ['width', 4],
  ['first', false],
  ['blank', false],
];
const TRUNCATE_PARAMS: ParamList = [
  ['length', 255],
  ['killwords', false],
  ['end', '...'],
  ['leeway', null],
];

/** What a filter can reach besides its arguments (other filters and tests, per-render state). */
export interface FilterHost {
  callFilter(name: string, value: unknown, args: unknown[]): unknown;
  callTest(name: string, value: unknown, args: unknown[]): boolean;
  /** Multi-line YAML blocks emitted by the Proton filters during this render. */
  yamlBlocks: string[];
}

/** A filter implementation: value, raw call arguments, host. */
export type FilterImpl = (value: unknown, args: unknown[], host: FilterHost) => unknown;

/** Jinja's `soft_str`: Markup and str stay, anything else becomes `str(value)`. */
export function softStr(v: unknown): string {
  return isStr(v) ? strValue(v) : pyStr(v);
}

const PY_WHITESPACE =
  ' \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';

/** Python's `str.strip(chars)`. */
export function pyStrip(s: string, chars: string | null = null): string {
  const set = chars ?? PY_WHITESPACE;
  const cps = Array.from(s);
  let a = 0;
  let b = cps.length;
  while (a < b && set.includes(cps[a] ?? '')) a++;
  while (b > a && set.includes(cps[b - 1] ?? '')) b--;
  return cps.slice(a, b).join('');
}

/** The line breaks of Python's `splitlines` other than `\n`. */
const OTHER_LINE_BREAKS = /[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]/;

/** Python's `str.splitlines()`. */
export function splitLines(s: string): string[] {
  // Text whose only line break is \n (nearly all) splits without the regex.
  const parts = OTHER_LINE_BREAKS.test(s)
    ? s.split(/\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]/)
    : s.split('\n');
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

function truncate(value: unknown, args: unknown[]): string {
  const [length, killwords, end, leeway] = bindArgs('truncate', TRUNCATE_PARAMS, args);
  if (!isStr(value)) throw new TemplateRuntimeError('truncate expects a string');
  const chars = Array.from(strValue(value));
  const endText = softStr(end);
  const len = Number(length);
  const lee = leeway === null ? 5 : Number(leeway);
  const endLen = codePointLength(endText);
  if (len < endLen) throw new TemplateRuntimeError(`expected length >= ${endLen}, got ${len}`);
  if (lee < 0) throw new TemplateRuntimeError(`expected leeway >= 0, got ${lee}`);
  if (chars.length <= len + lee) return strValue(value);
  const head = chars.slice(0, Math.max(0, len - endLen)).join('');
  if (truthy(killwords)) return head + endText;
  const cut = head.lastIndexOf(' ');
  return (cut >= 0 ? head.slice(0, cut) : head) + endText;
}

function indent(value: unknown, args: unknown[]): string {
  const [width, first, blank] = bindArgs('indent', INDENT_PARAMS, args);
  const ind = typeof width === 'string' ? width : ' '.repeat(Number(width));
  const lines = splitLines(softStr(value) + '\n');
  let rv: string;
  if (truthy(blank)) rv = lines.join('\n' + ind);
  else {
    rv = lines.shift() ?? '';
    if (lines.length > 0) rv += '\n' + lines.map((l) => (l ? ind + l : l)).join('\n');
  }
  return truthy(first) ? ind + rv : rv;
}

const ASCII = /^[\x00-\x7f]*$/;

/** The separators of Jinja's `title` words (`[-\s({[<]`) among ASCII characters. */
function isTitleSeparator(c: number): boolean {
  return (
    (c >= 9 && c <= 13) ||
    (c >= 28 && c <= 32) ||
    c === 45 ||
    c === 40 ||
    c === 123 ||
    c === 91 ||
    c === 60
  );
}

function title(value: unknown): string {
  const text = softStr(value);
  // ASCII text: the first letter of every word upper-cased, the rest lower-cased (the same words
  // and separators as the general path below, without splitting into arrays).
  if (ASCII.test(text)) {
    const lower = text.toLowerCase();
    let out = '';
    let from = 0;
    let start = true;
    for (let i = 0; i < lower.length; i++) {
      const c = lower.charCodeAt(i);
      if (isTitleSeparator(c)) start = true;
      else {
        if (start && c >= 97 && c <= 122) {
          out += lower.slice(from, i) + String.fromCharCode(c - 32);
          from = i + 1;
        }
        start = false;
      }
    }
    return from === 0 ? lower : out + lower.slice(from);
  }
  return text
    .split(/([-\s({[<]+)/u)
    .filter((item) => item !== '')
    .map((item) => {
      const [head = '', ...rest] = Array.from(item);
      return head.toUpperCase() + rest.join('').toLowerCase();
    })
    .join('');
}

function capitalize(value: unknown): string {
  const [head = '', ...rest] = Array.from(softStr(value));
  return head.toUpperCase() + rest.join('').toLowerCase();
}

function replace(value: unknown, args: unknown[]): string {
  const [oldV, newV, count] = bindArgs('replace', REPLACE_PARAMS, args);
  const s = softStr(value);
  const from = softStr(oldV);
  const to = softStr(newV);
  let n = count === null ? -1 : Number(count);
  if (n < 0 && from !== '') {
    if (!s.includes(from)) return s;
    // A `$` in a replacement string is a pattern to replaceAll; split/join takes it literally.
    return to.includes('$') ? s.split(from).join(to) : s.replaceAll(from, to);
  }
  if (n < 0) n = Infinity;
  if (from === '') {
    const chars = Array.from(s);
    let out = '';
    for (let i = 0; i <= chars.length; i++) {
      if (n > 0) {
        out += to;
        n--;
      }
      out += chars[i] ?? '';
    }
    return out;
  }
  let out = '';
  let rest = s;
  while (n > 0) {
    const at = rest.indexOf(from);
    if (at < 0) break;
    out += rest.slice(0, at) + to;
    rest = rest.slice(at + from.length);
    n--;
  }
  return out + rest;
}

function center(value: unknown, args: unknown[]): string {
  const [width] = bindArgs('center', CENTER_PARAMS, args);
  const s = softStr(value);
  const len = codePointLength(s);
  const w = Number(width);
  if (len >= w) return s;
  const marg = w - len;
  const left = Math.floor(marg / 2) + (marg & w & 1);
  return ' '.repeat(left) + s + ' '.repeat(marg - left);
}

const PY_INT = /^[+-]?\d+(?:_\d+)*$/;
const PY_FLOAT =
  /^[+-]?(?:(?:\d+(?:_\d+)*)?\.?\d*(?:_\d+)*(?:[eE][+-]?\d+(?:_\d+)*)?|nan|inf|infinity)$/i;

/** Python's `float(str)`, or undefined when Python would raise ValueError. */
export function parsePyFloat(s: string): number | undefined {
  const t = pyStrip(s);
  if (!PY_FLOAT.test(t) || !/\d|nan|inf/i.test(t)) return undefined;
  const clean = t.replace(/_/g, '').toLowerCase();
  if (clean.endsWith('nan')) return NaN;
  if (clean.endsWith('inf') || clean.endsWith('infinity'))
    return clean.startsWith('-') ? -Infinity : Infinity;
  const n = Number(clean);
  return Number.isNaN(n) ? undefined : n;
}

function toInt(value: unknown, args: unknown[]): unknown {
  const [dflt, base] = bindArgs('int', INT_PARAMS, args);
  if (isNum(value)) {
    const n = numValue(value);
    return Number.isFinite(n) ? Math.trunc(n) : dflt;
  }
  if (isStr(value)) {
    const t = pyStrip(strValue(value));
    if (Number(base) === 10 && PY_INT.test(t)) return Number(t.replace(/_/g, ''));
    if (Number(base) !== 10) {
      const n = parseInt(t.replace(/_/g, ''), Number(base));
      if (!Number.isNaN(n)) return n;
    }
    const f = parsePyFloat(strValue(value));
    return f !== undefined && Number.isFinite(f) ? Math.trunc(f) : dflt;
  }
  return dflt;
}

function toFloat(value: unknown, args: unknown[]): unknown {
  const [fallback] = bindArgs('float', FLOAT_PARAMS, args);
  if (isNum(value)) return pyFloat(numValue(value));
  if (isStr(value)) {
    const f = parsePyFloat(strValue(value));
    return f === undefined ? fallback : pyFloat(f);
  }
  return fallback;
}

function round(value: unknown, args: unknown[]): unknown {
  const [precision, method] = bindArgs('round', ROUND_PARAMS, args);
  if (method !== 'common' && method !== 'ceil' && method !== 'floor') {
    throw new TemplateRuntimeError('method must be common, ceil or floor');
  }
  if (!isNum(value)) throw new TemplateRuntimeError('round expects a number');
  const x = numValue(value);
  const p = Number(precision);
  if (method === 'common') {
    if (!isFloat(value)) return p >= 0 ? x : roundPy(x, p);
    return pyFloat(roundPy(x, p));
  }
  const f = Math.pow(10, p);
  return pyFloat((method === 'ceil' ? Math.ceil(x * f) : Math.floor(x * f)) / f);
}

function abs(value: unknown): unknown {
  if (!isNum(value))
    throw new TemplateRuntimeError(`bad operand type for abs(): '${typeName(value)}'`);
  const n = Math.abs(numValue(value));
  return isFloat(value) ? pyFloat(n) : n;
}

function format(value: unknown, args: unknown[]): string {
  const { pos, kw } = splitArgs(args);
  const hasKw = Object.keys(kw).length > 0;
  if (pos.length > 0 && hasKw) {
    throw new TemplateRuntimeError(
      "can't handle positional and keyword arguments at the same time",
    );
  }
  return percentFormat(softStr(value), pos, hasKw ? kw : undefined);
}

function urlQuote(v: unknown, forQs: boolean): string {
  let s = encodeURIComponent(softStr(v)).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  if (!forQs) s = s.replace(/%2F/g, '/');
  return forQs ? s.replace(/%20/g, '+') : s;
}

function urlencode(value: unknown): string {
  if (isStr(value) || (!Array.isArray(value) && !isDict(value))) return urlQuote(value, false);
  const pairs = isDict(value)
    ? orderedKeys(value).map((k) => [k, value[k]])
    : iterate(value).map((p) => iterate(p));
  return pairs.map((p) => `${urlQuote(p[0], true)}=${urlQuote(p[1], true)}`).join('&');
}

function escapeFilter(value: unknown): Markup {
  return value instanceof Markup ? value : new Markup(escapeHtml(softStr(value)));
}

/** The string and number filters, by Jinja name. */
export const STRING_FILTERS: Readonly<Record<string, FilterImpl>> = {
  upper: (v) => softStr(v).toUpperCase(),
  lower: (v) => softStr(v).toLowerCase(),
  capitalize: (v) => capitalize(v),
  title: (v) => title(v),
  trim: (v, a) => pyStrip(softStr(v), bindArgs('trim', TRIM_PARAMS, a)[0] as string | null),
  replace: (v, a) => replace(v, a),
  truncate: (v, a) => truncate(v, a),
  center: (v, a) => center(v, a),
  indent: (v, a) => indent(v, a),
  wordcount: (v) => (softStr(v).match(/[\p{L}\p{N}_]+/gu) ?? []).length,
  string: (v) => (isStr(v) ? v : pyStr(v)),
  safe: (v) => (v instanceof Markup ? v : new Markup(softStr(v))),
  e: (v) => escapeFilter(v),
  escape: (v) => escapeFilter(v),
  urlencode: (v) => urlencode(v),
  format: (v, a) => format(v, a),
  int: (v, a) => toInt(v, a),
  float: (v, a) => toFloat(v, a),
  round: (v, a) => round(v, a),
  abs: (v) => abs(v),
  tojson: (v, a) => toJson(v, bindArgs('tojson', TOJSON_PARAMS, a)[0]),
};
