export type { BundleFiles, NormalisedPath } from './bundle-files.js';
export {
  findBundleRootPrefix,
  isIgnoredBundlePath,
  listBundlePaths,
  normaliseBundlePath,
  stripBundleRoot,
} from './bundle-files.js';
export type { BundleLimits } from './bundle-limits.js';
export {
  BUNDLE_LIMIT_SETTINGS,
  DEFAULT_BUNDLE_LIMITS,
  describeLimit,
  fileSizeLimit,
  formatBytes,
  resolveBundleLimits,
} from './bundle-limits.js';
export type { BundleProblem } from './bundle-problem.js';
export {
  formatBundleProblem,
  formatBundleProblems,
  MAX_STATUS_MESSAGE_LENGTH,
} from './bundle-problem.js';
export { MAX_INPUT_NAME_LENGTH } from './check-schema-object.js';
export type { SchemaChange, SchemaChangeReport } from './classify-schema-change.js';
export { checkMinorCompatibility, classifySchemaChange } from './classify-schema-change.js';
export type { InputValidationResult, InputValidator } from './compile-input-validator.js';
export { compileInputValidator } from './compile-input-validator.js';
export { packBundleDirectory } from './pack-bundle-directory.js';
export type { CodeBuildEnv, CodeBuildSettings } from './parse-codebuild-settings.js';
export type { ManifestEngine, ParsedManifest } from './parse-manifest.js';
export { parseManifest } from './parse-manifest.js';
export type { EnvironmentSpec, ServiceInstanceSpec, ServiceSpec } from './parse-spec-file.js';
export { MAX_SPEC_LENGTH, parseEnvironmentSpec, parseServiceSpec } from './parse-spec-file.js';
export type { SchemaRules } from './parse-template-schema.js';
export { loadTemplateSchema, parseTemplateSchema, SCHEMA_FILE } from './parse-template-schema.js';
export { readBundleDirectory } from './read-bundle-directory.js';
export type {
  InputTypeKind,
  ParsedTemplateSchema,
  SchemaObject,
  SchemaType,
} from './template-schema-types.js';
export { inputTypeName, resolveSchemaRef } from './template-schema-types.js';
export { unpackBundleArchive } from './unpack-bundle-archive.js';
export type {
  BundleInfrastructure,
  BundleValidationOptions,
  BundleValidationResult,
} from './validate-bundle.js';
export { validateBundle } from './validate-bundle.js';
