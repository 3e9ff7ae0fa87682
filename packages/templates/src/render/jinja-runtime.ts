/**
 * The runtime a compiled template calls into (`rt.*` in the generated code), and the per-render
 * context object. It is passed to each compiled template explicitly.
 * @internal
 */
import { TemplateRuntimeError } from './render-error.js';
import { getFilter, runTest } from './filter-registry.js';
import type { FilterHost } from './jinja-filters.js';
import {
  escapeHtml,
  add,
  compareOp,
  contains,
  div,
  floorDiv,
  iterate,
  loopContext,
  mod,
  mul,
  neg,
  pos,
  pow,
  sub,
  truthy,
  unpack,
} from './py-ops.js';
import { lookup as pyLookup, lookupKey, slice } from './py-lookup.js';
import { pyStr } from './py-repr.js';
import {
  Markup,
  Cycler,
  LoopContext,
  type LoopRecursion,
  type LoopState,
  Namespace,
  PyFloat,
  PyIterable,
  Undefined,
  isDict,
  checkDefined,
  isStr,
  orderedKeys,
  setItem,
  strValue,
  tuple,
  typeName,
} from './py-values.js';
import { REQUIRED, bindArgs, isKeywordArgs, splitArgs, type ParamList } from './filter-args.js';

// Parameter lists of the filters/methods below, built once (a literal at the call would be
// allocated again on every call).
const LOOP_PARAMS: ParamList = [['iterable', REQUIRED]];
const JOINER_PARAMS: ParamList = [['sep', ', ']];

/** A runtime failure tagged with the 1-based template line that was executing. */
export class LocatedFailure extends Error {
  constructor(
    readonly original: unknown,
    readonly line: number,
  ) {
    super(original instanceof Error ? original.message : String(original));
    this.name = 'LocatedFailure';
  }
}

const MAX_RANGE = 1_000_000;

/** Limits of one render, counted as it runs. */
export interface RenderBudget {
  /** Loop iterations (every `{% for %}` pass, nested loops included). */
  maxSteps: number;
  /** Characters written by `{{ … }}` expressions. */
  maxOutputChars: number;
}

/** A render ran past its {@link RenderBudget}; `limit` says which. */
export class RenderBudgetExceeded extends TemplateRuntimeError {
  constructor(
    readonly limit: 'steps' | 'output',
    message: string,
  ) {
    super(message);
    this.name = 'RenderBudgetExceeded';
  }
}

/** The running render's budget (renders are synchronous, so one at a time per thread). */
let spent: { steps: number; output: number; limits: RenderBudget } | undefined;

/** Runs `render` counting against `limits` (none when undefined). */
export function withRenderBudget<T>(limits: RenderBudget | undefined, render: () => T): T {
  const saved = spent;
  spent = limits ? { steps: 0, output: 0, limits } : undefined;
  try {
    return render();
  } finally {
    spent = saved;
  }
}

function step(
  items: readonly unknown[],
  i: number,
  state?: LoopState,
  recurse?: LoopRecursion,
  depth?: number,
): ReturnType<typeof loopContext> {
  tick();
  return loopContext(items, i, state, recurse, depth);
}

/** Counts one loop iteration against the budget (loops whose body never names `loop`). */
function tick(): void {
  if (spent && ++spent.steps > spent.limits.maxSteps) {
    throw new RenderBudgetExceeded(
      'steps',
      `render step budget exceeded: the template ran more than ${spent.limits.maxSteps} loop iterations`,
    );
  }
}

function output(value: unknown): string {
  const text = pyStr(value);
  if (spent && (spent.output += text.length) > spent.limits.maxOutputChars) {
    throw new RenderBudgetExceeded(
      'output',
      `render output budget exceeded: the template wrote more than ${spent.limits.maxOutputChars} characters`,
    );
  }
  return text;
}

function range(...raw: unknown[]): PyIterable {
  const args = raw.map((a) => Number(a));
  const [start, stop, step] =
    args.length === 1 ? [0, args[0] ?? 0, 1] : [args[0] ?? 0, args[1] ?? 0, args[2] ?? 1];
  if (step === 0) throw new TemplateRuntimeError('range() arg 3 must not be zero');
  if (![start, stop, step].every(Number.isInteger)) {
    throw new TemplateRuntimeError('range() arguments must be integers');
  }
  const count = Math.max(0, Math.ceil((stop - start) / step));
  if (count > MAX_RANGE) throw new TemplateRuntimeError(`range() of ${count} items is too large`);
  const items = Array.from({ length: count }, (_, k) => start + k * step);
  const text = step === 1 ? `range(${start}, ${stop})` : `range(${start}, ${stop}, ${step})`;
  return new PyIterable(items, 'range', text);
}

function dict(...raw: unknown[]): Record<string, unknown> {
  const { pos: positional, kw } = splitArgs(raw);
  const out: Record<string, unknown> = {};
  const [base] = positional;
  if (isDict(base)) for (const [k, v] of Object.entries(base)) setItem(out, k, v);
  else if (base !== undefined) {
    for (const pair of iterate(base)) {
      const [k, v] = unpack(pair, 2);
      setItem(out, pyStr(k), v);
    }
  }
  for (const [k, v] of Object.entries(kw)) setItem(out, k, v);
  return out;
}

/** Jinja's `namespace(mapping?, **attrs)`. */
function namespace(...raw: unknown[]): Namespace {
  const ns = new Namespace();
  const init = dict(...raw);
  for (const k of orderedKeys(init)) ns.attrs[k] = init[k];
  return ns;
}

/** Jinja's `cycler(*items)`. */
function cycler(...raw: unknown[]): Cycler {
  const { pos: items, kw } = splitArgs(raw);
  if (Object.keys(kw).length > 0) {
    throw new TemplateRuntimeError('cycler() got an unexpected keyword argument', 'TypeError');
  }
  if (items.length === 0) {
    throw new TemplateRuntimeError('at least one item has to be provided', 'RuntimeError');
  }
  return new Cycler(items);
}

/** Jinja's `joiner(sep=', ')`: '' on the first call, `sep` after. */
function joiner(...raw: unknown[]): () => string {
  const [sep] = bindArgs('joiner', JOINER_PARAMS, raw);
  let used = false;
  return () => {
    if (!used) {
      used = true;
      return '';
    }
    return pyStr(sep);
  };
}

/** `{% set ns.attr = value %}`. */
function nsSet(target: unknown, attr: string, value: unknown): void {
  if (!(target instanceof Namespace)) {
    checkDefined(target);
    throw new TemplateRuntimeError('cannot assign attribute on non-namespace object');
  }
  target.attrs[attr] = value;
}

/** Functions available to every template by name, as Jinja's default globals. */
const GLOBALS: Readonly<Record<string, unknown>> = { range, dict, namespace, cycler, joiner };

/** Names of the globals, for the lint. */
export const GLOBAL_NAMES: ReadonlySet<string> = new Set(Object.keys(GLOBALS));

/** The per-render context the compiled code receives as `context`. */
export class RenderContext implements FilterHost {
  readonly yamlBlocks: string[] = [];

  constructor(readonly ctx: Record<string, unknown>) {}

  /** A top-level name: render data first, then globals, else Undefined. */
  lookupName(name: string): unknown {
    if (Object.prototype.hasOwnProperty.call(this.ctx, name)) {
      const v = this.ctx[name];
      return v === undefined ? new Undefined(name) : v;
    }
    if (Object.prototype.hasOwnProperty.call(GLOBALS, name)) return GLOBALS[name];
    return new Undefined(name);
  }

  /** A top-level `set`: the name lives in the render's data from then on. */
  setVariable(name: string, value: unknown): void {
    setItem(this.ctx, name, value);
  }

  callFilter(name: string, value: unknown, args: unknown[]): unknown {
    return getFilter(name).call(this, value, ...args);
  }

  callTest(name: string, value: unknown, args: unknown[]): boolean {
    return runTest(name, value, args);
  }
}

function call(fn: unknown, name: string, context: unknown, args: unknown[]): unknown {
  if (fn instanceof Undefined) throw fn.error();
  if (fn instanceof LoopContext) {
    if (!fn.recurse) {
      throw new TemplateRuntimeError(
        "Tried to call non recursive loop. Maybe you forgot the 'recursive' modifier.",
        'TypeError',
      );
    }
    const [items] = bindArgs('loop', LOOP_PARAMS, args);
    return fn.recurse(iterate(items), fn.depth + 1);
  }
  if (typeof fn !== 'function') {
    throw new TemplateRuntimeError(`'${typeName(fn)}' object is not callable (${name})`);
  }
  return (fn as (...a: unknown[]) => unknown).apply(context, args);
}

function concat(a: unknown, b: unknown): string {
  return pyStr(a) + pyStr(b);
}

function buildDict(pairs: Array<[unknown, unknown]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of pairs) {
    if (k instanceof Undefined) throw k.error();
    if (!isStr(k)) {
      throw new TemplateRuntimeError(
        `dict keys must be strings in Nucleon templates (got ${typeName(k)}); quote the key`,
      );
    }
    setItem(out, strValue(k), v);
  }
  return out;
}

type MacroBody = (...args: unknown[]) => unknown;

/** `varargs` of a call without extra positional arguments (an empty tuple cannot change). */
const NO_VARARGS: unknown[] = tuple([]);
/** `caller` of a macro not called from a call block. */
const NO_CALLER = new Undefined('caller', true, 'No caller defined');

/** A macro argument the caller did not pass. */
const MISSING: unique symbol = Symbol('missing');

/**
 * A Jinja macro: binds positional and keyword arguments to `names` as Jinja2 does, collects the
 * extra ones in `varargs`/`kwargs` when the body reads them (and refuses them otherwise), and
 * passes a call block's `caller`.
 */
function macro(
  name: string,
  names: string[],
  catchVarargs: boolean,
  catchKwargs: boolean,
  body: (...args: unknown[]) => string,
): MacroBody {
  return function jinjaMacro(...args: unknown[]): string {
    // The common call: positional arguments only, no more than the macro names.
    if (args.length <= names.length && !isKeywordArgs(args[args.length - 1])) {
      const values = new Array<unknown>(names.length);
      for (let i = 0; i < names.length; i++) values[i] = i < args.length ? args[i] : MISSING;
      return body(...values, NO_VARARGS, {}, NO_CALLER);
    }
    const { pos, kw } = splitArgs(args);
    const values: unknown[] = names.map((_n, i) => (i < pos.length ? pos[i] : MISSING));
    const extra = pos.slice(names.length);
    if (extra.length > 0 && !catchVarargs) {
      throw new TemplateRuntimeError(
        `macro '${name}' takes not more than ${names.length} argument(s)`,
        'TypeError',
      );
    }
    let caller: unknown = new Undefined('caller', true, 'No caller defined');
    const extraKw: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(kw)) {
      const idx = names.indexOf(k);
      if (idx >= 0) {
        if (idx < pos.length) {
          throw new TemplateRuntimeError(
            `macro '${name}' got multiple values for argument '${k}'`,
            'TypeError',
          );
        }
        values[idx] = v;
      } else if (k === 'caller') {
        caller = v;
      } else if (catchKwargs) {
        setItem(extraKw, k, v);
      } else {
        throw new TemplateRuntimeError(
          `macro '${name}' takes no keyword argument '${k}'`,
          'TypeError',
        );
      }
    }
    return body(...values, tuple(extra), extraKw, caller);
  };
}

function compareAny(a: unknown, op: string, b: unknown): boolean {
  if (op === 'in') return contains(b, a);
  if (op === 'notin') return !contains(b, a);
  return compareOp(a, op, b);
}

function compareChain(values: Array<() => unknown>, ops: string[]): boolean {
  let left = values[0]?.();
  for (let k = 0; k < ops.length; k++) {
    const right = values[k + 1]?.();
    if (!compareAny(left, ops[k] ?? '==', right)) return false;
    left = right;
  }
  return true;
}

/** The runtime the compiled templates of our own compiler call (`rt.*`). */
export const rt = {
  name: (context: RenderContext, name: string): unknown => context.lookupName(name),
  setVar: (context: RenderContext, name: string, value: unknown): void =>
    context.setVariable(name, value),
  located: (e: unknown, line: number): LocatedFailure =>
    e instanceof LocatedFailure ? e : new LocatedFailure(e, line),
  MISSING,
  missingParam: (name: string) => new Undefined(name, true, `parameter '${name}' was not provided`),
  macro,
  compare: compareAny,
  compareChain,
  undefLenient: () => new Undefined('inline if', false),
  getattr: pyLookup,
  attr: lookupKey,
  isDict,
  slice,
  nsSet,
  output,
  outputEscaped: (value: unknown): string =>
    value instanceof Markup ? output(value) : output(escapeHtml(pyStr(value))),
  truthy,
  or: (a: unknown, b: () => unknown): unknown => (truthy(a) ? a : b()),
  and: (a: unknown, b: () => unknown): unknown => (truthy(a) ? b() : a),
  test: runTest,
  filter: getFilter,
  add,
  sub,
  mul,
  div,
  floorDiv,
  mod,
  pow,
  neg,
  pos,
  concat,
  dict: buildDict,
  tuple: (items: unknown[]) => tuple(items),
  float: (n: number) => new PyFloat(n),
  iterate,
  unpack,
  loop: step,
  tick,
  call,
};

/** The type of {@link rt}. */
export type Rt = typeof rt;
