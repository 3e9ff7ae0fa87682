/**
 * The value model of the Jinja compatibility layer. Templates see JSON-like data, but Jinja runs
 * on Python values, whose printing, truthiness and arithmetic differ from JavaScript's. These
 * small classes carry the distinctions JavaScript lacks (int vs float, tuple vs list, Undefined,
 * generators) so the rest of the layer can reproduce Python's behaviour exactly.
 */
import { TemplateRuntimeError } from './render-error.js';

/**
 * A Python float whose value happens to be integral (`1.0`). JavaScript has one number type, so
 * `1.0` and `1` are the same number; Python prints them differently. Non-integral JS numbers,
 * NaN and the infinities are already unambiguous floats and need no box.
 */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** Wraps `n` as a Python float: boxed when integral, a plain number otherwise. */
export function pyFloat(n: number): number | PyFloat {
  return Number.isInteger(n) ? new PyFloat(n) : n;
}

/**
 * Jinja's Undefined: what a lookup of a missing name or key yields. Strict instances (Proton's
 * behaviour) fail as soon as they are printed, iterated, compared or tested for truth; `is defined`
 * and `| default` can still inspect them. Lenient ones mimic the plain `Undefined` Jinja uses for
 * an inline `if` without `else`, which prints as an empty string.
 */
export class Undefined {
  constructor(
    readonly name: string,
    readonly strict = true,
    private readonly explanation?: string,
  ) {}

  /** The error raised when a strict Undefined is used. */
  error(): TemplateRuntimeError {
    return new TemplateRuntimeError(this.explanation ?? `${this.name} is undefined`);
  }
}

/** Markupsafe's `Markup`: a string `| safe`, `| tojson` or `| escape` already made safe. */
export class Markup {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** The kinds of Python iterables that are not lists: each prints and behaves differently. */
export type IterKind =
  'generator' | 'reversed' | 'dict_keys' | 'dict_values' | 'dict_items' | 'range';

/**
 * A Python iterable that is not a list: a generator (from `map`, `select`, `unique`...), a
 * reversed iterator, a dict view or a range. Generators and iterators can be consumed only once
 * and have no length, exactly as in Python, so a template that iterates one twice gets the same
 * (empty) second pass it got under Proton.
 */
export class PyIterable {
  private consumed = false;

  constructor(
    private readonly items: readonly unknown[],
    readonly kind: IterKind,
    readonly reprText?: string,
  ) {}

  /** True for kinds Python can iterate more than once and measure with `len()`. */
  get reusable(): boolean {
    return this.kind !== 'generator' && this.kind !== 'reversed';
  }

  /** The items, consuming a one-shot iterator. */
  take(): unknown[] {
    if (this.reusable) return [...this.items];
    if (this.consumed) return [];
    this.consumed = true;
    return [...this.items];
  }

  /** The items without consuming (for length checks on reusable kinds). */
  peekLength(): number {
    return this.items.length;
  }
}

/** What a `loop` object shares across the iterations of one loop (`loop.changed` memory). */
export interface LoopState {
  changed?: unknown[];
}

/** Renders a recursive loop's body over `items` one level deeper (`loop(children)`). */
export type LoopRecursion = (items: unknown[], depth: number) => string;

/** Jinja's `loop` object inside `{% for %}`. */
export class LoopContext {
  readonly index: number;
  readonly index0: number;
  readonly revindex: number;
  readonly revindex0: number;
  readonly first: boolean;
  readonly last: boolean;
  readonly length: number;
  readonly depth: number;
  readonly depth0: number;
  readonly previtem: unknown;
  readonly nextitem: unknown;
  readonly cycle: (...args: unknown[]) => unknown;
  readonly changed: (...args: unknown[]) => boolean;

  constructor(
    items: readonly unknown[],
    i: number,
    state: LoopState = {},
    readonly recurse?: LoopRecursion,
    depth = 1,
  ) {
    const n = items.length;
    this.index = i + 1;
    this.index0 = i;
    this.revindex = n - i;
    this.revindex0 = n - i - 1;
    this.first = i === 0;
    this.last = i === n - 1;
    this.length = n;
    this.depth = depth;
    this.depth0 = depth - 1;
    this.previtem =
      i > 0 ? items[i - 1] : new Undefined('loop.previtem', true, 'there is no previous item');
    this.nextitem =
      i < n - 1 ? items[i + 1] : new Undefined('loop.nextitem', true, 'there is no next item');
    this.cycle = (...args: unknown[]) => {
      if (args.length === 0) throw new TemplateRuntimeError('no items for cycling given');
      return args[i % args.length];
    };
    this.changed = (...args: unknown[]) => {
      const last = state.changed;
      if (last && last.length === args.length && args.every((a, k) => sameValue(a, last[k]))) {
        return false;
      }
      state.changed = args;
      return true;
    };
  }
}

/** Equality for `loop.changed` (set by py-ops to Python's `==`, avoiding an import cycle). */
let sameValue: (a: unknown, b: unknown) => boolean = Object.is;

/** Installs Python's `==` for {@link LoopContext.changed}. */
export function setLoopEquality(eq: (a: unknown, b: unknown) => boolean): void {
  sameValue = eq;
}

/**
 * Jinja's `namespace()`: an object whose attributes `{% set ns.x = … %}` may assign from inside
 * loops and blocks.
 */
export class Namespace {
  readonly attrs: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
}

/** Jinja's `cycler(*items)`: `.next()`, `.current`, `.reset()`. */
export class Cycler {
  private pos = 0;
  constructor(readonly items: readonly unknown[]) {}
  get current(): unknown {
    return this.items[this.pos];
  }
  next(): unknown {
    const v = this.current;
    this.pos = (this.pos + 1) % this.items.length;
    return v;
  }
  reset(): null {
    this.pos = 0;
    return null;
  }
}

// Tuples and groupby's group tuples are arrays carrying a symbol-keyed mark. A WeakSet kept the
// arrays' shape untouched, but every insert is an ephemeron-table write the garbage collector
// must trace again, which cost more than the extra hidden class (profiled: dictsort and sort
// build one tuple per item). Copies (`[...t]`, `slice`, `map`) never carry the mark, as Python's
// `list(t)` is a list.
const TUPLE: unique symbol = Symbol('pyTuple');
const GROUP: unique symbol = Symbol('pyGroupTuple');

type Marked = unknown[] & { [TUPLE]?: true; [GROUP]?: true };

/** Marks an array as a Python tuple (prints `(1, 2)`, never equal to a list). */
export function tuple<T extends unknown[]>(items: T): T {
  (items as Marked)[TUPLE] = true;
  return items;
}

/** True when `v` is an array marked as a tuple. */
export function isTuple(v: unknown): boolean {
  return Array.isArray(v) && (v as Marked)[TUPLE] === true;
}

/** `groupby`'s `_GroupTuple(grouper, list)`: a tuple that also has `.grouper` and `.list`. */
export function groupTuple(grouper: unknown, list: unknown[]): unknown[] {
  const t = [grouper, list] as Marked;
  t[TUPLE] = true;
  t[GROUP] = true;
  return t;
}

/** True for tuples produced by `groupby`. */
export function isGroupTuple(v: unknown): v is unknown[] {
  return Array.isArray(v) && (v as Marked)[GROUP] === true;
}

/** A plain JSON-like object: Python's dict. */
export function isDict(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Sets a dict key. A key named `__proto__` (legal in JSON and in Jinja) must become an own
 * property rather than replace the object's prototype.
 */
export function setItem(dict: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(dict, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    dict[key] = value;
  }
}

function isIndexKey(k: string): boolean {
  const c = k.charCodeAt(0);
  return c >= 48 && c <= 57 && /^(?:0|[1-9]\d{0,9})$/.test(k) && Number(k) < 4294967295;
}

/**
 * A dict's keys in iteration order. JavaScript objects list integer-like keys (`"80"`, `"443"`)
 * first and in numeric order, whatever order the data had; Python keeps insertion order. When a
 * dict with several keys has such keys its original order is unknowable here, so iterating or
 * printing it fails instead of silently reordering (`| dictsort` gives a defined order).
 */
export function orderedKeys(d: Record<string, unknown>): string[] {
  const keys = Object.keys(d);
  if (keys.length > 1 && keys.some(isIndexKey)) {
    throw new TemplateRuntimeError(
      `cannot iterate a dict with numeric keys (${keys.filter(isIndexKey).slice(0, 3).join(', ')}) in its original order; use \`| dictsort\``,
    );
  }
  return keys;
}

/** Python's `str`, including Markup. */
export function isStr(v: unknown): v is string | Markup {
  return typeof v === 'string' || v instanceof Markup;
}

/** Unwraps Markup; any other value must already be a string. */
export function strValue(v: string | Markup): string {
  return typeof v === 'string' ? v : v.value;
}

/** Python numbers (bool is an int subclass in Python). */
export function isNum(v: unknown): v is number | boolean | PyFloat {
  return typeof v === 'number' || typeof v === 'boolean' || v instanceof PyFloat;
}

/** The numeric value of a Python number. */
export function numValue(v: number | boolean | PyFloat): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v.value;
}

/** True when `v` is a Python float. */
export function isFloat(v: unknown): boolean {
  return v instanceof PyFloat || (typeof v === 'number' && !Number.isInteger(v));
}

/** True when `v` is a Python int (not a bool). */
export function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

/** Python's type name of a value, for error messages that read like Python's. */
export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (v instanceof PyFloat) return 'float';
  if (isStr(v)) return 'str';
  if (Array.isArray(v)) return isTuple(v) ? 'tuple' : 'list';
  if (isDict(v)) return 'dict';
  if (v instanceof PyIterable) return v.kind;
  if (v instanceof Undefined) return 'Undefined';
  if (v instanceof LoopContext) return 'LoopContext';
  if (v instanceof Namespace) return 'Namespace';
  if (v instanceof Cycler) return 'Cycler';
  if (typeof v === 'function') return 'function';
  return 'object';
}

/** Throws when a strict Undefined is used where Jinja's StrictUndefined would raise. */
export function checkDefined(v: unknown): void {
  if (v instanceof Undefined && v.strict) throw v.error();
}
