/**
 * Jinja's `tojson`: `htmlsafe_json_dumps`, i.e. Python's `json.dumps(value, sort_keys=True)`
 * (ASCII-only output, `", "` and `": "` separators, Python float repr) with `<`, `>`, `&` and `'`
 * escaped as `\u003c`... so the JSON is safe inside HTML and YAML alike. `JSON.stringify` differs
 * in separators, key order, non-ASCII handling and `1.0`, so this is written out in full.
 */
import { TemplateRuntimeError } from './render-error.js';
import { floatRepr, intStr } from './py-repr.js';
import { Markup, PyFloat, PyIterable, Undefined, isDict, typeName } from './py-values.js';

/** Printable ASCII other than `"` and `\`: written as is. */
const JSON_PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const HTML_UNSAFE = /[<>&']/;

function jsonString(s: string): string {
  if (JSON_PLAIN.test(s)) return `"${s}"`;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] ?? '';
    const code = s.charCodeAt(i);
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out + '"';
}

function jsonFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  return floatRepr(n);
}

function scalar(v: unknown): string | undefined {
  if (v === null) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'number') return Number.isInteger(v) ? intStr(v) : jsonFloat(v);
  if (v instanceof PyFloat) return jsonFloat(v.value);
  if (typeof v === 'string') return jsonString(v);
  if (v instanceof Markup) return jsonString(v.value);
  return undefined;
}

function dumps(v: unknown, indent: string | null, level: number): string {
  const s = scalar(v);
  if (s !== undefined) return s;
  if (v instanceof Undefined) throw v.error();
  let entries: string[];
  let open: string;
  let close: string;
  if (Array.isArray(v)) {
    entries = v.map((item) => dumps(item, indent, level + 1));
    [open, close] = ['[', ']'];
  } else if (isDict(v)) {
    const keys = Object.keys(v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    entries = keys.map((k) => `${jsonString(k)}: ${dumps(v[k], indent, level + 1)}`);
    [open, close] = ['{', '}'];
  } else {
    const kind = v instanceof PyIterable ? v.kind : typeName(v);
    throw new TemplateRuntimeError(`Object of type ${kind} is not JSON serializable`);
  }
  if (entries.length === 0) return open + close;
  if (indent === null) return open + entries.join(', ') + close;
  const inner = '\n' + indent.repeat(level + 1);
  return open + inner + entries.join(',' + inner) + '\n' + indent.repeat(level) + close;
}

/** `value | tojson(indent)` exactly as Jinja 3.1 renders it. */
export function toJson(value: unknown, indent: unknown = null): Markup {
  let ind: string | null = null;
  if (typeof indent === 'number') ind = ' '.repeat(Math.max(0, indent));
  else if (typeof indent === 'string') ind = indent;
  const json = dumps(value, ind, 0);
  if (!HTML_UNSAFE.test(json)) return new Markup(json);
  const text = json
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/'/g, '\\u0027');
  return new Markup(text);
}
