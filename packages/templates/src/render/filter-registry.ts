/**
 * The filters and tests a template may use: Jinja 3.1's built-ins (minus the few that cannot be
 * made identical) plus Proton's four. The lint checks names against this list before rendering,
 * and the compiled template calls through it at render time.
 */
import { TemplateRuntimeError } from './render-error.js';
import { bindArgs, rejectUndefined, type ParamList } from './filter-args.js';
import { STRING_FILTERS, type FilterHost, type FilterImpl } from './jinja-filters.js';
import { SEQUENCE_FILTERS } from './jinja-filters-seq.js';
import { MORE_FILTERS } from './jinja-filters-more.js';
import { UNDEFINED_SAFE_TESTS, jinjaTests, unknownTest, type TestImpl } from './jinja-tests.js';
import { PROTON_FILTERS } from './proton-filters.js';
import { truthy } from './py-ops.js';
import { Undefined } from './py-values.js';

// Parameter lists of the filters/methods below, built once (a literal at the call would be
// allocated again on every call).
const DEFAULT_PARAMS: ParamList = [
  ['default_value', ''],
  ['boolean', false],
];

/** Filters Jinja has that Nucleon refuses, with the reason shown by the lint. */
export const UNSUPPORTED_FILTERS: Readonly<Record<string, string>> = {
  random: 'its output is random, so it cannot render identically; pick the value in an input',
  urlize: 'it produces HTML links; not useful in infrastructure templates',
  wordwrap: "Python's textwrap rules are not reproduced; wrap the text in the input",
};

const defaultFilter: FilterImpl = (value, args) => {
  const [dflt, boolean] = bindArgs('default', DEFAULT_PARAMS, args);
  if (value instanceof Undefined) return dflt;
  if (truthy(boolean) && !truthy(value)) return dflt;
  return value;
};

const FILTER_IMPLS: Readonly<Record<string, FilterImpl>> = {
  ...STRING_FILTERS,
  ...SEQUENCE_FILTERS,
  ...MORE_FILTERS,
  ...PROTON_FILTERS,
  default: defaultFilter,
  d: defaultFilter,
};

/** Names of every filter a template may use. */
export const FILTER_NAMES: ReadonlySet<string> = new Set(Object.keys(FILTER_IMPLS));

/** A filter as the compiled template calls it: `this` is the render context. */
export type CompiledFilter = (this: FilterHost, value: unknown, ...args: unknown[]) => unknown;

function wrapFilter(name: string, impl: FilterImpl): CompiledFilter {
  if (name === 'default' || name === 'd') {
    return function (this: FilterHost, value, ...args) {
      return impl(value, args, this);
    };
  }
  const checkValue = name !== 'items';
  return function (this: FilterHost, value, ...args) {
    if (checkValue && value instanceof Undefined && value.strict) throw value.error();
    if (args.length > 0) rejectUndefined(args);
    return impl(value, args, this);
  };
}

const TEST_IMPLS: Readonly<Record<string, TestImpl>> = jinjaTests({
  filters: FILTER_NAMES,
  get tests(): ReadonlySet<string> {
    return TEST_NAMES;
  },
});

/** Names of every test a template may use. */
export const TEST_NAMES: ReadonlySet<string> = new Set(Object.keys(TEST_IMPLS));

const COMPILED_FILTERS = new Map<string, CompiledFilter>(
  Object.entries(FILTER_IMPLS).map(([name, impl]) => [name, wrapFilter(name, impl)]),
);

/** The compiled-template view of one filter; throws Jinja's error for unknown names. */
export function getFilter(name: string): CompiledFilter {
  const f = COMPILED_FILTERS.get(name);
  if (!f) throw new TemplateRuntimeError(`No filter named '${name}'.`);
  return f;
}

/** Runs test `name` on `value`; strict Undefined fails except in the inspecting tests. */
export function runTest(name: string, value: unknown, args: unknown[]): boolean {
  const impl = TEST_IMPLS[name];
  if (!impl) throw unknownTest(name);
  if (!UNDEFINED_SAFE_TESTS.has(name)) rejectUndefined([value]);
  rejectUndefined(args);
  return impl(value, args);
}
