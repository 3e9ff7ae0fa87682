import {
  deploymentMetadataJson,
  environmentContext,
  pipelineContext,
  protonInputsJson,
  serviceInstanceContext,
  terraformTfvarsJson,
  terraformVariablesFileName,
  terraformVariablesTf,
  type EnvironmentRef,
  type ParsedManifest,
  type Renderer,
  type ServiceRef,
} from '@nucleon/templates';
import { PLACEHOLDER_DEPLOYMENT_ID, resourceArns } from './template-arns.js';
import type { ToolkitBundle } from './template-bundle.js';
import { pruneUndefined, renderJinjaFile } from './template-jinja.js';
import type {
  PlannedResource,
  ToolkitEnvironmentRef,
  ToolkitResource,
} from './template-resources.js';

/** The files of one resource's workspace (paths relative to it), or why they could not be made. */
export interface Workspace {
  readonly files: Map<string, Uint8Array>;
  /** Permission bits for the copied files that are executable. */
  readonly modes: Map<string, number>;
  readonly problems: string[];
}

/** What every workspace build needs besides the resource. */
export interface WorkspaceOptions {
  readonly bundle: ToolkitBundle;
  readonly renderer: Renderer;
  /** Account used in generated ARNs. */
  readonly arnAccountId: string;
}

const utf8 = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Builds exactly what the provisioning engine receives for one resource: the rendered
 * CloudFormation template (Jinja) under its file name; or the bundle's `.tf` files with
 * `proton.<kind>.variables.tf`, `proton.auto.tfvars.json` and `.proton/deployment-metadata.json`;
 * or (CodeBuild) the infrastructure folder's files with `proton-inputs.json`.
 */
export function buildWorkspace(planned: PlannedResource, options: WorkspaceOptions): Workspace {
  const { manifest, resource } = planned;
  if (manifest.engine === 'cloudformation') return cloudFormationWorkspace(planned, options);
  const workspace: Workspace = { files: new Map(), modes: new Map(), problems: [] };
  const missing = missingForGeneratedFiles(resource);
  const generated =
    manifest.engine === 'terraform' ? 'proton.auto.tfvars.json' : 'proton-inputs.json';
  if (missing.length > 0) {
    workspace.problems.push(
      `${planned.label}: ${generated} needs ${missing.join(', ')}; add ${missing.length === 1 ? 'it' : 'them'} to context.json`,
    );
    return workspace;
  }
  if (manifest.engine === 'codebuild' && manifest.settings?.inputType === 'HCL') {
    workspace.problems.push(
      `${manifest.directory}/manifest.yaml: input_type HCL is not supported by the toolkit yet; only proton-inputs.json (input_type JSON) can be generated`,
    );
    return workspace;
  }
  copyBundleFiles(manifest, options.bundle, workspace);
  if (manifest.engine === 'terraform') addTerraformFiles(resource, options, workspace.files);
  else
    workspace.files.set(
      'proton-inputs.json',
      utf8.encode(protonInputsJson(completeResource(resource))),
    );
  return workspace;
}

function cloudFormationWorkspace(planned: PlannedResource, options: WorkspaceOptions): Workspace {
  const workspace: Workspace = { files: new Map(), modes: new Map(), problems: [] };
  for (const file of planned.manifest.files) {
    const source = decoder.decode(options.bundle.files.get(file) ?? new Uint8Array());
    const context = jinjaContext(planned.resource);
    const result = renderJinjaFile(options.renderer, source, context, file, planned.label);
    if (result.ok)
      workspace.files.set(workspaceName(planned.manifest, file), utf8.encode(result.text));
    else workspace.problems.push(...result.problems);
  }
  return workspace;
}

function workspaceName(manifest: ParsedManifest, file: string): string {
  return file.startsWith(`${manifest.directory}/`)
    ? file.slice(manifest.directory.length + 1)
    : file;
}

function copyBundleFiles(
  manifest: ParsedManifest,
  bundle: ToolkitBundle,
  workspace: Workspace,
): void {
  for (const file of manifest.files) {
    const data = bundle.files.get(file);
    if (data === undefined) continue;
    workspace.files.set(workspaceName(manifest, file), data);
    const mode = bundle.executables.get(file);
    if (mode !== undefined) workspace.modes.set(workspaceName(manifest, file), mode);
  }
}

function addTerraformFiles(
  resource: ToolkitResource,
  options: WorkspaceOptions,
  files: Map<string, Uint8Array>,
): void {
  const complete = completeResource(resource);
  const arns = resourceArns(resource, options.bundle.template, options.arnAccountId);
  files.set(
    terraformVariablesFileName(complete.kind),
    utf8.encode(terraformVariablesTf(complete.kind, arns.arn)),
  );
  files.set(
    'proton.auto.tfvars.json',
    utf8.encode(
      terraformTfvarsJson(complete, { resourceArn: arns.arn, protonTags: arns.protonTags }),
    ),
  );
  const metadata = deploymentMetadataJson({
    deploymentId: PLACEHOLDER_DEPLOYMENT_ID,
    isResourceDeleted: false,
    arn: arns.arn,
    templateArn: arns.templateArn,
    templateMajorVersion: options.bundle.template.majorVersion,
    templateMinorVersion: options.bundle.template.minorVersion,
    ...(arns.environmentArn === undefined ? {} : { environmentArn: arns.environmentArn }),
  });
  files.set('.proton/deployment-metadata.json', utf8.encode(metadata));
}

/**
 * The render context: the namespaces the engine builds, with every value the context lacks
 * left out (not empty), so that strict undefined names it.
 */
function jinjaContext(resource: ToolkitResource): Record<string, unknown> {
  // The builders take complete records; absent fields are passed as undefined and pruned.
  switch (resource.kind) {
    case 'environment':
      return pruneUndefined(
        environmentContext({ name: resource.name as string, inputs: resource.inputs }),
      );
    case 'service_instance':
      return pruneUndefined(
        serviceInstanceContext({
          environment: environmentRef(resource.environment),
          service: serviceRef(resource),
          instance: resource.instance,
        }),
      );
    case 'pipeline':
      return pruneUndefined(
        pipelineContext({
          service: serviceRef(resource),
          pipelineInputs: resource.pipelineInputs,
          instances: resource.instances.map((i) => ({
            ...i,
            environment: environmentRef(i.environment),
          })),
        }),
      );
  }
}

function environmentRef(env: ToolkitEnvironmentRef): EnvironmentRef {
  return { name: env.name, account_id: env.account_id as string, outputs: env.outputs };
}

function serviceRef(resource: { readonly service: { readonly name?: string } }): ServiceRef {
  return { ...resource.service, name: resource.service.name as string };
}

/** Context values the generated Terraform / CodeBuild input files need but the context lacks. */
function missingForGeneratedFiles(resource: ToolkitResource): string[] {
  const missing = new Set<string>();
  const account = (env: ToolkitEnvironmentRef): void => {
    if (env.account_id === undefined)
      missing.add(`environments.${env.name}.account_id (or environment.account_id)`);
  };
  if (resource.kind === 'environment') {
    if (resource.name === undefined) missing.add('environment.name');
  } else {
    if (resource.service.name === undefined) missing.add('service.name');
    if (resource.kind === 'service_instance') account(resource.environment);
    else resource.instances.forEach((i) => account(i.environment));
  }
  return [...missing];
}

type CompleteResource =
  | { kind: 'environment'; name: string; inputs: Record<string, unknown> }
  | {
      kind: 'service_instance';
      environment: EnvironmentRef;
      service: ServiceRef;
      instance: { name: string; inputs: Record<string, unknown> };
    }
  | {
      kind: 'pipeline';
      service: ServiceRef;
      pipelineInputs: Record<string, unknown>;
      instances: {
        name: string;
        inputs: Record<string, unknown>;
        outputs: Record<string, string>;
        environment: EnvironmentRef;
      }[];
    };

/** The resource with the values {@link missingForGeneratedFiles} checked are present. */
function completeResource(resource: ToolkitResource): CompleteResource {
  switch (resource.kind) {
    case 'environment':
      return { kind: 'environment', name: resource.name as string, inputs: resource.inputs };
    case 'service_instance':
      return {
        kind: 'service_instance',
        environment: environmentRef(resource.environment),
        service: serviceRef(resource),
        instance: resource.instance,
      };
    case 'pipeline':
      return {
        kind: 'pipeline',
        service: serviceRef(resource),
        pipelineInputs: resource.pipelineInputs,
        instances: resource.instances.map((i) => ({
          ...i,
          environment: environmentRef(i.environment),
        })),
      };
  }
}
