import { ValidationError } from '@nucleon/core';
import { isPlainObject } from './check-schema-object.js';
import { parseYamlStrict, type YamlPath, type YamlSource } from './yaml-source.js';

/** An environment spec (`proton: EnvironmentSpec`), as passed to Create/UpdateEnvironment. */
export interface EnvironmentSpec {
  readonly proton: 'EnvironmentSpec';
  /** Environment input values; `{}` when the file has no `spec:`. */
  readonly spec: Record<string, unknown>;
  /** Keys of the file that are ignored (`spec line 3: unknown key "x" ... is ignored`). */
  readonly warnings: readonly string[];
}

/** One service instance of a service spec. */
export interface ServiceInstanceSpec {
  readonly name: string;
  /** Name of the environment the instance is deployed to. */
  readonly environment: string;
  /** Instance input values; `{}` when absent. */
  readonly spec: Record<string, unknown>;
  /** 1-based line of the instance in the spec file, for later error messages. */
  readonly line?: number;
  /** Ignored keys of this instance and of the file's top level, when there are any. */
  readonly warnings?: readonly string[];
}

/** A service spec (`proton: ServiceSpec`), as passed to CreateService and friends. */
export interface ServiceSpec {
  readonly proton: 'ServiceSpec';
  /** Pipeline input values, when the file has a `pipeline:` section. */
  readonly pipeline?: Record<string, unknown>;
  readonly instances: readonly ServiceInstanceSpec[];
  /** Every ignored key of the file (top level and instances). */
  readonly warnings: readonly string[];
}

/** Proton's limit on the `spec` request field. */
export const MAX_SPEC_LENGTH = 51_200;

const RESOURCE_NAME = /^[0-9A-Za-z]+[0-9A-Za-z_-]*$/;
const SPEC_FILE = 'spec';

/**
 * Parses an environment spec file (spec §4.5); throws {@link ValidationError} naming the line.
 * Keys other than `proton` and `spec` are ignored, with a warning (ADR 0016).
 */
export function parseEnvironmentSpec(yamlText: string): EnvironmentSpec {
  const warnings: string[] = [];
  const source = loadSpec(yamlText, 'EnvironmentSpec', ['spec'], warnings);
  const root = source.value as Record<string, unknown>;
  const errors: string[] = [];
  const spec = inputsAt(source, root.spec, ['spec'], errors);
  throwIfAny(errors);
  return { proton: 'EnvironmentSpec', spec, warnings };
}

/**
 * Parses a service spec file (spec §4.5): `instances` with unique `name`s, each with an
 * `environment` and optional `spec`, and an optional `pipeline` section. At least
 * `minInstances` (default 1) instances are required. Throws {@link ValidationError} naming the
 * line of each problem. Unknown keys are ignored, with a warning (ADR 0016).
 */
export function parseServiceSpec(
  yamlText: string,
  options: { minInstances?: number } = {},
): ServiceSpec {
  const topWarnings: string[] = [];
  const source = loadSpec(yamlText, 'ServiceSpec', ['instances', 'pipeline'], topWarnings);
  const root = source.value as Record<string, unknown>;
  const errors: string[] = [];
  const found = { errors, topWarnings, warnings: [...topWarnings] };
  const instances = parseInstances(source, root.instances, options.minInstances ?? 1, found);
  const pipeline =
    root.pipeline === undefined ? undefined : inputsAt(source, root.pipeline, ['pipeline'], errors);
  throwIfAny(errors);
  return {
    proton: 'ServiceSpec',
    ...(pipeline === undefined ? {} : { pipeline }),
    instances,
    warnings: found.warnings,
  };
}

/** What parsing a service spec collects: errors, and ignored keys (all, and the top level's). */
interface Found {
  readonly errors: string[];
  readonly topWarnings: readonly string[];
  readonly warnings: string[];
}

function loadSpec(
  yamlText: string,
  kind: string,
  allowed: readonly string[],
  warnings: string[],
): YamlSource {
  if (yamlText.length > MAX_SPEC_LENGTH) {
    throw new ValidationError(
      `spec is ${yamlText.length} characters; the limit is ${MAX_SPEC_LENGTH}`,
    );
  }
  const { source, problems } = parseYamlStrict(SPEC_FILE, yamlText);
  if (source === undefined) {
    throwIfAny(problems.map((p) => `spec line ${p.line ?? 1}: ${p.message}`));
    throw new ValidationError('spec is not valid YAML');
  }
  const root = source.value;
  if (!isPlainObject(root))
    throw new ValidationError(`spec line 1: must be a mapping starting with "proton: ${kind}"`);
  const errors: string[] = [];
  if (root.proton === undefined) errors.push(`spec line 1: missing "proton: ${kind}"`);
  else if (root.proton !== kind) {
    errors.push(
      `${lineLabel(source, ['proton'])}: proton must be "${kind}", not ${JSON.stringify(root.proton)}`,
    );
  }
  for (const key of Object.keys(root)) {
    if (key !== 'proton' && !allowed.includes(key)) {
      warnings.push(
        `${lineLabel(source, [key])}: unknown key "${key}" in a ${kind} is ignored; known keys: proton, ${allowed.join(', ')}`,
      );
    }
  }
  throwIfAny(errors);
  return source;
}

function parseInstances(
  source: YamlSource,
  value: unknown,
  minInstances: number,
  found: Found,
): ServiceInstanceSpec[] {
  const { errors } = found;
  if (value === undefined && minInstances === 0) return [];
  if (!Array.isArray(value)) {
    errors.push(
      `${lineLabel(source, ['instances'])}: "instances" must be a list of service instances`,
    );
    return [];
  }
  if (value.length < minInstances) {
    errors.push(
      `${lineLabel(source, ['instances'])}: at least ${minInstances} instance${minInstances === 1 ? '' : 's'} required`,
    );
  }
  const firstLine = new Map<string, number | undefined>();
  const instances: ServiceInstanceSpec[] = [];
  value.forEach((item: unknown, index) => {
    const instance = parseInstance(source, item, index, found);
    if (instance === undefined) return;
    if (firstLine.has(instance.name)) {
      const first = firstLine.get(instance.name);
      errors.push(
        `${lineLabel(source, ['instances', index, 'name'])}: duplicate instance name "${instance.name}"${first === undefined ? '' : ` (first used on line ${first})`}`,
      );
      return;
    }
    firstLine.set(instance.name, instance.line);
    instances.push(instance);
  });
  return instances;
}

function parseInstance(
  source: YamlSource,
  item: unknown,
  index: number,
  found: Found,
): ServiceInstanceSpec | undefined {
  const { errors } = found;
  const path: YamlPath = ['instances', index];
  if (!isPlainObject(item)) {
    errors.push(
      `${lineLabel(source, path)}: each instance must be a mapping with name, environment and spec`,
    );
    return undefined;
  }
  const before = errors.length;
  const warnings = [...found.topWarnings];
  for (const key of Object.keys(item)) {
    if (!['name', 'environment', 'spec'].includes(key)) {
      const warning = `${lineLabel(source, [...path, key])}: unknown key "${key}" in an instance is ignored; known keys: name, environment, spec`;
      warnings.push(warning);
      found.warnings.push(warning);
    }
  }
  for (const key of ['name', 'environment'] as const) {
    const value = item[key];
    if (typeof value !== 'string' || value.length > 100 || !RESOURCE_NAME.test(value)) {
      errors.push(
        `${lineLabel(source, [...path, key])}: instance ${key} must be 1-100 letters, digits, "-" or "_", starting with a letter or digit (got ${JSON.stringify(value ?? null)})`,
      );
    }
  }
  const spec = inputsAt(source, item.spec, [...path, 'spec'], errors);
  if (errors.length > before) return undefined;
  const line = source.lineOf(path);
  return {
    name: item.name as string,
    environment: item.environment as string,
    spec,
    ...(line === undefined ? {} : { line }),
    ...(warnings.length === 0 ? {} : { warnings }),
  };
}

function inputsAt(
  source: YamlSource,
  value: unknown,
  path: YamlPath,
  errors: string[],
): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) {
    errors.push(
      `${lineLabel(source, path)}: "${String(path[path.length - 1])}" must be a mapping of input names to values`,
    );
    return {};
  }
  return value;
}

function lineLabel(source: YamlSource, path: YamlPath): string {
  return `spec line ${source.lineOf(path) ?? 1}`;
}

function throwIfAny(errors: readonly string[]): void {
  if (errors.length > 0) throw new ValidationError(errors.join('; '));
}
