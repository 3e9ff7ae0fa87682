import type { BundleProblem } from './bundle-problem.js';
import { isPlainObject } from './check-schema-object.js';
import type { YamlPath, YamlSource } from './yaml-source.js';

/** CodeBuild-provisioning settings of a manifest template entry (spec §4.4, §5.4). */
export interface CodeBuildSettings {
  /** Build image; when absent the runner's default image is used. */
  readonly image?: string;
  /** buildspec `runtime-versions`, values as strings (`nodejs: 16` → `"16"`). */
  readonly runtimes?: Readonly<Record<string, string>>;
  /** buildspec `env`: `variables` as strings; other keys (`secrets-manager`, ...) kept as written. */
  readonly env?: CodeBuildEnv;
  /** Shell commands run on create and update (at least one). */
  readonly provision: readonly string[];
  /** Shell commands run on delete (may be empty). */
  readonly deprovision: readonly string[];
  /**
   * Nucleon's optional drift check: shell commands run like `provision` (same workspace, inputs
   * and runner) by GetDriftReport; a non-zero exit reports drift, the output saying what.
   */
  readonly drift?: readonly string[];
  /** Extra `AWS::CodeBuild::Project` properties; values may contain Jinja expressions. */
  readonly projectProperties?: Readonly<Record<string, unknown>>;
  /** Format of the generated inputs file: `proton-inputs.json` (JSON) or a `.tfvars` file (HCL). */
  readonly inputType: 'JSON' | 'HCL';
}

/** buildspec-style environment of a CodeBuild template. */
export interface CodeBuildEnv {
  readonly variables?: Readonly<Record<string, string>>;
  readonly [key: string]: unknown;
}

const SETTINGS_KEYS = [
  'image',
  'runtimes',
  'env',
  'provision',
  'deprovision',
  'drift',
  'project_properties',
  'input_type',
];

/**
 * Checks `settings` of a codebuild template entry. `provision` (non-empty) and `deprovision`
 * are lists of command strings and both are required, as in every documented example;
 * `image`, `runtimes`, `env` and `project_properties` are optional, and so is Nucleon's own
 * `drift` (a non-empty command list; Proton never read it, so manifests without it are unchanged). `input_type` (JSON or HCL)
 * is accepted on the entry or inside `settings`. Unknown settings are ignored with a warning.
 */
export function parseCodeBuildSettings(
  entry: Record<string, unknown>,
  source: YamlSource,
  entryPath: YamlPath,
  problems: BundleProblem[],
  warnings: BundleProblem[] = [],
): CodeBuildSettings | undefined {
  const before = problems.length;
  const at = (key: string, message: string): void => {
    problems.push(source.problem([...entryPath, 'settings', key], message));
  };
  const settings = entry.settings;
  if (!isPlainObject(settings)) {
    problems.push(
      source.problem(
        entryPath,
        'a codebuild template needs "settings" with "provision" and "deprovision" commands',
      ),
    );
    return undefined;
  }
  for (const key of Object.keys(settings)) {
    if (!SETTINGS_KEYS.includes(key))
      warnings.push(
        source.problem(
          [...entryPath, 'settings', key],
          `unknown codebuild setting "${key}" is ignored (known: ${SETTINGS_KEYS.join(', ')})`,
        ),
      );
  }
  const provision = commandList(settings.provision, 'provision', true, at);
  const deprovision = commandList(settings.deprovision, 'deprovision', false, at);
  const drift =
    settings.drift === undefined ? undefined : commandList(settings.drift, 'drift', true, at);
  if (
    settings.image !== undefined &&
    (typeof settings.image !== 'string' || settings.image === '')
  ) {
    at('image', '"image" must be a CodeBuild image name');
  }
  const runtimes = scalarMap(settings.runtimes, 'runtimes', at);
  const env = parseEnv(settings.env, at);
  if (settings.project_properties !== undefined && !isPlainObject(settings.project_properties)) {
    at(
      'project_properties',
      '"project_properties" must be a mapping of AWS::CodeBuild::Project properties',
    );
  }
  const inputType = parseInputType(
    entry.input_type ?? settings.input_type,
    source,
    entryPath,
    problems,
  );
  if (problems.length > before || provision === undefined || deprovision === undefined)
    return undefined;
  return {
    ...(typeof settings.image === 'string' ? { image: settings.image } : {}),
    ...(runtimes === undefined ? {} : { runtimes }),
    ...(env === undefined ? {} : { env }),
    provision,
    deprovision,
    ...(drift === undefined ? {} : { drift }),
    ...(isPlainObject(settings.project_properties)
      ? { projectProperties: settings.project_properties }
      : {}),
    inputType,
  };
}

type At = (key: string, message: string) => void;

function commandList(value: unknown, key: string, nonEmpty: boolean, at: At): string[] | undefined {
  if (!Array.isArray(value) || !value.every((c) => typeof c === 'string')) {
    at(key, `"${key}" is required and must be a list of shell commands (strings)`);
    return undefined;
  }
  if (nonEmpty && value.length === 0) {
    at(key, `"${key}" must list at least one command`);
    return undefined;
  }
  return value;
}

function scalarMap(value: unknown, key: string, at: At): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value) || !Object.values(value).every(isScalar)) {
    at(key, `"${key}" must be a mapping of names to strings or numbers`);
    return undefined;
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

function parseEnv(value: unknown, at: At): CodeBuildEnv | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) {
    at('env', '"env" must be a mapping (variables, secrets-manager, parameter-store, ...)');
    return undefined;
  }
  const variables =
    value.variables === undefined ? undefined : scalarMap(value.variables, 'env.variables', at);
  return { ...value, ...(variables === undefined ? {} : { variables }) };
}

function parseInputType(
  value: unknown,
  source: YamlSource,
  entryPath: YamlPath,
  problems: BundleProblem[],
): 'JSON' | 'HCL' {
  if (value === undefined || value === 'JSON' || value === 'HCL') return value ?? 'JSON';
  problems.push(
    source.problem(
      [...entryPath, 'input_type'],
      `"input_type" must be JSON or HCL, not ${JSON.stringify(value)}`,
    ),
  );
  return 'JSON';
}

function isScalar(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
