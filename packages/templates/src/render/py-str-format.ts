/**
 * Python's `str.format()` (`'{}-{name}'.format(a, name=b)`): replacement fields with automatic
 * or manual numbering, keyword fields, `.attr`/`[key]` access, `!r`/`!s`/`!a` conversions, nested
 * `{}` in the spec, and the format-spec mini-language (`[[fill]align][sign][#][0][width][,_]
 * [.precision][type]`) for str, int, bool and float, with Python's errors.
 */
import { TemplateRuntimeError } from './render-error.js';
import { toExponentialPy, toFixedPy, toGeneralPy } from './py-decimal.js';
import { floatRepr, pyRepr, pyStr } from './py-repr.js';
import { PyFloat, Undefined, isDict, isStr, strValue, typeName } from './py-values.js';

const valueError = (m: string): TemplateRuntimeError => new TemplateRuntimeError(m, 'ValueError');

interface Cursor {
  auto: number;
  mode: 'auto' | 'manual' | undefined;
}

function resolveField(
  name: string,
  pos: readonly unknown[],
  kw: Record<string, unknown>,
  cur: Cursor,
): unknown {
  const m = /^([^.[]*)(.*)$/s.exec(name);
  const head = m?.[1] ?? '';
  let rest = m?.[2] ?? '';
  let value: unknown;
  if (head === '' || /^\d+$/.test(head)) {
    const mode = head === '' ? 'auto' : 'manual';
    if (cur.mode && cur.mode !== mode) {
      throw valueError(
        mode === 'auto'
          ? 'cannot switch from manual field specification to automatic field numbering'
          : 'cannot switch from automatic field numbering to manual field specification',
      );
    }
    cur.mode = mode;
    const idx = head === '' ? cur.auto++ : Number(head);
    if (idx >= pos.length) {
      throw new TemplateRuntimeError(
        `Replacement index ${idx} out of range for positional args tuple`,
        'IndexError',
      );
    }
    value = pos[idx];
  } else {
    if (!Object.prototype.hasOwnProperty.call(kw, head)) {
      throw new TemplateRuntimeError(`'${head}'`, 'KeyError');
    }
    value = kw[head];
  }
  while (rest !== '') {
    const attr = /^\.([^.[]+)/.exec(rest);
    if (attr) {
      throw new TemplateRuntimeError(
        `'${typeName(value)}' object has no attribute '${attr[1] ?? ''}'`,
        'AttributeError',
      );
    }
    const item = /^\[([^\]]+)\]/.exec(rest);
    if (!item) throw valueError("Only '.' or '[' may follow ']' in format field specifier");
    const key = item[1] ?? '';
    rest = rest.slice(item[0].length);
    value = getItem(value, /^\d+$/.test(key) ? Number(key) : key);
  }
  return value;
}

function getItem(value: unknown, key: string | number): unknown {
  if (Array.isArray(value) && typeof key === 'number') {
    if (key >= value.length) {
      throw new TemplateRuntimeError(`${typeName(value)} index out of range`, 'IndexError');
    }
    return value[key];
  }
  if (isDict(value) && Object.prototype.hasOwnProperty.call(value, String(key))) {
    return value[String(key)];
  }
  if (isDict(value)) {
    throw new TemplateRuntimeError(typeof key === 'number' ? String(key) : `'${key}'`, 'KeyError');
  }
  throw new TemplateRuntimeError(`'${typeName(value)}' object is not subscriptable`, 'TypeError');
}

const SPEC = /^(?:(.)?([<>=^]))?([-+ ])?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([a-zA-Z%])?$/su;

function group(intDigits: string, sep: string, every: number): string {
  let out = '';
  for (let i = intDigits.length; i > 0; i -= every) {
    const chunk = intDigits.slice(Math.max(0, i - every), i);
    out = out === '' ? chunk : `${chunk}${sep}${out}`;
  }
  return out;
}

function formatNumber(
  x: number,
  isFloatValue: boolean,
  type: string,
  prec: number | undefined,
  alt: boolean,
  sep: string,
): { body: string; negative: boolean } {
  const negative = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  let body: string;
  let grouping = 3;
  switch (type) {
    case 'b':
    case 'o':
    case 'x':
    case 'X':
    case 'c':
    case 'd':
    case 'n': {
      if (isFloatValue) {
        throw valueError(`Unknown format code '${type}' for object of type 'float'`);
      }
      if (type === 'c') return { body: String.fromCodePoint(x), negative: false };
      const radix = { b: 2, o: 8, x: 16, X: 16, d: 10, n: 10 }[type] ?? 10;
      body = BigInt(a).toString(radix);
      if (type === 'X') body = body.toUpperCase();
      if (radix !== 10) grouping = 4;
      const prefix = alt && radix !== 10 ? `0${type === 'X' ? 'X' : type}` : '';
      if (sep) body = group(body, sep, grouping);
      return { body: prefix + body, negative };
    }
    case '':
      if (!isFloatValue) {
        body = BigInt(a).toString();
        return { body: sep ? group(body, sep, 3) : body, negative };
      }
      body = prec === undefined ? floatRepr(a) : toGeneralPy(a, prec, alt);
      if (prec !== undefined && /^\d+$/.test(body)) body += '.0';
      break;
    case 'f':
    case 'F':
    case '%': {
      const v = type === '%' ? a * 100 : a;
      body = Number.isFinite(v) ? toFixedPy(v, prec ?? 6) : v === Infinity ? 'inf' : 'nan';
      if (type === 'F') body = body.toUpperCase();
      if (alt && !body.includes('.')) body += '.';
      if (type === '%') body += '%';
      break;
    }
    case 'e':
    case 'E':
      body = toExponentialPy(a, prec ?? 6, type === 'E');
      break;
    case 'g':
    case 'G':
      body = toGeneralPy(a, prec ?? 6, alt, type === 'G');
      break;
    default:
      throw valueError(
        `Unknown format code '${type}' for object of type '${isFloatValue ? 'float' : 'int'}'`,
      );
  }
  if (sep) {
    const m = /^(\d+)(.*)$/s.exec(body);
    if (m) body = group(m[1] ?? '', sep, 3) + (m[2] ?? '');
  }
  return { body, negative };
}

function pad(text: string, fill: string, align: string, width: number, signLen = 0): string {
  const len = Array.from(text).length;
  if (len >= width) return text;
  const n = width - len;
  if (align === '<') return text + fill.repeat(n);
  if (align === '>') return fill.repeat(n) + text;
  if (align === '^') {
    const left = Math.floor(n / 2);
    return fill.repeat(left) + text + fill.repeat(n - left);
  }
  return text.slice(0, signLen) + fill.repeat(n) + text.slice(signLen);
}

/** Python's `format(value, spec)` for the value types templates carry. */
export function formatValue(value: unknown, spec: string): string {
  if (value instanceof Undefined && value.strict) throw value.error();
  if (spec === '') return pyStr(value);
  const m = SPEC.exec(spec);
  if (!m) throw valueError('Invalid format specifier');
  const [, fillRaw, alignRaw, sign, alt, zero, widthText, sep, precText, typeRaw] = m;
  const type = typeRaw ?? '';
  const width = widthText === undefined ? 0 : Number(widthText);
  const prec = precText === undefined ? undefined : Number(precText);
  let fill = fillRaw ?? ' ';
  let align = alignRaw;
  if (zero && align === undefined) {
    fill = fillRaw ?? '0';
    align = '=';
  }
  if (isStr(value)) {
    if (type !== '' && type !== 's') {
      throw valueError(`Unknown format code '${type}' for object of type 'str'`);
    }
    if (sign) throw valueError('Sign not allowed in string format specifier');
    if (alt) throw valueError('Alternate form (#) not allowed in string format specifier');
    if (align === '=') throw valueError("'=' alignment not allowed in string format specifier");
    if (sep) throw valueError(`Cannot specify '${sep}' with 's'.`);
    let text = strValue(value);
    if (prec !== undefined) text = Array.from(text).slice(0, prec).join('');
    return pad(text, fill, align ?? '<', width);
  }
  const num =
    typeof value === 'number' ? value : typeof value === 'boolean' ? Number(value) : undefined;
  const isFloatValue =
    value instanceof PyFloat || (typeof value === 'number' && !Number.isInteger(value));
  const x = value instanceof PyFloat ? value.value : num;
  if (x === undefined) {
    throw new TemplateRuntimeError(
      `unsupported format string passed to ${typeName(value)}.__format__`,
      'TypeError',
    );
  }
  if (type === 's') {
    throw valueError(
      `Unknown format code 's' for object of type '${isFloatValue ? 'float' : typeName(value)}'`,
    );
  }
  if (!isFloatValue && prec !== undefined && 'bcdoxXn'.includes(type)) {
    throw valueError('Precision not allowed in integer format specifier');
  }
  const asFloat = isFloatValue || 'eEfFgG%'.includes(type === '' ? 'none' : type);
  const { body, negative } = formatNumber(x, asFloat, type, prec, alt !== undefined, sep ?? '');
  const signText = negative ? '-' : sign === '+' ? '+' : sign === ' ' ? ' ' : '';
  return pad(signText + body, fill, align ?? '>', width, signText.length);
}

function convert(value: unknown, conv: string | undefined): unknown {
  if (conv === undefined) return value;
  if (conv === 'r' || conv === 'a') return pyRepr(value);
  if (conv === 's') return pyStr(value);
  throw valueError(`Unknown conversion specifier ${conv}`);
}

/** Python's `template.format(*pos, **kw)`. */
export function strFormat(
  template: string,
  pos: readonly unknown[],
  kw: Record<string, unknown>,
): string {
  const cur: Cursor = { auto: 0, mode: undefined };
  return formatWith(template, pos, kw, cur, 2);
}

function formatWith(
  template: string,
  pos: readonly unknown[],
  kw: Record<string, unknown>,
  cur: Cursor,
  depth: number,
): string {
  if (depth < 0) throw valueError('Max string recursion exceeded');
  let out = '';
  let i = 0;
  while (i < template.length) {
    const c = template[i] ?? '';
    if (c === '}') {
      if (template[i + 1] !== '}') throw valueError("Single '}' encountered in format string");
      out += '}';
      i += 2;
      continue;
    }
    if (c !== '{') {
      out += c;
      i++;
      continue;
    }
    if (template[i + 1] === '{') {
      out += '{';
      i += 2;
      continue;
    }
    let level = 1;
    let j = i + 1;
    while (j < template.length && level > 0) {
      if (template[j] === '{') level++;
      else if (template[j] === '}') level--;
      if (level > 0) j++;
    }
    if (level > 0) throw valueError("expected '}' before end of string");
    const field = template.slice(i + 1, j);
    i = j + 1;
    const fm = /^([^!:]*)(?:!([^:]*))?(?::(.*))?$/s.exec(field);
    if (!fm) throw valueError('Invalid format string');
    const [, name = '', conv, rawSpec] = fm;
    if (conv !== undefined && conv.length !== 1) {
      throw valueError("expected ':' after conversion specifier");
    }
    const value = convert(resolveField(name, pos, kw, cur), conv);
    const spec = rawSpec === undefined ? '' : formatWith(rawSpec, pos, kw, cur, depth - 1);
    out += formatValue(value, spec);
  }
  return out;
}
