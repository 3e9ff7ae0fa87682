/**
 * Python's `str` methods as Jinja2 (without a sandbox, as Proton ran it) exposes them:
 * `name.split(',')`, `x.startswith(('a', 'b'))`, `'{}-{}'.format(a, b)`... Each follows CPython's
 * semantics (code-point indexes, Python's whitespace, `split()` on runs of whitespace) and raises
 * Python's exception class with Python's message when called wrongly.
 */
import { TemplateRuntimeError } from './render-error.js';
import { bindArgs, splitArgs, type ParamList } from './filter-args.js';
import { strFormat } from './py-str-format.js';
import { iterate } from './py-ops.js';
import { Markup, Undefined, isStr, isTuple, strValue, tuple, typeName } from './py-values.js';

// Parameter lists of the filters/methods below, built once (a literal at the call would be
// allocated again on every call).
const KEEPENDS_PARAMS: ParamList = [['keepends', false]];
const NAME_PARAMS_2: ParamList = [
  ['sep', null],
  ['maxsplit', -1],
];
const EXPANDTABS_PARAMS: ParamList = [['tabsize', 8]];

type Method = (...args: unknown[]) => unknown;

const PY_SPACE = new Set(
  Array.from(
    ' \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000',
  ),
);
const LINE_BREAK = /\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]/g;

const typeError = (msg: string): TemplateRuntimeError => new TemplateRuntimeError(msg, 'TypeError');
const valueError = (msg: string): TemplateRuntimeError =>
  new TemplateRuntimeError(msg, 'ValueError');

function defined(v: unknown): unknown {
  if (v instanceof Undefined && v.strict) throw v.error();
  return v;
}

/** A `str` argument (Markup counts), or Python's TypeError. */
function needStr(v: unknown, what: string): string {
  defined(v);
  if (isStr(v)) return strValue(v);
  throw typeError(`${what} must be str, not ${typeName(v)}`);
}

function optStr(v: unknown, what: string): string | null {
  defined(v);
  if (v === null) return null;
  if (isStr(v)) return strValue(v);
  throw typeError(`${what ? `${what} ` : ''}must be str or None, not ${typeName(v)}`);
}

function needInt(v: unknown): number {
  defined(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  throw typeError(`'${typeName(v)}' object cannot be interpreted as an integer`);
}

/** Python's slice-index normalisation for `start`/`end` arguments (None allowed). */
function bound(v: unknown, len: number, dflt: number): number {
  defined(v);
  if (v === null || v === undefined) return dflt;
  if (!(typeof v === 'number' && Number.isInteger(v)) && typeof v !== 'boolean') {
    throw typeError('slice indices must be integers or None or have an __index__ method');
  }
  const n = Number(v);
  if (n < 0) return Math.max(0, n + len);
  return Math.min(n, len);
}

function isSpace(ch: string): boolean {
  return PY_SPACE.has(ch);
}

function cps(s: string): string[] {
  return Array.from(s);
}

function strip(s: string, chars: string | null, left: boolean, right: boolean): string {
  const set = chars === null ? undefined : new Set(cps(chars));
  const test = (c: string): boolean => (set ? set.has(c) : isSpace(c));
  const a = cps(s);
  let i = 0;
  let j = a.length;
  if (left) while (i < j && test(a[i] ?? '')) i++;
  if (right) while (j > i && test(a[j - 1] ?? '')) j--;
  return a.slice(i, j).join('');
}

function splitWhitespace(s: string, maxsplit: number, fromRight: boolean): string[] {
  const a = cps(s);
  if (fromRight) a.reverse();
  const out: string[] = [];
  let i = 0;
  const n = a.length;
  while (i < n) {
    while (i < n && isSpace(a[i] ?? '')) i++;
    if (i >= n) break;
    if (maxsplit >= 0 && out.length === maxsplit) {
      out.push(a.slice(i).join(''));
      break;
    }
    const start = i;
    while (i < n && !isSpace(a[i] ?? '')) i++;
    out.push(a.slice(start, i).join(''));
  }
  if (!fromRight) return out;
  return out.map((w) => cps(w).reverse().join('')).reverse();
}

function split(s: string, sepArg: unknown, maxArg: unknown, fromRight: boolean): string[] {
  const sep = optStr(sepArg, '');
  const maxsplit = needInt(maxArg);
  if (sep === null) return splitWhitespace(s, maxsplit, fromRight);
  if (sep === '') throw valueError('empty separator');
  const parts = s.split(sep);
  if (maxsplit < 0 || parts.length - 1 <= maxsplit) return parts;
  if (fromRight) {
    const keep = parts.length - maxsplit;
    return [parts.slice(0, keep).join(sep), ...parts.slice(keep)];
  }
  return [...parts.slice(0, maxsplit), parts.slice(maxsplit).join(sep)];
}

function splitlines(s: string, keepends: unknown): string[] {
  const out: string[] = [];
  let last = 0;
  for (const m of s.matchAll(LINE_BREAK)) {
    const end = (m.index ?? 0) + m[0].length;
    out.push(s.slice(last, defined(keepends) && keepends !== 0 ? end : (m.index ?? 0)));
    last = end;
  }
  if (last < s.length) out.push(s.slice(last));
  return out;
}

function replace(s: string, oldArg: unknown, newArg: unknown, countArg: unknown): string {
  const from = needStr(oldArg, 'replace() argument 1');
  const to = needStr(newArg, 'replace() argument 2');
  let count = needInt(countArg);
  if (count < 0) count = Infinity;
  if (from === '') {
    const a = cps(s);
    let out = '';
    for (let i = 0; i <= a.length; i++) {
      if (i < count) out += to;
      out += a[i] ?? '';
    }
    return out;
  }
  let out = '';
  let last = 0;
  let done = 0;
  for (let at = s.indexOf(from); at >= 0 && done < count; at = s.indexOf(from, last)) {
    out += s.slice(last, at) + to;
    last = at + from.length;
    done++;
  }
  return out + s.slice(last);
}

function isCased(c: string): boolean {
  return c.toLowerCase() !== c.toUpperCase();
}

function title(s: string): string {
  let out = '';
  let prevCased = false;
  for (const c of s) {
    out += prevCased ? c.toLowerCase() : c.toUpperCase();
    prevCased = isCased(c);
  }
  return out;
}

function capitalize(s: string): string {
  const [first = '', ...rest] = cps(s);
  return first.toUpperCase() + rest.join('').toLowerCase();
}

function swapcase(s: string): string {
  let out = '';
  for (const c of s) out += c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase();
  return out;
}

/** The code-point window `[start, end)` of `s` that find/count/startswith search. */
function window(s: string, start: unknown, end: unknown): { text: string; offset: number } {
  const a = cps(s);
  const from = bound(start, a.length, 0);
  const to = bound(end, a.length, a.length);
  return { text: to < from ? '' : a.slice(from, to).join(''), offset: from };
}

function cpIndex(s: string, utf16: number): number {
  return cps(s.slice(0, utf16)).length;
}

function find(s: string, args: unknown[], fromRight: boolean, method: string): number {
  const [subArg, start, end] = bindPositional(method, args, 1, 3);
  const sub = needStr(subArg, `${method}() argument 1`);
  const a = cps(s);
  const from = bound(start, a.length, 0);
  const to = bound(end, a.length, a.length);
  if (to < from || (sub === '' && from > a.length)) return -1;
  const text = a.slice(from, to).join('');
  const at = fromRight ? text.lastIndexOf(sub) : text.indexOf(sub);
  return at < 0 ? -1 : from + cpIndex(text, at);
}

function count(s: string, args: unknown[]): number {
  const [subArg, start, end] = bindPositional('count', args, 1, 3);
  const sub = needStr(subArg, 'count() argument 1');
  const len = cps(s).length;
  const from = bound(start, len, 0);
  const to = bound(end, len, len);
  if (to < from) return 0;
  const { text } = window(s, start, end);
  if (sub === '') return cps(text).length + 1;
  let n = 0;
  for (let at = text.indexOf(sub); at >= 0; at = text.indexOf(sub, at + sub.length)) n++;
  return n;
}

function affix(s: string, args: unknown[], method: 'startswith' | 'endswith'): boolean {
  const [what, start, end] = bindPositional(method, args, 1, 3);
  defined(what);
  const a = cps(s);
  const from = bound(start, a.length, 0);
  const to = bound(end, a.length, a.length);
  const text = a.slice(from, Math.max(from, to)).join('');
  const candidates = Array.isArray(what) && isTuple(what) ? what : [what];
  if (!isStr(what) && !(Array.isArray(what) && isTuple(what))) {
    throw typeError(`${method} first arg must be str or a tuple of str, not ${typeName(what)}`);
  }
  return candidates.some((c) => {
    if (!isStr(c)) {
      throw typeError(`tuple for ${method} must only contain str, not ${typeName(c)}`);
    }
    if (from > a.length || to < from) return false;
    const p = strValue(c);
    return method === 'startswith' ? text.startsWith(p) : text.endsWith(p);
  });
}

/** Positional-only arguments (most str methods take no keywords). */
function bindPositional(method: string, args: unknown[], min: number, max: number): unknown[] {
  const { pos, kw } = splitArgs(args);
  const kwName = Object.keys(kw)[0];
  if (kwName !== undefined) throw typeError(`str.${method}() takes no keyword arguments`);
  if (pos.length < min || pos.length > max) {
    throw typeError(
      min === max
        ? `str.${method}() takes exactly ${min === 1 ? 'one argument' : `${min} arguments`} (${pos.length} given)`
        : pos.length < min
          ? `${method} expected at least ${min} argument${min === 1 ? '' : 's'}, got ${pos.length}`
          : `${method} expected at most ${max} argument${max === 1 ? '' : 's'}, got ${pos.length}`,
    );
  }
  return [...pos, ...Array<unknown>(max - pos.length).fill(null)];
}

function noArgs(method: string, args: unknown[]): void {
  const { pos, kw } = splitArgs(args);
  if (pos.length > 0 || Object.keys(kw).length > 0) {
    throw typeError(`str.${method}() takes no arguments (${pos.length} given)`);
  }
}

function fillChar(v: unknown, method: string): string {
  if (v === null) return ' ';
  defined(v);
  if (!isStr(v)) {
    throw typeError(`${method}() argument 2 must be str, not ${typeName(v)}`);
  }
  const c = strValue(v);
  if (cps(c).length !== 1) {
    throw typeError('The fill character must be exactly one character long');
  }
  return c;
}

function justify(s: string, args: unknown[], method: 'ljust' | 'rjust' | 'center'): string {
  const [w, f] = bindPositional(method, args, 1, 2);
  const width = needInt(w);
  const fill = fillChar(f, method);
  const len = cps(s).length;
  if (width <= len) return s;
  const marg = width - len;
  if (method === 'ljust') return s + fill.repeat(marg);
  if (method === 'rjust') return fill.repeat(marg) + s;
  const left = Math.floor(marg / 2) + (marg & width & 1);
  return fill.repeat(left) + s + fill.repeat(marg - left);
}

function zfill(s: string, args: unknown[]): string {
  const [w] = bindPositional('zfill', args, 1, 1);
  const width = needInt(w);
  const len = cps(s).length;
  if (width <= len) return s;
  const sign = s[0] === '+' || s[0] === '-' ? (s[0] ?? '') : '';
  return sign + '0'.repeat(width - len) + s.slice(sign.length);
}

function join(s: string, args: unknown[]): string {
  const [items] = bindPositional('join', args, 1, 1);
  defined(items);
  const list = iterate(items);
  return list
    .map((item, i) => {
      defined(item);
      if (!isStr(item)) {
        throw typeError(`sequence item ${i}: expected str instance, ${typeName(item)} found`);
      }
      return strValue(item);
    })
    .join(s);
}

function partition(s: string, args: unknown[], fromRight: boolean): unknown[] {
  const method = fromRight ? 'rpartition' : 'partition';
  const [sepArg] = bindPositional(method, args, 1, 1);
  const sep = needStr(sepArg, 'must be str, not');
  if (sep === '') throw valueError('empty separator');
  const at = fromRight ? s.lastIndexOf(sep) : s.indexOf(sep);
  if (at < 0) return tuple(fromRight ? ['', '', s] : [s, '', '']);
  return tuple([s.slice(0, at), sep, s.slice(at + sep.length)]);
}

const PREDICATES: Readonly<Record<string, (s: string) => boolean>> = {
  isdigit: (s) => s !== '' && /^[\p{Nd}\u00b2\u00b3\u00b9\u2070-\u2079\u2080-\u2089]+$/u.test(s),
  isdecimal: (s) => /^\p{Nd}+$/u.test(s),
  isnumeric: (s) => /^[\p{Nd}\p{Nl}\p{No}]+$/u.test(s),
  isalpha: (s) => /^\p{L}+$/u.test(s),
  isalnum: (s) => /^[\p{L}\p{Nd}\p{Nl}\p{No}]+$/u.test(s),
  isspace: (s) => s !== '' && cps(s).every(isSpace),
  isascii: (s) => /^[\x00-\x7f]*$/.test(s),
  isidentifier: (s) => /^[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*$/u.test(s),
  isprintable: (s) => !/[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}]|[^\S ]/u.test(s),
  islower: (s) => /\p{Ll}/u.test(s) && !/[\p{Lu}\p{Lt}]/u.test(s),
  isupper: (s) => /\p{Lu}/u.test(s) && !/[\p{Ll}\p{Lt}]/u.test(s),
  istitle: (s) => {
    let cased = false;
    let prevCased = false;
    for (const c of s) {
      if (/[\p{Lu}\p{Lt}]/u.test(c)) {
        if (prevCased) return false;
        prevCased = true;
        cased = true;
      } else if (/\p{Ll}/u.test(c)) {
        if (!prevCased) return false;
        prevCased = true;
      } else {
        prevCased = false;
      }
    }
    return cased;
  },
};

function expandtabs(s: string, args: unknown[]): string {
  const [size] = bindArgs('expandtabs', EXPANDTABS_PARAMS, args);
  const tab = needInt(size);
  let out = '';
  let col = 0;
  for (const c of s) {
    if (c === '\t') {
      if (tab > 0) {
        const n = tab - (col % tab);
        out += ' '.repeat(n);
        col += n;
      }
    } else {
      out += c;
      col = c === '\n' || c === '\r' ? 0 : col + 1;
    }
  }
  return out;
}

function strMethod(s: string, name: string): Method | undefined {
  switch (name) {
    case 'split':
    case 'rsplit':
      return (...args) => {
        const [sep, max] = bindArgs(name, NAME_PARAMS_2, args);
        return split(s, sep, max, name === 'rsplit');
      };
    case 'splitlines':
      return (...args) => splitlines(s, bindArgs(name, KEEPENDS_PARAMS, args)[0]);
    case 'strip':
    case 'lstrip':
    case 'rstrip':
      return (...args) => {
        const [chars] = bindPositional(name, args, 0, 1);
        return strip(s, optStr(chars, `${name} arg`), name !== 'rstrip', name !== 'lstrip');
      };
    case 'replace':
      return (...args) => {
        const [a, b, c] = bindPositional(name, args, 2, 3);
        return replace(s, a, b, c ?? -1);
      };
    case 'lower':
    case 'casefold':
      return (...args) => (noArgs(name, args), s.toLowerCase());
    case 'upper':
      return (...args) => (noArgs(name, args), s.toUpperCase());
    case 'title':
      return (...args) => (noArgs(name, args), title(s));
    case 'capitalize':
      return (...args) => (noArgs(name, args), capitalize(s));
    case 'swapcase':
      return (...args) => (noArgs(name, args), swapcase(s));
    case 'startswith':
    case 'endswith':
      return (...args) => affix(s, args, name);
    case 'find':
    case 'rfind':
      return (...args) => find(s, args, name === 'rfind', name);
    case 'index':
    case 'rindex':
      return (...args) => {
        const at = find(s, args, name === 'rindex', name);
        if (at < 0) throw valueError('substring not found');
        return at;
      };
    case 'count':
      return (...args) => count(s, args);
    case 'join':
      return (...args) => join(s, args);
    case 'format':
      return (...args) => {
        const { pos, kw } = splitArgs(args);
        return strFormat(s, pos, kw);
      };
    case 'format_map':
      return (...args) => {
        const [mapping] = bindPositional(name, args, 1, 1);
        return strFormat(s, [], mapping as Record<string, unknown>);
      };
    case 'zfill':
      return (...args) => zfill(s, args);
    case 'ljust':
    case 'rjust':
    case 'center':
      return (...args) => justify(s, args, name);
    case 'partition':
    case 'rpartition':
      return (...args) => partition(s, args, name === 'rpartition');
    case 'removeprefix':
      return (...args) => {
        const p = needStr(bindPositional(name, args, 1, 1)[0], 'removeprefix() argument');
        return p !== '' && s.startsWith(p) ? s.slice(p.length) : s;
      };
    case 'removesuffix':
      return (...args) => {
        const p = needStr(bindPositional(name, args, 1, 1)[0], 'removesuffix() argument');
        return p !== '' && s.endsWith(p) ? s.slice(0, -p.length) : s;
      };
    case 'expandtabs':
      return (...args) => expandtabs(s, args);
    default: {
      const pred = PREDICATES[name];
      return pred ? (...args) => (noArgs(name, args), pred(s)) : undefined;
    }
  }
}

/** The bound `str` method `name` of `value`, or undefined when `str` has no such method. */
export function boundStrMethod(value: string | Markup, name: string): Method | undefined {
  return strMethod(value instanceof Markup ? value.value : value, name);
}
