/**
 * Python semantics for the operators a template can use: truthiness, iteration, `len()`,
 * comparison, `in`, and arithmetic with Python's int/float rules. JavaScript's operators of the
 * same spelling disagree with Python on empty lists (`[]` is falsy in Python),
 * `'1' == 1`, `1 + '1'`, `-7 % 3`, `4 / 2` (Python prints `2.0`) and more.
 */
import { TemplateRuntimeError } from './render-error.js';
import { percentFormat } from './py-format.js';
import {
  LoopContext,
  type LoopRecursion,
  type LoopState,
  setLoopEquality,
  Markup,
  PyFloat,
  PyIterable,
  Undefined,
  checkDefined,
  isDict,
  isFloat,
  isNum,
  isStr,
  isTuple,
  numValue,
  orderedKeys,
  pyFloat,
  strValue,
  tuple,
  typeName,
} from './py-values.js';

/** Python's `bool(v)`. */
export function truthy(v: unknown): boolean {
  if (v instanceof Undefined) {
    if (v.strict) throw v.error();
    return false;
  }
  if (v === null || v === undefined || v === false) return false;
  if (v === true) return true;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof PyFloat) return v.value !== 0;
  if (v instanceof Markup) return v.value.length > 0;
  if (isDict(v)) return Object.keys(v).length > 0;
  if (v instanceof PyIterable) return v.reusable ? v.peekLength() > 0 : true;
  return true;
}

/** Python's `iter(v)`, materialised: dicts yield keys, strings yield characters. */
export function iterate(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return Array.from(v);
  if (isDict(v)) return orderedKeys(v);
  if (v instanceof PyIterable) return v.take();
  if (v instanceof Markup) return Array.from(v.value);
  if (v instanceof Undefined) {
    if (v.strict) throw v.error();
    return [];
  }
  throw new TemplateRuntimeError(`'${typeName(v)}' object is not iterable`);
}

/** Python's `len(v)`. */
export function pyLen(v: unknown): number {
  if (Array.isArray(v)) return v.length;
  if (isStr(v)) return codePointLength(strValue(v));
  if (isDict(v)) return Object.keys(v).length;
  if (v instanceof PyIterable && v.reusable) return v.peekLength();
  if (v instanceof Undefined) {
    if (v.strict) throw v.error();
    return 0;
  }
  throw new TemplateRuntimeError(`object of type '${typeName(v)}' has no len()`);
}

/** Length in code points, as Python counts a str. */
export function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

/** Python's `a == b` for template values. */
export function pyEq(a: unknown, b: unknown): boolean {
  checkDefined(a);
  checkDefined(b);
  if (isNum(a) && isNum(b)) return numValue(a) === numValue(b);
  if (isStr(a) && isStr(b)) return strValue(a) === strValue(b);
  if (a === null || a === undefined || b === null || b === undefined) return a == b;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (isTuple(a) !== isTuple(b) || a.length !== b.length) return false;
    return a.every((item, i) => pyEq(item, b[i]));
  }
  if (isDict(a) && isDict(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((k) => Object.prototype.hasOwnProperty.call(b, k) && pyEq(a[k], b[k]));
  }
  if (a instanceof Undefined && b instanceof Undefined) return true;
  return a === b;
}

/** Python's three-way ordering for `<`, `>`, `sort` and friends; throws on mixed types. */
export function pyCompare(a: unknown, b: unknown, op = '<'): number {
  checkDefined(a);
  checkDefined(b);
  if (isNum(a) && isNum(b)) {
    const x = numValue(a);
    const y = numValue(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (isStr(a) && isStr(b)) {
    const x = strValue(a);
    const y = strValue(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (Array.isArray(a) && Array.isArray(b) && isTuple(a) === isTuple(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (!pyEq(a[i], b[i])) return pyCompare(a[i], b[i], op);
    }
    return a.length - b.length;
  }
  throw new TemplateRuntimeError(
    `'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`,
  );
}

/** One comparison operator of a (possibly chained) Jinja comparison. */
export function compareOp(a: unknown, op: string, b: unknown): boolean {
  switch (op) {
    case '==':
      return pyEq(a, b);
    case '!=':
      return !pyEq(a, b);
    case '<':
      return pyCompare(a, b, op) < 0;
    case '>':
      return pyCompare(a, b, op) > 0;
    case '<=':
      return pyCompare(a, b, op) <= 0;
    case '>=':
      return pyCompare(a, b, op) >= 0;
    default:
      throw new TemplateRuntimeError(`unsupported comparison operator ${op}`);
  }
}

/** Python's `item in container`. */
export function contains(container: unknown, item: unknown): boolean {
  checkDefined(container);
  // A list compares the item with each element, so an undefined item fails only when there is
  // an element to compare it with (`missing in []` is False in Jinja2 too).
  if (Array.isArray(container) || container instanceof PyIterable) {
    const items = Array.isArray(container) ? container : container.take();
    if (items.length > 0) checkDefined(item);
    return items.some((x) => pyEq(x, item));
  }
  checkDefined(item);
  if (isStr(container)) {
    if (!isStr(item)) {
      throw new TemplateRuntimeError(
        `'in <string>' requires string as left operand, not ${typeName(item)}`,
      );
    }
    return strValue(container).includes(strValue(item));
  }
  if (isDict(container)) {
    return isStr(item) && Object.prototype.hasOwnProperty.call(container, strValue(item));
  }
  throw new TemplateRuntimeError(`argument of type '${typeName(container)}' is not iterable`);
}

function numResult(n: number, float: boolean): number | PyFloat {
  // Python ints have no negative zero (`-3 * 0` is `0`).
  return float ? pyFloat(n) : n === 0 ? 0 : n;
}

function binaryTypeError(op: string, a: unknown, b: unknown): TemplateRuntimeError {
  return new TemplateRuntimeError(
    `unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`,
    'TypeError',
  );
}

function bothNums(op: string, a: unknown, b: unknown): [number, number, boolean] {
  checkDefined(a);
  checkDefined(b);
  if (!isNum(a) || !isNum(b)) throw binaryTypeError(op, a, b);
  return [numValue(a), numValue(b), isFloat(a) || isFloat(b)];
}

/** Python's `a + b`: numbers add, strings and same-kind sequences concatenate. */
export function add(a: unknown, b: unknown): unknown {
  checkDefined(a);
  checkDefined(b);
  if (isNum(a) && isNum(b)) return numResult(numValue(a) + numValue(b), isFloat(a) || isFloat(b));
  if (a instanceof Markup && isStr(b)) return new Markup(a.value + escapeIfPlain(b));
  if (typeof a === 'string' && b instanceof Markup) return new Markup(escapeHtml(a) + b.value);
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  if (Array.isArray(a) && Array.isArray(b) && isTuple(a) === isTuple(b)) {
    const joined: unknown[] = [...(a as unknown[]), ...(b as unknown[])];
    return isTuple(a) ? tuple(joined) : joined;
  }
  throw isStr(a)
    ? new TemplateRuntimeError(
        `can only concatenate str (not "${typeName(b)}") to str; use ~`,
        'TypeError',
      )
    : binaryTypeError('+', a, b);
}

/** Python's `a - b`. */
export function sub(a: unknown, b: unknown): number | PyFloat {
  const [x, y, f] = bothNums('-', a, b);
  return numResult(x - y, f);
}

function repeat(seq: unknown, times: number): unknown {
  const n = Math.max(0, times);
  if (isStr(seq)) return strValue(seq).repeat(n);
  const arr = seq as unknown[];
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) out.push(...arr);
  return isTuple(arr) ? tuple(out) : out;
}

function isIntLike(v: unknown): v is number | boolean {
  return typeof v === 'boolean' || (typeof v === 'number' && Number.isInteger(v));
}

/** Python's `a * b`, including `'-' * 10` and `[x] * 3`. */
export function mul(a: unknown, b: unknown): unknown {
  checkDefined(a);
  checkDefined(b);
  if ((isStr(a) || Array.isArray(a)) && isIntLike(b)) return repeat(a, numValue(b));
  if ((isStr(b) || Array.isArray(b)) && isIntLike(a)) return repeat(b, numValue(a));
  const [x, y, f] = bothNums('*', a, b);
  return numResult(x * y, f);
}

function zeroDivision(y: number, what: string): void {
  if (y === 0) throw new TemplateRuntimeError(what);
}

/** Python's true division: always a float. */
export function div(a: unknown, b: unknown): number | PyFloat {
  const [x, y] = bothNums('/', a, b);
  zeroDivision(y, 'division by zero');
  return pyFloat(x / y);
}

/** Python's `a // b`: floors, int when both are ints. */
export function floorDiv(a: unknown, b: unknown): number | PyFloat {
  const [x, y, f] = bothNums('//', a, b);
  zeroDivision(y, 'integer division or modulo by zero');
  return numResult(Math.floor(x / y), f);
}

/** Python's `a % b`: printf-style formatting for a str, else the numeric modulo (sign follows the divisor). */
export function mod(a: unknown, b: unknown): number | PyFloat | string {
  if (isStr(a)) {
    checkDefined(b);
    if (Array.isArray(b) && isTuple(b)) return percentFormat(strValue(a), b);
    return percentFormat(strValue(a), [b], isDict(b) ? b : undefined);
  }
  const [x, y, f] = bothNums('%', a, b);
  zeroDivision(y, 'integer division or modulo by zero');
  const r = x - y * Math.floor(x / y);
  return numResult(r, f);
}

/** Python's `a ** b`. */
export function pow(a: unknown, b: unknown): number | PyFloat {
  const [x, y, f] = bothNums('**', a, b);
  return numResult(Math.pow(x, y), f || y < 0);
}

/** Python's unary minus and plus. */
export function neg(a: unknown): number | PyFloat {
  checkDefined(a);
  if (!isNum(a)) throw new TemplateRuntimeError(`bad operand type for unary -: '${typeName(a)}'`);
  return numResult(-numValue(a), isFloat(a));
}

/** Python's unary plus. */
export function pos(a: unknown): number | PyFloat {
  checkDefined(a);
  if (!isNum(a)) throw new TemplateRuntimeError(`bad operand type for unary +: '${typeName(a)}'`);
  return numResult(numValue(a), isFloat(a));
}

/** Markupsafe's escape of plain text. */
export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/>/g, '&gt;')
    .replace(/</g, '&lt;')
    .replace(/'/g, '&#39;')
    .replace(/"/g, '&#34;');
}

function escapeIfPlain(v: string | Markup): string {
  return v instanceof Markup ? v.value : escapeHtml(v);
}

/** Python's tuple unpacking in `{% for a, b in ... %}`. */
export function unpack(v: unknown, n: number): unknown[] {
  const items = iterate(v);
  if (items.length > n) {
    throw new TemplateRuntimeError(`too many values to unpack (expected ${n})`);
  }
  if (items.length < n) {
    throw new TemplateRuntimeError(
      `not enough values to unpack (expected ${n}, got ${items.length})`,
    );
  }
  return items;
}

/** Makes a `loop` object for iteration `i` (exported for the compiled code). */
export function loopContext(
  items: readonly unknown[],
  i: number,
  state?: LoopState,
  recurse?: LoopRecursion,
  depth?: number,
): LoopContext {
  return new LoopContext(items, i, state, recurse, depth);
}

setLoopEquality(pyEq);
