/**
 * Jinja 3.1's tests (`x is defined`, `x is number`, `x is divisibleby(3)`...). `defined`,
 * `undefined`, `none` and the type tests inspect a strict Undefined without failing, as Jinja's
 * do; every other test uses the value and so fails on an Undefined, as Jinja's do.
 */
import { TemplateRuntimeError } from './render-error.js';
import { bindArgs, type ParamList } from './filter-args.js';
import { contains, mod, pyCompare, pyEq } from './py-ops.js';
import {
  LoopContext,
  Markup,
  PyIterable,
  Undefined,
  isDict,
  isFloat,
  isInt,
  isNum,
  isStr,
  strValue,
} from './py-values.js';

// Parameter lists of the filters/methods below, built once (a literal at the call would be
// allocated again on every call).
const DIVISIBLEBY_PARAMS: ParamList = [['num', null]];
const OTHER_PARAMS: ParamList = [['other', null]];

/** A test implementation: value and raw call arguments. */
export type TestImpl = (value: unknown, args: unknown[]) => boolean;

function one(name: string, args: unknown[]): unknown {
  return bindArgs(name, OTHER_PARAMS, args)[0];
}

function isLower(v: unknown): boolean {
  const s = isStr(v) ? strValue(v) : String(v);
  return /\p{Ll}/u.test(s) && !/\p{Lu}|\p{Lt}/u.test(s);
}

function isUpper(v: unknown): boolean {
  const s = isStr(v) ? strValue(v) : String(v);
  return /\p{Lu}/u.test(s) && !/\p{Ll}|\p{Lt}/u.test(s);
}

function isIterable(v: unknown): boolean {
  return isStr(v) || Array.isArray(v) || isDict(v) || v instanceof PyIterable;
}

/** Tests that may inspect a strict Undefined without failing. */
export const UNDEFINED_SAFE_TESTS: ReadonlySet<string> = new Set([
  'defined',
  'undefined',
  'none',
  'boolean',
  'false',
  'true',
  'integer',
  'float',
  'number',
  'string',
  'mapping',
  'callable',
  'sameas',
  'sequence',
]);

/** Jinja's tests, by name (aliases included). */
export function jinjaTests(known: {
  filters: ReadonlySet<string>;
  tests: ReadonlySet<string>;
}): Record<string, TestImpl> {
  const eq: TestImpl = (v, a) => pyEq(v, one('eq', a));
  const ne: TestImpl = (v, a) => !pyEq(v, one('ne', a));
  const lt: TestImpl = (v, a) => pyCompare(v, one('lt', a), '<') < 0;
  const le: TestImpl = (v, a) => pyCompare(v, one('le', a), '<=') <= 0;
  const gt: TestImpl = (v, a) => pyCompare(v, one('gt', a), '>') > 0;
  const ge: TestImpl = (v, a) => pyCompare(v, one('ge', a), '>=') >= 0;
  return {
    defined: (v) => !(v instanceof Undefined) && v !== undefined,
    undefined: (v) => v instanceof Undefined || v === undefined,
    none: (v) => v === null,
    boolean: (v) => typeof v === 'boolean',
    false: (v) => v === false,
    true: (v) => v === true,
    integer: (v) => isInt(v),
    float: (v) => isFloat(v),
    number: (v) => isNum(v),
    string: (v) => isStr(v),
    mapping: (v) => isDict(v),
    callable: (v) => typeof v === 'function',
    sameas: (v, a) => v === one('sameas', a) || (v === null && one('sameas', a) === null),
    escaped: (v) => v instanceof Markup,
    iterable: (v) => isIterable(v) || v instanceof LoopContext,
    sequence: (v) =>
      isStr(v) || Array.isArray(v) || isDict(v) || (v instanceof PyIterable && v.reusable),
    filter: (v) => isStr(v) && known.filters.has(strValue(v)),
    test: (v) => isStr(v) && known.tests.has(strValue(v)),
    odd: (v) => pyEq(mod(v, 2), 1),
    even: (v) => pyEq(mod(v, 2), 0),
    divisibleby: (v, a) => pyEq(mod(v, bindArgs('divisibleby', DIVISIBLEBY_PARAMS, a)[0]), 0),
    lower: (v) => isLower(v),
    upper: (v) => isUpper(v),
    in: (v, a) => contains(one('in', a), v),
    '==': eq,
    eq,
    equalto: eq,
    '!=': ne,
    ne,
    '<': lt,
    lt,
    lessthan: lt,
    '<=': le,
    le,
    '>': gt,
    gt,
    greaterthan: gt,
    '>=': ge,
    ge,
  };
}

/** Raised when a template names a test that does not exist. */
export function unknownTest(name: string): TemplateRuntimeError {
  return new TemplateRuntimeError(`No test named '${name}'.`);
}
