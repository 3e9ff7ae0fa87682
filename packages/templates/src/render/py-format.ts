/**
 * Python's printf-style `%` formatting, which Jinja's `format` filter applies
 * (`'%s-%05d' | format(name, n)` is `soft_str(value) % args`). Supports mapping keys, the
 * `#0- +` flags, width, precision and the conversions `s r a d i u o x X e E f F g G c %`.
 */
import { TemplateRuntimeError } from './render-error.js';
import { toExponentialPy, toFixedPy, toGeneralPy } from './py-decimal.js';
import { pyRepr, pyStr } from './py-repr.js';
import { isDict, isFloat, isNum, isStr, numValue, strValue, typeName } from './py-values.js';

interface Spec {
  key: string | undefined;
  flags: string;
  width: number | undefined;
  prec: number | undefined;
  conv: string;
}

const SPEC = /%(?:\(([^)]*)\))?([#0\- +]*)(\*|\d+)?(?:\.(\*|\d*))?[hlL]?([a-zA-Z%])?/y;

function needNumber(conv: string, v: unknown): number {
  if (!isNum(v)) {
    throw new TemplateRuntimeError(
      `%${conv} format: a real number is required, not ${typeName(v)}`,
    );
  }
  return numValue(v);
}

function signed(body: string, negative: boolean, flags: string): string {
  if (negative) return `-${body}`;
  if (flags.includes('+')) return `+${body}`;
  if (flags.includes(' ')) return ` ${body}`;
  return body;
}

function formatInt(spec: Spec, v: unknown): string {
  const { conv, flags } = spec;
  if (conv !== 'd' && conv !== 'i' && conv !== 'u' && isFloat(v)) {
    throw new TemplateRuntimeError(`%${conv} format: an integer is required, not float`);
  }
  const n = Math.trunc(needNumber(conv, v));
  const abs = BigInt(Math.abs(n));
  let body: string;
  if (conv === 'x' || conv === 'X') body = abs.toString(16);
  else if (conv === 'o') body = abs.toString(8);
  else body = abs.toString();
  if (spec.prec !== undefined) body = body.padStart(spec.prec, '0');
  if (flags.includes('#') && conv === 'o') body = `0o${body}`;
  if (flags.includes('#') && (conv === 'x' || conv === 'X')) body = `0x${body}`;
  if (conv === 'X') body = body.toUpperCase();
  return signed(body, n < 0, flags);
}

function formatFloat(spec: Spec, v: unknown): string {
  const { conv, flags } = spec;
  const x = needNumber(conv, v);
  const upper = conv === conv.toUpperCase();
  if (!Number.isFinite(x)) {
    const word = Number.isNaN(x) ? 'nan' : 'inf';
    return signed(upper ? word.toUpperCase() : word, x < 0, flags);
  }
  const prec = spec.prec ?? 6;
  const abs = Math.abs(x);
  let body: string;
  const lower = conv.toLowerCase();
  if (lower === 'f') body = toFixedPy(abs, prec);
  else if (lower === 'e') body = toExponentialPy(abs, prec, upper);
  else body = toGeneralPy(abs, prec, flags.includes('#'), upper);
  if (flags.includes('#') && !body.includes('.') && lower !== 'g') body += '.';
  return signed(body, x < 0 || Object.is(x, -0), flags);
}

function formatChar(v: unknown): string {
  if (isStr(v) && Array.from(strValue(v)).length === 1) return strValue(v);
  if (typeof v === 'number' && Number.isInteger(v)) return String.fromCodePoint(v);
  throw new TemplateRuntimeError('%c requires int or char');
}

function convert(spec: Spec, v: unknown): string {
  switch (spec.conv) {
    case 's': {
      const s = pyStr(v);
      return spec.prec === undefined ? s : Array.from(s).slice(0, spec.prec).join('');
    }
    case 'r':
    case 'a': {
      const s = pyRepr(v);
      return spec.prec === undefined ? s : Array.from(s).slice(0, spec.prec).join('');
    }
    case 'c':
      return formatChar(v);
    case 'd':
    case 'i':
    case 'u':
    case 'o':
    case 'x':
    case 'X':
      return formatInt(spec, v);
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G':
      return formatFloat(spec, v);
    default:
      throw new TemplateRuntimeError(`unsupported format character '${spec.conv}'`);
  }
}

function pad(spec: Spec, text: string): string {
  const width = spec.width ?? 0;
  if (text.length >= width) return text;
  const len = Array.from(text).length;
  if (len >= width) return text;
  if (spec.flags.includes('-')) return text + ' '.repeat(width - len);
  const numeric = !'srac'.includes(spec.conv);
  if (spec.flags.includes('0') && numeric) {
    const m = /^([-+ ]?(?:0[xXo])?)(.*)$/.exec(text);
    const head = m?.[1] ?? '';
    return head + '0'.repeat(width - len) + (m?.[2] ?? text);
  }
  return ' '.repeat(width - len) + text;
}

class ArgCursor {
  private i = 0;
  constructor(
    private readonly args: readonly unknown[],
    private readonly mapping: unknown,
  ) {}

  next(key: string | undefined): unknown {
    if (key !== undefined) {
      if (!isDict(this.mapping)) throw new TemplateRuntimeError('format requires a mapping');
      if (!Object.prototype.hasOwnProperty.call(this.mapping, key)) {
        throw new TemplateRuntimeError(`KeyError: '${key}'`);
      }
      return this.mapping[key];
    }
    if (this.mapping !== undefined) return this.mapping;
    if (this.i >= this.args.length) {
      throw new TemplateRuntimeError('not enough arguments for format string');
    }
    return this.args[this.i++];
  }

  checkAllUsed(): void {
    if (this.mapping === undefined && this.i < this.args.length) {
      throw new TemplateRuntimeError('not all arguments converted during string formatting');
    }
  }
}

function star(v: string | undefined, cursor: ArgCursor): number | undefined {
  if (v === undefined || v === '') return v === '' ? 0 : undefined;
  if (v === '*') return Number(cursor.next(undefined));
  return Number(v);
}

/**
 * `format % args` (positional) or `format % mapping` (keyword), with Python's errors for
 * missing or surplus arguments.
 */
export function percentFormat(format: string, args: readonly unknown[], mapping?: unknown): string {
  const cursor = new ArgCursor(args, mapping);
  let out = '';
  let last = 0;
  for (let at = format.indexOf('%'); at >= 0; at = format.indexOf('%', last)) {
    out += format.slice(last, at);
    SPEC.lastIndex = at;
    const m = SPEC.exec(format);
    if (!m?.[5]) throw new TemplateRuntimeError('incomplete format');
    last = SPEC.lastIndex;
    if (m[5] === '%') {
      out += '%';
      continue;
    }
    const width = star(m[3], cursor);
    const prec = star(m[4], cursor);
    const spec: Spec = { key: m[1], flags: m[2] ?? '', width, prec, conv: m[5] };
    out += pad(spec, convert(spec, cursor.next(spec.key)));
  }
  cursor.checkAllUsed();
  return out + format.slice(last);
}
