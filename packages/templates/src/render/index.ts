export { RenderError } from './render-error.js';
export type { LintIssue } from './render-error.js';
export { createRenderer } from './renderer.js';
export type { Renderer, RendererOptions } from './renderer.js';
export { createRenderPool } from './render-pool.js';
export type { RenderPool, RenderPoolOptions } from './render-pool.js';
export { RenderLimitError } from './render-transfer.js';
export type { RenderLimit } from './render-transfer.js';
export type { RenderBudget } from './jinja-runtime.js';
export { PyFloat, pyFloat } from './py-values.js';
export {
  absentComponent,
  componentContext,
  environmentContext,
  pipelineContext,
  serviceInstanceContext,
} from './render-contexts.js';
export type {
  ComponentContextArgs,
  ComponentRef,
  EnvironmentRef,
  Inputs,
  Outputs,
  PipelineContextArgs,
  PipelineInstance,
  ServiceInstanceContextArgs,
  ServiceRef,
} from './render-contexts.js';
export {
  deploymentMetadataJson,
  parseTerraformFiles,
  stringifyInputs,
  terraformTfvarsJson,
  terraformVariablesFileName,
  terraformVariablesTf,
  terraformManagedHeader,
} from './terraform-files.js';
export type {
  DeploymentMetadataArgs,
  TerraformKind,
  TerraformResource,
} from './terraform-files.js';
export { protonInputs, protonInputsJson } from './codebuild-inputs.js';
export type { CodeBuildResource } from './codebuild-inputs.js';
