/**
 * Python-style argument binding for filters, tests and methods. Compiled templates pass keyword
 * arguments (`truncate(29, killwords=true)`) as a trailing object flagged `__keywords`; Jinja
 * binds them by parameter name and rejects unknown ones. This module does the same so a filter
 * call that Jinja would refuse is refused here too, instead of silently ignoring an argument.
 */
import { TemplateRuntimeError } from './render-error.js';
import { Undefined } from './py-values.js';

/** Marks a parameter without a default. */
export const REQUIRED: unique symbol = Symbol('required');

/** `[name, default]` pairs in positional order. */
export type ParamList = ReadonlyArray<readonly [string, unknown]>;

/** Positional and keyword arguments of one call. */
export interface SplitArgs {
  pos: unknown[];
  kw: Record<string, unknown>;
}

/** True for the trailing keyword-argument object of a call. */
export function isKeywordArgs(v: unknown): v is Record<string, unknown> {
  return (
    typeof v === 'object' && v !== null && Object.prototype.hasOwnProperty.call(v, '__keywords')
  );
}

/** Separates the trailing keyword-argument object from the positional arguments. */
export function splitArgs(args: readonly unknown[]): SplitArgs {
  const last = args[args.length - 1];
  if (!isKeywordArgs(last)) return { pos: [...args], kw: {} };
  const kw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(last)) if (k !== '__keywords') kw[k] = v;
  return { pos: args.slice(0, -1), kw };
}

/** Binds a call's arguments to `params` the way Python would; returns values in param order. */
export function bindArgs(fn: string, params: ParamList, args: readonly unknown[]): unknown[] {
  // Fast path, the common call: positional arguments only, no more than the parameters.
  if (args.length <= params.length && !isKeywordArgs(args[args.length - 1])) {
    const values = new Array<unknown>(params.length);
    for (let i = 0; i < params.length; i++) {
      if (i < args.length) values[i] = args[i];
      else {
        const dflt = params[i]![1];
        if (dflt === REQUIRED)
          throw new TemplateRuntimeError(`${fn}() missing required argument '${params[i]![0]}'`);
        values[i] = dflt;
      }
    }
    return values;
  }
  const { pos, kw } = splitArgs(args);
  if (pos.length > params.length) {
    throw new TemplateRuntimeError(
      `${fn}() takes at most ${params.length} argument(s) (${pos.length} given)`,
    );
  }
  const values = params.map(([name, dflt], i) => {
    if (i < pos.length) {
      if (Object.prototype.hasOwnProperty.call(kw, name)) {
        throw new TemplateRuntimeError(`${fn}() got multiple values for argument '${name}'`);
      }
      return pos[i];
    }
    if (Object.prototype.hasOwnProperty.call(kw, name)) return kw[name];
    if (dflt === REQUIRED)
      throw new TemplateRuntimeError(`${fn}() missing required argument '${name}'`);
    return dflt;
  });
  for (const name of Object.keys(kw)) {
    if (!params.some(([p]) => p === name)) {
      throw new TemplateRuntimeError(`${fn}() got an unexpected keyword argument '${name}'`);
    }
  }
  return values;
}

/** Throws the first strict Undefined among `values` (Jinja raises as soon as a filter uses one). */
export function rejectUndefined(values: readonly unknown[]): void {
  for (const v of values) {
    if (v instanceof Undefined && v.strict) throw v.error();
    if (isKeywordArgs(v)) rejectUndefined(Object.values(v));
  }
}
