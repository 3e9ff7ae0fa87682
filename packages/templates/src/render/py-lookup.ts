/**
 * Jinja's attribute and item lookup (`a.b`, `a['b']`, `a[0]`, `a[1:3]`) over template data.
 * A JavaScript property read would resolve `'abc'.length`, `list.length` or `x.constructor`;
 * Jinja sees only dict keys, list indexes and Python methods. This module exposes
 * exactly what Python would, and yields {@link Undefined} (with the dotted name of what is
 * missing) for everything else.
 */
import { TemplateRuntimeError } from './render-error.js';
import { pyRepr, strRepr } from './py-repr.js';
import { iterate, pyEq } from './py-ops.js';
import {
  Cycler,
  LoopContext,
  Namespace,
  Markup,
  PyIterable,
  Undefined,
  checkDefined,
  isDict,
  isGroupTuple,
  isStr,
  isTuple,
  orderedKeys,
  setItem,
  strValue,
  tuple,
} from './py-values.js';
import { boundStrMethod } from './py-str-methods.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The dotted name of `base.key` (or `base['key']`, `base[0]`) for error messages. */
export function memberName(base: string, key: unknown): string {
  if (typeof key === 'string' && IDENTIFIER.test(key)) return `${base}.${key}`;
  if (typeof key === 'string') return `${base}[${strRepr(key)}]`;
  return `${base}[${String(key)}]`;
}

const own = (obj: object, key: string): boolean => Object.prototype.hasOwnProperty.call(obj, key);

type Method = (...args: unknown[]) => unknown;

function dictMethod(d: Record<string, unknown>, name: string): Method | undefined {
  switch (name) {
    case 'items':
      return () =>
        new PyIterable(
          orderedKeys(d).map((k) => tuple([k, d[k]])),
          'dict_items',
        );
    case 'keys':
      return () => new PyIterable(orderedKeys(d), 'dict_keys');
    case 'values':
      return () =>
        new PyIterable(
          orderedKeys(d).map((k) => d[k]),
          'dict_values',
        );
    case 'get':
      return (key: unknown, dflt: unknown = null) =>
        isStr(key) && own(d, strValue(key)) ? d[strValue(key)] : dflt;
    case 'update':
      return (other: unknown) => {
        checkDefined(other);
        if (isDict(other)) for (const [k, v] of Object.entries(other)) setItem(d, k, v);
        return null;
      };
    case 'copy':
      return () => {
        const out: Record<string, unknown> = {};
        for (const k of orderedKeys(d)) setItem(out, k, d[k]);
        return out;
      };
    case 'pop':
      return (...args: unknown[]) => {
        const [key] = args;
        if (isStr(key) && own(d, strValue(key))) {
          const v = d[strValue(key)];
          delete d[strValue(key)];
          return v;
        }
        if (args.length > 1) return args[1];
        throw new TemplateRuntimeError(pyRepr(key), 'KeyError');
      };
    case 'setdefault':
      return (key: unknown, dflt: unknown = null) => {
        if (!isStr(key)) throw new TemplateRuntimeError('dict keys must be strings', 'TypeError');
        if (!own(d, strValue(key))) setItem(d, strValue(key), dflt);
        return d[strValue(key)];
      };
    case 'clear':
      return () => {
        for (const k of Object.keys(d)) delete d[k];
        return null;
      };
    default:
      return undefined;
  }
}

function listMethod(list: unknown[], name: string): Method | undefined {
  switch (name) {
    case 'append':
      return (x: unknown) => (list.push(x), null);
    case 'extend':
      return (xs: unknown) => (list.push(...iterate(xs)), null);
    case 'insert':
      return (i: unknown, x: unknown) => (list.splice(Number(i), 0, x), null);
    case 'pop':
      return (i: unknown = -1) => {
        const idx = normIndex(Number(i), list.length);
        if (idx === undefined) {
          throw new TemplateRuntimeError(
            list.length === 0 ? 'pop from empty list' : 'pop index out of range',
            'IndexError',
          );
        }
        return list.splice(idx, 1)[0];
      };
    case 'index':
      return (x: unknown, start: unknown = 0, stop: unknown = list.length) => {
        const from = normBound(start, list.length);
        const to = normBound(stop, list.length);
        for (let i = from; i < to; i++) if (pyEq(x, list[i])) return i;
        throw new TemplateRuntimeError(
          `${isTuple(list) ? 'tuple.index(x): x not in tuple' : `${pyRepr(x)} is not in list`}`,
          'ValueError',
        );
      };
    case 'remove':
      return (x: unknown) => {
        const idx = list.findIndex((y) => pyEq(x, y));
        if (idx < 0) throw new TemplateRuntimeError('list.remove(x): x not in list', 'ValueError');
        list.splice(idx, 1);
        return null;
      };
    case 'reverse':
      return () => (list.reverse(), null);
    case 'clear':
      return () => (list.splice(0, list.length), null);
    case 'count':
      return (x: unknown) => list.filter((y) => pyEq(x, y)).length;
    case 'copy':
      return () => [...list];
    default:
      return undefined;
  }
}

function normBound(v: unknown, len: number): number {
  const n = Number(v);
  return n < 0 ? Math.max(0, n + len) : Math.min(n, len);
}

function normIndex(i: number, len: number): number | undefined {
  if (!Number.isInteger(i)) return undefined;
  const idx = i < 0 ? i + len : i;
  return idx >= 0 && idx < len ? idx : undefined;
}

function shadowedMethod(name: string, method: Method): Method {
  Object.defineProperty(method, 'pyShadowed', {
    value: `\`.${name}\` is the dict method ${name}() in Jinja, not the key; use ['${name}']`,
  });
  return method;
}

/** The dict methods `d.name` reaches before the key `name`. */
export const DICT_METHODS: ReadonlySet<string> = new Set([
  'items',
  'keys',
  'values',
  'get',
  'update',
  'copy',
  'pop',
  'setdefault',
  'clear',
]);

function dictLookup(
  d: Record<string, unknown>,
  key: unknown,
  base: string,
  isDot: boolean,
): unknown {
  const k = typeof key === 'string' ? key : key instanceof Markup ? key.value : undefined;
  if (k === undefined) return missing(base, key);
  const isMethod = DICT_METHODS.has(k);
  if (isDot && isMethod) {
    const method = dictMethod(d, k) as Method;
    return own(d, k) ? shadowedMethod(k, method) : method;
  }
  if (own(d, k)) {
    const v = d[k];
    return v === undefined ? missing(base, key) : v;
  }
  return (isMethod ? dictMethod(d, k) : undefined) ?? missing(base, key);
}

function missing(base: string, key: unknown): Undefined {
  return new Undefined(memberName(base, key));
}

function seqLookup(list: unknown[], key: unknown, base: string): unknown {
  if (typeof key === 'number' || typeof key === 'boolean') {
    const idx = normIndex(Number(key), list.length);
    return idx === undefined ? missing(base, key) : list[idx];
  }
  if (!isStr(key)) return missing(base, key);
  const k = strValue(key);
  if (isGroupTuple(list) && (k === 'grouper' || k === 'list')) return list[k === 'grouper' ? 0 : 1];
  if (isTuple(list))
    return k === 'index' || k === 'count' ? listMethod(list, k) : missing(base, key);
  return listMethod(list, k) ?? missing(base, key);
}

function strLookup(s: string, key: unknown, base: string): unknown {
  if (typeof key === 'number' || typeof key === 'boolean') {
    const chars = Array.from(s);
    const idx = normIndex(Number(key), chars.length);
    return idx === undefined ? missing(base, key) : chars[idx];
  }
  if (isStr(key)) return boundStrMethod(s, strValue(key)) ?? missing(base, key);
  return missing(base, key);
}

/**
 * `obj.key` (isDot) or `obj[key]`. Dot access prefers Python attributes (dict methods) and
 * subscripts prefer items, as Jinja's `getattr`/`getitem` do.
 */
export function lookup(obj: unknown, key: unknown, base: string, isDot: boolean): unknown {
  const found = lookupValue(obj, key, base, isDot);
  if (found instanceof Undefined && isStr(key) && /^__\w+__$/.test(strValue(key))) {
    const name = memberName(base, strValue(key));
    return new Undefined(
      name,
      true,
      `${name} reaches Python internals, which Nucleon does not expose; read the data's own keys instead`,
    );
  }
  return found;
}

/**
 * `obj.key` for a key the compiler has checked is a plain data key (not a dict method, not on
 * Object.prototype, not `__dunder__`): a dict's own value when it has one, else {@link lookup}.
 */
export function lookupKey(obj: unknown, key: string, base: string): unknown {
  if (isDict(obj)) {
    const v = obj[key];
    if (v !== undefined) return v;
  }
  return lookup(obj, key, base, true);
}

/** True when the compiler may read `x.key` through {@link lookupKey}. */
export function isPlainDataKey(key: string): boolean {
  return !DICT_METHODS.has(key) && !(key in Object.prototype) && !/^__\w+__$/.test(key);
}

function lookupValue(obj: unknown, key: unknown, base: string, isDot: boolean): unknown {
  if (obj instanceof Undefined) throw obj.error();
  checkDefined(key);
  if (isDict(obj)) return dictLookup(obj, key, base, isDot);
  if (Array.isArray(obj)) return seqLookup(obj, key, base);
  if (typeof obj === 'string') return strLookup(obj, key, base);
  if (obj instanceof Markup) return strLookup(obj.value, key, base);
  if (obj instanceof Namespace && isStr(key)) {
    const k = strValue(key);
    return k in obj.attrs ? obj.attrs[k] : missing(base, key);
  }
  if (obj instanceof Cycler && isStr(key)) {
    const k = strValue(key);
    if (k === 'current') return obj.current;
    if (k === 'next') return () => obj.next();
    if (k === 'reset') return () => obj.reset();
    if (k === 'items') return obj.items;
    return missing(base, key);
  }
  if (obj instanceof LoopContext && isStr(key) && strValue(key) === 'recurse') {
    return missing(base, key);
  }
  if (obj instanceof LoopContext && isStr(key) && own(obj, strValue(key))) {
    return (obj as unknown as Record<string, unknown>)[strValue(key)];
  }
  return missing(base, key);
}

function sliceBound(v: unknown, len: number, step: number, isStart: boolean): number {
  const [lower, upper] = step > 0 ? [0, len] : [-1, len - 1];
  if (v === null || v === undefined) return isStart === step > 0 ? lower : upper;
  const n = Number(v);
  if (!Number.isInteger(n)) {
    throw new TemplateRuntimeError('slice indices must be integers or None');
  }
  return n < 0 ? Math.max(n + len, lower) : Math.min(n, upper);
}

/** Python's `seq[start:stop:step]` for lists, tuples and strings. */
export function slice(obj: unknown, start: unknown, stop: unknown, step: unknown): unknown {
  if (obj instanceof Undefined) throw obj.error();
  const stepN = step === null || step === undefined ? 1 : Number(step);
  if (stepN === 0) throw new TemplateRuntimeError('slice step cannot be zero');
  const isString = isStr(obj);
  if (!isString && !Array.isArray(obj)) {
    throw new TemplateRuntimeError('only strings, lists and tuples can be sliced');
  }
  const items = isString ? Array.from(strValue(obj)) : obj;
  const from = sliceBound(start, items.length, stepN, true);
  const to = sliceBound(stop, items.length, stepN, false);
  const out: unknown[] = [];
  for (let i = from; stepN > 0 ? i < to : i > to; i += stepN) out.push(items[i]);
  if (isString) return out.join('');
  return isTuple(obj) ? tuple(out) : out;
}
