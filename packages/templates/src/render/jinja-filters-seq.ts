/**
 * Jinja 3.1's collection filters (`map`, `select`, `unique`, `groupby`, `sort`, `join`...) with
 * Python semantics: case-insensitive sorting and de-duplication by default, generators that must
 * be `| list`-ed before printing, `first`/`last` yielding Undefined on empty input.
 */
import { TemplateRuntimeError } from './render-error.js';
import { REQUIRED, bindArgs, splitArgs, type ParamList } from './filter-args.js';
import type { FilterHost, FilterImpl } from './jinja-filters.js';
import { add, iterate, pyCompare, pyEq, pyLen, truthy } from './py-ops.js';
import { lookup } from './py-lookup.js';
import { pyStr } from './py-repr.js';
import {
  PyIterable,
  Undefined,
  groupTuple,
  isDict,
  isStr,
  isTuple,
  orderedKeys,
  strValue,
  tuple,
  typeName,
} from './py-values.js';

// Parameter lists of the filters/methods below, built once (a literal at the call would be
// allocated again on every call).
const ATTR_PARAMS: ParamList = [['name', REQUIRED]];
const GROUPBY_PARAMS: ParamList = [
  ['attribute', REQUIRED],
  ['default', null],
  ['case_sensitive', false],
];
const SUM_PARAMS: ParamList = [
  ['attribute', null],
  ['start', 0],
];
const AGGREGATE_PARAMS: ParamList = [
  ['case_sensitive', false],
  ['attribute', null],
];
const UNIQUE_PARAMS: ParamList = [
  ['case_sensitive', false],
  ['attribute', null],
];
const DICTSORT_PARAMS: ParamList = [
  ['case_sensitive', false],
  ['by', 'key'],
  ['reverse', false],
];
const SORT_PARAMS: ParamList = [
  ['reverse', false],
  ['case_sensitive', false],
  ['attribute', null],
];
const JOIN_PARAMS: ParamList = [
  ['d', ''],
  ['attribute', null],
];

type Getter = (item: unknown) => unknown;

const DIGITS = /^\d+$/;

function attrParts(attribute: unknown): unknown[] {
  if (attribute === null || attribute === undefined) return [];
  if (typeof attribute !== 'string') return [attribute];
  if (!attribute.includes('.')) return [DIGITS.test(attribute) ? Number(attribute) : attribute];
  return attribute.split('.').map((p) => (DIGITS.test(p) ? Number(p) : p));
}

function ignoreCase(v: unknown): unknown {
  return isStr(v) ? strValue(v).toLowerCase() : v;
}

/** Jinja's `make_attrgetter`: item-first lookup of a dotted attribute path. */
function attrGetter(attribute: unknown, post?: Getter, dflt: unknown = null): Getter {
  const parts = attrParts(attribute);
  return (item) => {
    let v = item;
    for (const part of parts) {
      v = lookup(v, part, 'item', false);
      if (dflt !== null && v instanceof Undefined) v = dflt;
    }
    return post ? post(v) : v;
  };
}

function multiAttrGetter(attribute: unknown, post?: Getter): Getter {
  const attrs = typeof attribute === 'string' ? attribute.split(',') : [attribute];
  const getters = attrs.map((a) => attrGetter(a === '' ? null : a, post));
  return (item) => tuple(getters.map((g) => g(item)));
}

function first(value: unknown): unknown {
  const items = iterate(value);
  return items.length > 0
    ? items[0]
    : new Undefined('first', true, 'No first item, sequence was empty.');
}

function last(value: unknown): unknown {
  if (value instanceof PyIterable && !value.reusable) {
    throw new TemplateRuntimeError(`'${value.kind}' object is not reversible`);
  }
  const items = iterate(value);
  return items.length > 0
    ? items[items.length - 1]
    : new Undefined('last', true, 'No last item, sequence was empty.');
}

function join(value: unknown, args: unknown[]): string {
  const [d, attribute] = bindArgs('join', JOIN_PARAMS, args);
  let items = iterate(value);
  if (attribute !== null) items = items.map(attrGetter(attribute));
  return items.map((x) => pyStr(x)).join(pyStr(d));
}

function sortBy<T>(items: T[], key: (x: T) => unknown, reverse: boolean): T[] {
  const keyed = items.map((item) => ({ item, k: key(item) }));
  keyed.sort((a, b) => (reverse ? -1 : 1) * pyCompare(a.k, b.k));
  return keyed.map((x) => x.item);
}

function sort(value: unknown, args: unknown[]): unknown[] {
  const [reverse, caseSensitive, attribute] = bindArgs('sort', SORT_PARAMS, args);
  const post = truthy(caseSensitive) ? undefined : ignoreCase;
  if (typeof attribute === 'string' && attribute.includes(',')) {
    return sortBy([...iterate(value)], multiAttrGetter(attribute, post), truthy(reverse));
  }
  // One attribute (or none): Jinja's key is the one-item list [key], and Python compares two
  // such lists by equality first, then by `<` — compared here without building the lists.
  const sign = truthy(reverse) ? -1 : 1;
  const key = attrGetter(attribute, post);
  const keyed = Array.from(iterate(value), (item) => ({ item, k: key(item) }));
  keyed.sort((a, b) => (pyEq(a.k, b.k) ? 0 : sign * pyCompare(a.k, b.k)));
  return keyed.map((x) => x.item);
}

function dictsort(value: unknown, args: unknown[]): unknown[] {
  const [caseSensitive, by, reverse] = bindArgs('dictsort', DICTSORT_PARAMS, args);
  if (by !== 'key' && by !== 'value') {
    throw new TemplateRuntimeError('You can only sort by either "key" or "value"');
  }
  if (!isDict(value)) throw new TemplateRuntimeError('dictsort expects a mapping');
  const pos = by === 'key' ? 0 : 1;
  const keys = pos === 0 ? Object.keys(value) : orderedKeys(value);
  const pairs = keys.map((k) => tuple([k, value[k]]));
  const key = (p: unknown[]): unknown => (truthy(caseSensitive) ? p[pos] : ignoreCase(p[pos]));
  return sortBy(pairs, key, truthy(reverse));
}

function hashable(k: unknown): unknown {
  if (Array.isArray(k) && isTuple(k)) {
    k.forEach(hashable);
    return k;
  }
  if (Array.isArray(k) || isDict(k)) {
    throw new TemplateRuntimeError(`unhashable type: '${typeName(k)}'`, 'TypeError');
  }
  return k;
}

function unique(value: unknown, args: unknown[]): PyIterable {
  const [caseSensitive, attribute] = bindArgs('unique', UNIQUE_PARAMS, args);
  const getter = attrGetter(attribute, truthy(caseSensitive) ? undefined : ignoreCase);
  const seen: unknown[] = [];
  const out: unknown[] = [];
  for (const item of iterate(value)) {
    const k = hashable(getter(item));
    if (!seen.some((s) => pyEq(s, k))) {
      seen.push(k);
      out.push(item);
    }
  }
  return new PyIterable(out, 'generator');
}

function minMax(value: unknown, args: unknown[], sign: number, fn: string): unknown {
  const [caseSensitive, attribute] = bindArgs(fn, AGGREGATE_PARAMS, args);
  const items = iterate(value);
  if (items.length === 0) return new Undefined(fn, true, 'No aggregated item, sequence was empty.');
  const key = attrGetter(attribute, truthy(caseSensitive) ? undefined : ignoreCase);
  let best = items[0];
  let bestKey = key(best);
  for (const item of items.slice(1)) {
    const k = key(item);
    if (sign * pyCompare(k, bestKey) > 0) [best, bestKey] = [item, k];
  }
  return best;
}

function sum(value: unknown, args: unknown[]): unknown {
  const [attribute, start] = bindArgs('sum', SUM_PARAMS, args);
  let items = iterate(value);
  if (attribute !== null) items = items.map(attrGetter(attribute));
  return items.reduce((acc, x) => add(acc, x), start);
}

function mapFilter(value: unknown, args: unknown[], host: FilterHost): PyIterable {
  const { pos, kw } = splitArgs(args);
  let fn: Getter;
  if (pos.length === 0 && 'attribute' in kw) {
    const extra = Object.keys(kw).find((k) => k !== 'attribute' && k !== 'default');
    if (extra) throw new TemplateRuntimeError(`Unexpected keyword argument '${extra}'`);
    fn = attrGetter(kw.attribute, undefined, kw.default ?? null);
  } else {
    const [name, ...rest] = args;
    if (typeof name !== 'string') throw new TemplateRuntimeError('map requires a filter argument');
    fn = (item) => host.callFilter(name, item, rest);
  }
  return new PyIterable(truthy(value) ? iterate(value).map(fn) : [], 'generator');
}

function selectOrReject(
  value: unknown,
  args: unknown[],
  host: FilterHost,
  keep: boolean,
  byAttr: boolean,
): PyIterable {
  if (!truthy(value)) return new PyIterable([], 'generator');
  const [attr, ...testArgs] = byAttr ? args : [null, ...args];
  if (byAttr && attr === undefined)
    throw new TemplateRuntimeError('Missing parameter for attribute name');
  const trans = byAttr ? attrGetter(attr) : (x: unknown): unknown => x;
  const [name, ...rest] = testArgs;
  const test = (x: unknown): boolean =>
    typeof name === 'string' ? host.callTest(name, x, rest) : truthy(x);
  return new PyIterable(
    iterate(value).filter((item) => test(trans(item)) === keep),
    'generator',
  );
}

function groupby(value: unknown, args: unknown[]): unknown[] {
  const [attribute, dflt, caseSensitive] = bindArgs('groupby', GROUPBY_PARAMS, args);
  const cs = truthy(caseSensitive);
  const key = attrGetter(attribute, cs ? undefined : ignoreCase, dflt);
  const sorted = sortBy([...iterate(value)], key, false);
  const groups: Array<{ k: unknown; items: unknown[] }> = [];
  for (const item of sorted) {
    const k = key(item);
    const lastGroup = groups[groups.length - 1];
    if (lastGroup && pyEq(lastGroup.k, k)) lastGroup.items.push(item);
    else groups.push({ k, items: [item] });
  }
  const output = attrGetter(attribute, undefined, dflt);
  return groups.map((g) => groupTuple(cs ? g.k : output(g.items[0]), g.items));
}

function items(value: unknown): PyIterable {
  if (value instanceof Undefined) return new PyIterable([], 'generator');
  if (!isDict(value)) throw new TemplateRuntimeError('Can only get item pairs from a mapping.');
  return new PyIterable(
    orderedKeys(value).map((k) => tuple([k, value[k]])),
    'generator',
  );
}

function chunks(value: unknown, args: unknown[], fn: 'batch' | 'slice'): PyIterable {
  const [count, fill] = bindArgs(
    fn,
    [
      [fn === 'batch' ? 'linecount' : 'slices', REQUIRED],
      ['fill_with', null],
    ],
    args,
  );
  const seq = iterate(value);
  const n = Number(count);
  const out: unknown[][] = [];
  if (fn === 'batch') {
    for (let i = 0; i < seq.length; i += n) out.push(seq.slice(i, i + n));
    const tail = out[out.length - 1];
    if (tail && fill !== null) while (tail.length < n) tail.push(fill);
    return new PyIterable(out, 'generator');
  }
  const per = Math.floor(seq.length / n);
  const extra = seq.length % n;
  let offset = 0;
  for (let i = 0; i < n; i++) {
    const start = offset + i * per;
    if (i < extra) offset += 1;
    const part = seq.slice(start, offset + (i + 1) * per);
    if (fill !== null && i >= extra) part.push(fill);
    out.push(part);
  }
  return new PyIterable(out, 'generator');
}

function reverse(value: unknown): unknown {
  if (isStr(value)) return Array.from(strValue(value)).reverse().join('');
  if (value instanceof PyIterable && !value.reusable) return value.take().reverse();
  return new PyIterable([...iterate(value)].reverse(), 'reversed');
}

function attr(value: unknown, args: unknown[]): unknown {
  const [name] = bindArgs('attr', ATTR_PARAMS, args);
  if (
    isDict(value) &&
    !['items', 'keys', 'values', 'get', 'update', 'copy'].includes(String(name))
  ) {
    return new Undefined(`attr(${String(name)})`);
  }
  return lookup(value, name, 'value', true);
}

/** The collection filters, by Jinja name. */
export const SEQUENCE_FILTERS: Readonly<Record<string, FilterImpl>> = {
  length: (v) => pyLen(v),
  count: (v) => pyLen(v),
  first: (v) => first(v),
  last: (v) => last(v),
  list: (v) => [...iterate(v)],
  join: (v, a) => join(v, a),
  sort: (v, a) => sort(v, a),
  dictsort: (v, a) => dictsort(v, a),
  unique: (v, a) => unique(v, a),
  min: (v, a) => minMax(v, a, -1, 'min'),
  max: (v, a) => minMax(v, a, 1, 'max'),
  sum: (v, a) => sum(v, a),
  map: (v, a, h) => mapFilter(v, a, h),
  select: (v, a, h) => selectOrReject(v, a, h, true, false),
  reject: (v, a, h) => selectOrReject(v, a, h, false, false),
  selectattr: (v, a, h) => selectOrReject(v, a, h, true, true),
  rejectattr: (v, a, h) => selectOrReject(v, a, h, false, true),
  groupby: (v, a) => groupby(v, a),
  items: (v) => items(v),
  batch: (v, a) => chunks(v, a, 'batch'),
  slice: (v, a) => chunks(v, a, 'slice'),
  reverse: (v) => reverse(v),
  attr: (v, a) => attr(v, a),
};
