import type { BundleProblem } from './bundle-problem.js';
import { normaliseBundlePath, type BundleFiles } from './bundle-files.js';
import {
  describeLimit,
  fileSizeLimit,
  formatBytes,
  resolveBundleLimits,
  type BundleLimits,
} from './bundle-limits.js';
import { parseManifest, type ParsedManifest } from './parse-manifest.js';
import { parseTemplateSchema, SCHEMA_FILE } from './parse-template-schema.js';
import type { ParsedTemplateSchema } from './template-schema-types.js';
import { decodeUtf8 } from './yaml-source.js';

/** What kind of template a bundle is registered for. */
export interface BundleValidationOptions {
  readonly templateKind: 'ENVIRONMENT' | 'SERVICE';
  /** Environment template with `provisioning: CUSTOMER_MANAGED`: schema only, no infrastructure. */
  readonly customerManaged?: boolean;
  /**
   * Service template with a pipeline (`pipelineProvisioning` not CUSTOMER_MANAGED). When omitted,
   * a service bundle has a pipeline exactly when it contains `pipeline_infrastructure/`.
   */
  readonly pipeline?: boolean;
  readonly limits?: Partial<BundleLimits>;
}

/** The infrastructure manifests of a bundle, by the resource they provision. */
export interface BundleInfrastructure {
  readonly environment?: ParsedManifest;
  readonly instance?: ParsedManifest;
  readonly pipeline?: ParsedManifest;
}

/**
 * Everything validation found; the bundle is valid when `problems` is empty. `warnings` are
 * what Proton accepted and Nucleon accepts too, but would like changed (a manifest's `engine`
 * key); they never make a bundle invalid (ADR 0016).
 */
export interface BundleValidationResult {
  readonly problems: BundleProblem[];
  readonly warnings: BundleProblem[];
  readonly schemaText?: string;
  readonly schema?: ParsedTemplateSchema;
  readonly infrastructure?: BundleInfrastructure;
}

const INFRA_DIRS = {
  environment: 'infrastructure',
  instance: 'instance_infrastructure',
  pipeline: 'pipeline_infrastructure',
} as const;

/**
 * Validates a template bundle for registration as a template version: the folder layout for
 * the template kind (spec §4.2), file sizes and counts (§9.9), `schema/schema.yaml` (§4.3) and
 * each `manifest.yaml` (§4.4). Pure: looks only at `files`.
 */
export function validateBundle(
  files: BundleFiles,
  options: BundleValidationOptions,
): BundleValidationResult {
  const limits = resolveBundleLimits(options.limits);
  const problems = checkFiles(files, limits);
  const folders = new Set(
    [...files.keys()].filter((p) => p.includes('/')).map((p) => p.slice(0, p.indexOf('/'))),
  );
  const pipeline = options.pipeline ?? folders.has(INFRA_DIRS.pipeline);
  const wanted = expectedFolders(options, pipeline);
  problems.push(...layoutProblems(files, folders, wanted, options));
  const { schemaText, schema } = validateSchema(files, options, pipeline, problems);
  const infrastructure: { -readonly [K in keyof BundleInfrastructure]: ParsedManifest } = {};
  const paths = new Set(files.keys());
  const warnings: BundleProblem[] = [];
  for (const key of wanted) {
    const found = { problems, warnings };
    const manifest = validateManifest(files, INFRA_DIRS[key], paths, limits, found);
    if (manifest !== undefined) infrastructure[key] = manifest;
  }
  return {
    problems,
    warnings,
    ...(schemaText === undefined ? {} : { schemaText }),
    ...(schema === undefined ? {} : { schema }),
    ...(wanted.length === 0 ? {} : { infrastructure }),
  };
}

function expectedFolders(
  options: BundleValidationOptions,
  pipeline: boolean,
): (keyof BundleInfrastructure)[] {
  if (options.templateKind === 'ENVIRONMENT')
    return options.customerManaged === true ? [] : ['environment'];
  return pipeline ? ['instance', 'pipeline'] : ['instance'];
}

function checkFiles(files: BundleFiles, limits: BundleLimits): BundleProblem[] {
  const problems: BundleProblem[] = [];
  if (files.size > limits.maxEntries) {
    problems.push({
      file: '.',
      message: `the bundle has ${files.size} files; ${describeLimit('maxEntries', limits)}`,
    });
  }
  for (const [path, data] of files) {
    const normalised = normaliseBundlePath(path);
    if (!normalised.ok || normalised.path !== path) {
      problems.push({
        file: path,
        message: `is not a normalised bundle path${normalised.ok ? '' : `: ${normalised.reason}`}`,
      });
      continue;
    }
    const limit = fileSizeLimit(path, limits);
    if (limit !== undefined && data.length > limit.bytes) {
      problems.push({
        file: path,
        message: `is ${formatBytes(data.length)}; ${describeLimit(limit.key, limits)}`,
      });
    }
  }
  return problems;
}

function layoutProblems(
  files: BundleFiles,
  folders: ReadonlySet<string>,
  wanted: readonly (keyof BundleInfrastructure)[],
  options: BundleValidationOptions,
): BundleProblem[] {
  const problems: BundleProblem[] = [];
  if (!files.has(SCHEMA_FILE)) {
    const nested = [...files.keys()].find((p) => p.endsWith(`/${SCHEMA_FILE}`));
    const hint =
      nested === undefined
        ? ''
        : ` (found "${nested}": pack the bundle from inside its root folder)`;
    problems.push({
      file: SCHEMA_FILE,
      message: `is missing; every template bundle needs schema/schema.yaml${hint}`,
    });
  }
  for (const key of Object.keys(INFRA_DIRS) as (keyof BundleInfrastructure)[]) {
    const dir = INFRA_DIRS[key];
    if (wanted.includes(key)) {
      if (!files.has(`${dir}/manifest.yaml`)) {
        problems.push({
          file: `${dir}/manifest.yaml`,
          message: `is missing; ${describeKind(options)} bundles need ${dir}/ with a manifest.yaml`,
        });
      }
    } else if (folders.has(dir)) {
      problems.push({ file: `${dir}/`, message: unexpectedFolderMessage(key, options) });
    }
  }
  return problems;
}

function describeKind(options: BundleValidationOptions): string {
  return options.templateKind === 'ENVIRONMENT' ? 'environment template' : 'service template';
}

function unexpectedFolderMessage(
  key: keyof BundleInfrastructure,
  options: BundleValidationOptions,
): string {
  if (options.templateKind === 'ENVIRONMENT' && key === 'environment') {
    return 'must not exist: customer-managed environment templates contain only schema/schema.yaml, because their infrastructure is provisioned elsewhere; remove the folder';
  }
  if (options.templateKind === 'SERVICE' && key === 'pipeline') {
    return 'must not exist: the template has no pipeline (pipelineProvisioning is CUSTOMER_MANAGED); remove the folder or create the template with a pipeline';
  }
  if (key === 'environment') {
    return 'belongs in environment template bundles; service bundles use instance_infrastructure/ and pipeline_infrastructure/';
  }
  return 'belongs in service template bundles; environment bundles use infrastructure/';
}

function validateSchema(
  files: BundleFiles,
  options: BundleValidationOptions,
  pipeline: boolean,
  problems: BundleProblem[],
): { schemaText?: string; schema?: ParsedTemplateSchema } {
  const data = files.get(SCHEMA_FILE);
  if (data === undefined || problems.some((p) => p.file === SCHEMA_FILE)) return {};
  const decoded = decodeUtf8(SCHEMA_FILE, data);
  problems.push(...decoded.problems);
  if (decoded.text === undefined) return {};
  const parsed = parseTemplateSchema(decoded.text, {
    templateKind: options.templateKind,
    ...(options.customerManaged === undefined ? {} : { customerManaged: options.customerManaged }),
    ...(options.templateKind === 'SERVICE' ? { pipeline } : {}),
  });
  problems.push(...parsed.problems);
  return parsed.schema === undefined
    ? { schemaText: decoded.text }
    : { schemaText: decoded.text, schema: parsed.schema };
}

function validateManifest(
  files: BundleFiles,
  dir: string,
  paths: ReadonlySet<string>,
  limits: BundleLimits,
  found: { problems: BundleProblem[]; warnings: BundleProblem[] },
): ParsedManifest | undefined {
  const { problems, warnings } = found;
  const file = `${dir}/manifest.yaml`;
  const data = files.get(file);
  if (data === undefined || problems.some((p) => p.file === file)) return undefined;
  const decoded = decodeUtf8(file, data);
  problems.push(...decoded.problems);
  if (decoded.text === undefined) return undefined;
  const parsed = parseManifest(dir, decoded.text, paths, limits.maxTemplateFiles);
  problems.push(...parsed.problems);
  warnings.push(...parsed.warnings);
  if (parsed.manifest === undefined) return undefined;
  const before = problems.length;
  // CodeBuild names no template file: its folder's other files count toward the bundle only.
  if (parsed.manifest.engine !== 'codebuild') {
    for (const templateFile of parsed.manifest.files) {
      const content = files.get(templateFile) ?? new Uint8Array();
      if (content.length > limits.maxFileBytes) {
        problems.push({
          file: templateFile,
          message: `is ${formatBytes(content.length)}; ${describeLimit('maxFileBytes', limits)} for a template file (a file the manifest names)`,
        });
        continue;
      }
      problems.push(...decodeUtf8(templateFile, content).problems);
    }
  }
  return problems.length === before ? parsed.manifest : undefined;
}
