/**
 * AWS Proton's four template filters (spec §5.2). Three of them emit multi-line YAML fragments
 * that must line up under the column where the `{{` sits, but a filter cannot know its column.
 * So they return a placeholder, and {@link reindentBlocks} replaces each placeholder after
 * rendering, indenting every line after the first to the placeholder's column.
 */
import { TemplateRuntimeError } from './render-error.js';
import { bindArgs, type ParamList } from './filter-args.js';
import type { FilterHost, FilterImpl } from './jinja-filters.js';
import { softStr } from './jinja-filters.js';
import { truthy } from './py-ops.js';
import { pyStr } from './py-repr.js';
import { isDict, orderedKeys } from './py-values.js';

// Parameter lists of the filters/methods below, built once (a literal at the call would be
// allocated again on every call).
const RAW_PARAMS: ParamList = [['raw', true]];

const valuesOf = (d: Record<string, unknown>): unknown[] => orderedKeys(d).map((k) => d[k]);

const SAFE_VALUE = /^[a-zA-Z0-9_-]*$/;
const IAM_POLICY_ARN = /^arn:[a-zA-Z-]+:iam::\d{12}:policy\//;
const ARN = /^arn:[a-zA-Z0-9-]+:[a-zA-Z0-9-]+:[a-zA-Z0-9-]*:(\d{12})?:\S+$/;
const MARK = '\u0000PROTON_BLOCK_';

function placeholder(host: FilterHost, lines: string[]): string {
  return placeholderText(host, lines.join('\n'));
}

/** Registers a block (its lines joined by newlines; '' for none) and returns its placeholder. */
function placeholderText(host: FilterHost, block: string): string {
  if (block === '') return '';
  host.yamlBlocks.push(block);
  return `\u0000PROTON_BLOCK_${host.yamlBlocks.length - 1}\u0000`;
}

function mapping(filter: string, value: unknown): Record<string, unknown> {
  if (!isDict(value))
    throw new TemplateRuntimeError(`${filter} expects a mapping of names to values`);
  return value;
}

function checked(filter: string, value: unknown, raw: unknown): string {
  const text = pyStr(value);
  if (!truthy(raw) && !SAFE_VALUE.test(text)) {
    throw new TemplateRuntimeError(
      `${filter}: illegal character(s) detected in "${text}". Must match regex ^[a-zA-Z0-9_-]*$`,
    );
  }
  return text;
}

function ecsEnvVars(value: unknown, args: unknown[], host: FilterHost): string {
  const name = 'proton_cfn_ecs_task_definition_formatted_env_vars';
  const [raw] = bindArgs(name, RAW_PARAMS, args);
  const env = mapping(name, value);
  let block = '';
  for (const k of orderedKeys(env)) {
    if (block !== '') block += '\n';
    block += `- Name: ${k}\n  Value: ${checked(name, env[k], raw)}`;
  }
  return placeholderText(host, block);
}

function lambdaEnvVars(value: unknown, args: unknown[], host: FilterHost): string {
  const name = 'proton_cfn_lambda_function_formatted_env_vars';
  const [raw] = bindArgs(name, RAW_PARAMS, args);
  const env = mapping(name, value);
  return placeholder(
    host,
    orderedKeys(env).map((k) => `${k}: ${checked(name, env[k], raw)}`),
  );
}

function iamPolicyArns(value: unknown, _args: unknown[], host: FilterHost): string {
  const items = Array.isArray(value)
    ? value
    : valuesOf(mapping('proton_cfn_iam_policy_arns', value));
  const arns = items.map((v) => pyStr(v)).filter((v) => IAM_POLICY_ARN.test(v));
  return placeholder(
    host,
    arns.map((arn) => `- ${arn}`),
  );
}

function sanitize(value: unknown): string {
  const text = softStr(value);
  if (SAFE_VALUE.test(text) || ARN.test(text)) return text;
  throw new TemplateRuntimeError(
    `Illegal character(s) detected in "${text}". Must match regex ^[a-zA-Z0-9_-]*$ or be a valid ARN`,
  );
}

/** Proton's filters, by name. */
export const PROTON_FILTERS: Readonly<Record<string, FilterImpl>> = {
  proton_cfn_ecs_task_definition_formatted_env_vars: ecsEnvVars,
  proton_cfn_lambda_function_formatted_env_vars: lambdaEnvVars,
  proton_cfn_iam_policy_arns: iamPolicyArns,
  proton_cfn_sanitize: (v) => sanitize(v),
};

/**
 * Replaces the Proton filters' placeholders in rendered output: the first line stays where the
 * placeholder was, and each following line is indented to the placeholder's column (reusing the
 * line's own leading whitespace when the placeholder is the first thing on its line).
 */
export function reindentBlocks(output: string, blocks: readonly string[]): string {
  if (blocks.length === 0) return output;
  let result = '';
  // The text after the last newline written so far (the placeholder's column), kept as we go:
  // searching the growing result at every placeholder would make large outputs quadratic.
  let lineTail = '';
  let last = 0;
  const write = (text: string): void => {
    result += text;
    const nl = text.lastIndexOf('\n');
    lineTail = nl < 0 ? lineTail + text : text.slice(nl + 1);
  };
  for (;;) {
    const at = output.indexOf(MARK, last);
    if (at < 0) break;
    const close = output.indexOf('\u0000', at + MARK.length);
    const digits = close < 0 ? '' : output.slice(at + MARK.length, close);
    if (!/^\d+$/.test(digits)) {
      // Not one of ours (template text may contain NULs): keep it as written.
      write(output.slice(last, at + MARK.length));
      last = at + MARK.length;
      continue;
    }
    write(output.slice(last, at));
    last = close + 1;
    const block = blocks[Number(digits)];
    if (block === undefined) {
      write(output.slice(at, last));
      continue;
    }
    const prefix = lineTail;
    const indent = /^[ \t]*$/.test(prefix) ? prefix : ' '.repeat(Array.from(prefix).length);
    write(block.includes('\n') ? block.replaceAll('\n', `\n${indent}`) : block);
  }
  return last === 0 ? output : result + output.slice(last);
}
