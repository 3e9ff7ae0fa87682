/**
 * The remaining Jinja2 3.1 filters that infrastructure templates occasionally use:
 * `filesizeformat`, `forceescape`, `striptags`, `xmlattr` and `pprint`, each as Jinja2 computes
 * it. (`random` stays refused — its output cannot be reproduced — as do `wordwrap` and `urlize`,
 * whose Python algorithms are not ported.)
 */
import { TemplateRuntimeError } from './render-error.js';
import { bindArgs, type ParamList } from './filter-args.js';
import type { FilterImpl } from './jinja-filters.js';
import { toFixedPy } from './py-decimal.js';
import { escapeHtml, truthy } from './py-ops.js';
import { pyRepr, pyStr, strRepr } from './py-repr.js';
import {
  Markup,
  PyFloat,
  Undefined,
  isDict,
  isNum,
  isStr,
  isTuple,
  numValue,
  orderedKeys,
  strValue,
  typeName,
} from './py-values.js';

// Parameter lists of the filters/methods below, built once (a literal at the call would be
// allocated again on every call).
const XMLATTR_PARAMS: ParamList = [['autospace', true]];
const FILESIZEFORMAT_PARAMS: ParamList = [['binary', false]];

function filesizeformat(value: unknown, args: unknown[]): string {
  const [binary] = bindArgs('filesizeformat', FILESIZEFORMAT_PARAMS, args);
  let bytes: number;
  if (isNum(value)) bytes = numValue(value);
  else if (isStr(value) && strValue(value).trim() !== '' && !Number.isNaN(Number(value))) {
    bytes = Number(strValue(value));
  } else {
    throw new TemplateRuntimeError(
      `could not convert ${typeName(value)} to float: ${pyRepr(value)}`,
      'ValueError',
    );
  }
  const bin = truthy(binary);
  const base = bin ? 1024 : 1000;
  const prefixes = bin
    ? ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB']
    : ['kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
  if (bytes === 1) return '1 Byte';
  if (bytes < base) return `${Math.trunc(bytes)} Bytes`;
  let unit = base;
  let prefix = prefixes[0] ?? '';
  for (let i = 0; i < prefixes.length; i++) {
    unit = base ** (i + 2);
    prefix = prefixes[i] ?? '';
    if (bytes < unit) break;
  }
  return `${toFixedPy((base * bytes) / unit, 1)} ${prefix}`;
}

const ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
};

function unescapeHtml(s: string): string {
  return s.replace(/&(#\d+|#[xX][0-9a-fA-F]+|[a-zA-Z]+);/g, (m, body: string) => {
    if (body.startsWith('#x') || body.startsWith('#X')) {
      return String.fromCodePoint(parseInt(body.slice(2), 16));
    }
    if (body.startsWith('#')) return String.fromCodePoint(parseInt(body.slice(1), 10));
    const named = ENTITIES[body];
    if (named === undefined) {
      throw new TemplateRuntimeError(
        `striptags: the HTML entity ${m} is not reproduced; keep HTML out of inputs`,
      );
    }
    return named;
  });
}

const PY_SPACE = /[\s\x1c-\x1f\x85]+/u;

function striptags(value: unknown): string {
  const text = (isStr(value) ? strValue(value) : pyStr(value))
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<[\s\S]*?>/g, '');
  return unescapeHtml(
    text
      .split(PY_SPACE)
      .filter((w) => w !== '')
      .join(' '),
  );
}

const BAD_ATTR = /[\s/>=]/;

function xmlattr(value: unknown, args: unknown[]): Markup {
  const [autospace] = bindArgs('xmlattr', XMLATTR_PARAMS, args);
  if (!isDict(value))
    throw new TemplateRuntimeError(
      `'${typeName(value)}' object has no attribute 'items'`,
      'AttributeError',
    );
  const parts: string[] = [];
  for (const key of orderedKeys(value)) {
    const v = value[key];
    if (v === null || v instanceof Undefined) continue;
    if (BAD_ATTR.test(key)) {
      throw new TemplateRuntimeError(
        `Invalid character in attribute name: ${strRepr(key)}`,
        'ValueError',
      );
    }
    const text = v instanceof Markup ? v.value : escapeHtml(pyStr(v));
    parts.push(`${escapeHtml(key)}="${text}"`);
  }
  const out = parts.join(' ');
  return new Markup(out !== '' && truthy(autospace) ? ` ${out}` : out);
}

/** Python's `pprint.pformat(value)` (width 80, dicts sorted by key). */
function pformat(v: unknown, indent: number, allowance: number): string {
  const flat = flatRepr(v);
  if (flat.length <= 80 - indent - allowance) return flat;
  if (isDict(v)) {
    const keys = orderedKeys(v).sort();
    if (keys.length === 0) return flat;
    const lines = keys.map((k, i) => {
      const head = `${strRepr(k)}: `;
      const last = i === keys.length - 1;
      return head + pformat(v[k], indent + 1 + head.length, last ? allowance + 1 : 1);
    });
    return `{${lines.join(`,\n${' '.repeat(indent + 1)}`)}}`;
  }
  if (Array.isArray(v) && v.length > 0) {
    const [open, close] = isTuple(v) ? ['(', ')'] : ['[', ']'];
    const lines = v.map((item, i) =>
      pformat(item, indent + 1, i === v.length - 1 ? allowance + 1 : 1),
    );
    const trailer = isTuple(v) && v.length === 1 ? ',' : '';
    return `${open}${lines.join(`,\n${' '.repeat(indent + 1)}`)}${trailer}${close}`;
  }
  if (isStr(v) && flat.length > 80 - indent - allowance) {
    throw new TemplateRuntimeError(
      "pprint: Python's splitting of long strings is not reproduced; use `| tojson`",
    );
  }
  return flat;
}

function flatRepr(v: unknown): string {
  if (isDict(v)) {
    const keys = orderedKeys(v).sort();
    return `{${keys.map((k) => `${strRepr(k)}: ${flatRepr(v[k])}`).join(', ')}}`;
  }
  if (Array.isArray(v)) {
    const inner = v.map(flatRepr).join(', ');
    if (!isTuple(v)) return `[${inner}]`;
    return v.length === 1 ? `(${inner},)` : `(${inner})`;
  }
  if (v instanceof PyFloat || typeof v === 'number') return pyRepr(v);
  return pyRepr(v);
}

/** The filters of this module, by Jinja name. */
export const MORE_FILTERS: Readonly<Record<string, FilterImpl>> = {
  filesizeformat: (v, a) => filesizeformat(v, a),
  forceescape: (v) => new Markup(escapeHtml(isStr(v) ? strValue(v) : pyStr(v))),
  striptags: (v) => striptags(v),
  xmlattr: (v, a) => xmlattr(v, a),
  pprint: (v) => pformat(v, 0, 0),
};
