import { readFile } from 'node:fs/promises';
import type { Outputs } from '@nucleon/templates';
import { isRecord } from './template-bundle.js';
import { TemplateToolkitError } from './template-errors.js';

/** An environment as `context.json` describes it; every field is optional. */
export interface ContextEnvironment {
  readonly name?: string;
  readonly account_id?: string;
  readonly outputs?: Outputs;
}

/** The service fields `context.json` may supply. */
export interface ContextService {
  readonly name?: string;
  readonly repository_id?: string;
  readonly repository_connection_arn?: string;
  readonly branch_name?: string;
}

/**
 * Everything a render needs that is not an input (`context.json`):
 * `{"environment": {name, account_id, outputs}, "environments": {"<env>": {account_id, outputs}},
 * "service": {name, repository_id, repository_connection_arn, branch_name},
 * "instance_outputs": {"<instance>": {...}}}`. Values that are absent stay absent, so a template
 * that reads one fails naming it.
 */
export interface ToolkitContext {
  readonly environment?: ContextEnvironment;
  readonly environments: Readonly<Record<string, ContextEnvironment>>;
  readonly service?: ContextService;
  readonly instanceOutputs: Readonly<Record<string, Outputs>>;
}

/** The context used when no `context.json` is given. */
export const EMPTY_CONTEXT: ToolkitContext = { environments: {}, instanceOutputs: {} };

const TOP_KEYS = ['environment', 'environments', 'service', 'instance_outputs'];
const SERVICE_KEYS = ['name', 'repository_id', 'repository_connection_arn', 'branch_name'];

/** Reads and checks a `context.json` file; problems throw {@link TemplateToolkitError}. */
export async function readContextFile(path: string): Promise<ToolkitContext> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new TemplateToolkitError([
      `${path}: cannot read the context file (${(error as Error).message})`,
    ]);
  }
  return parseContextJson(text, path);
}

/** Parses `context.json` text; `file` labels the problems. */
export function parseContextJson(text: string, file: string): ToolkitContext {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new TemplateToolkitError([`${file}: not valid JSON: ${(error as Error).message}`]);
  }
  const problems: string[] = [];
  const at = (path: string, message: string): void =>
    void problems.push(`${file}: ${path} ${message}`);
  if (!isRecord(doc))
    throw new TemplateToolkitError([`${file}: must be a JSON object with ${TOP_KEYS.join(', ')}`]);
  checkKeys(doc, TOP_KEYS, '', at);
  const environment =
    doc.environment === undefined
      ? undefined
      : parseEnvironment(doc.environment, 'environment', ['name', 'account_id', 'outputs'], at);
  const environments: Record<string, ContextEnvironment> = {};
  for (const [name, value] of Object.entries(mapping(doc.environments, 'environments', at))) {
    environments[name] = parseEnvironment(
      value,
      `environments.${name}`,
      ['account_id', 'outputs'],
      at,
    );
  }
  const service = doc.service === undefined ? undefined : parseService(doc.service, at);
  const instanceOutputs: Record<string, Outputs> = {};
  for (const [name, value] of Object.entries(
    mapping(doc.instance_outputs, 'instance_outputs', at),
  )) {
    instanceOutputs[name] = parseOutputs(value, `instance_outputs.${name}`, at);
  }
  if (problems.length > 0) throw new TemplateToolkitError(problems);
  return {
    ...(environment === undefined ? {} : { environment }),
    environments,
    ...(service === undefined ? {} : { service }),
    instanceOutputs,
  };
}

type At = (path: string, message: string) => void;

function checkKeys(
  value: Record<string, unknown>,
  allowed: readonly string[],
  path: string,
  at: At,
): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      at(
        path === '' ? key : `${path}.${key}`,
        `is not a known key; allowed here: ${allowed.join(', ')}`,
      );
  }
}

function mapping(value: unknown, path: string, at: At): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isRecord(value)) {
    at(path, 'must be an object');
    return {};
  }
  return value;
}

function parseEnvironment(
  value: unknown,
  path: string,
  keys: readonly string[],
  at: At,
): ContextEnvironment {
  if (!isRecord(value)) {
    at(path, 'must be an object');
    return {};
  }
  checkKeys(value, keys, path, at);
  const name = optionalString(value.name, `${path}.name`, at);
  const accountId = optionalString(value.account_id, `${path}.account_id`, at);
  if (accountId !== undefined && !/^\d{12}$/.test(accountId))
    at(`${path}.account_id`, 'must be a 12-digit AWS account id');
  return {
    ...(name === undefined ? {} : { name }),
    ...(accountId === undefined ? {} : { account_id: accountId }),
    ...(value.outputs === undefined
      ? {}
      : { outputs: parseOutputs(value.outputs, `${path}.outputs`, at) }),
  };
}

function parseService(value: unknown, at: At): ContextService {
  if (!isRecord(value)) {
    at('service', 'must be an object');
    return {};
  }
  checkKeys(value, SERVICE_KEYS, 'service', at);
  const service: Record<string, string> = {};
  for (const key of SERVICE_KEYS) {
    const text = optionalString(value[key], `service.${key}`, at);
    if (text !== undefined) service[key] = text;
  }
  return service;
}

function parseOutputs(value: unknown, path: string, at: At): Outputs {
  const outputs: Outputs = {};
  for (const [key, output] of Object.entries(mapping(value, path, at))) {
    // Proton stores outputs as strings; the toolkit refuses anything else rather than guess.
    if (typeof output === 'string') outputs[key] = output;
    else at(`${path}.${key}`, 'must be a string (Proton outputs are strings)');
  }
  return outputs;
}

function optionalString(value: unknown, path: string, at: At): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value !== '') return value;
  at(path, 'must be a non-empty string');
  return undefined;
}
