/**
 * The files Proton generated next to a Terraform bundle's `.tf` files (spec §5.3):
 * `proton.<kind>.variables.tf` declaring the namespaces, `proton.auto.tfvars.json` filling them
 * (inputs as strings, since the variables are `map(string)`), and `.proton/deployment-metadata.json`
 * which triggers the user's automation. Plus a syntax check of every `.tf` file, so a broken
 * bundle fails at registration with `file:line` rather than in someone's CI.
 */
import { createRequire } from 'node:module';
import { RenderError } from './render-error.js';
import type {
  EnvironmentRef,
  Inputs,
  Outputs,
  PipelineInstance,
  ServiceRef,
} from './render-contexts.js';

/** The resource kinds that have Terraform templates. */
export type TerraformKind = 'environment' | 'service_instance' | 'pipeline' | 'component';

const ENV_OBJECT = 'object({ account_id = string, name = string, outputs = map(string) })';
const INSTANCE_OBJECT = 'object({ name = string, inputs = map(string) })';

function variable(name: string, type: string): string {
  return `variable "${name}" {\n  type = ${type}\n  default = null\n}\n`;
}

const VARIABLES: Readonly<Record<TerraformKind, Array<[string, string]>>> = {
  environment: [['environment', 'object({ inputs = map(string), name = string })']],
  service_instance: [
    ['environment', ENV_OBJECT],
    ['service', 'object({ name = string })'],
    ['service_instance', INSTANCE_OBJECT],
  ],
  pipeline: [
    [
      'service',
      'object({ name = string, repository_id = string, repository_connection_arn = string, branch_name = string })',
    ],
    [
      'service_instances',
      `list(object({ name = string, inputs = map(string), outputs = map(string), environment = ${ENV_OBJECT} }))`,
    ],
    ['pipeline', 'object({ inputs = map(string) })'],
  ],
  component: [
    ['environment', ENV_OBJECT],
    ['component', 'object({ name = string })'],
    ['service', 'object({ name = string })'],
    ['service_instance', INSTANCE_OBJECT],
  ],
};

/** The name of the generated variables file for `kind`, e.g. `proton.environment.variables.tf`. */
export function terraformVariablesFileName(kind: TerraformKind): string {
  return `proton.${kind}.variables.tf`;
}

/**
 * The comment Proton put at the top of the Terraform files it wrote: the file is managed, and
 * which resource manages it (tools find the resource by that ARN).
 */
export function terraformManagedHeader(resourceArn: string): string {
  return [
    '/*',
    'This file is managed by Nucleon (as it was by AWS Proton). Any changes made directly to this file will be overwritten the next time Nucleon performs an update.',
    '',
    `To manage this resource, see Nucleon Resource: ${resourceArn}`,
    '',
    'If the resource is no longer accessible within Nucleon, it may have been deleted and may require manual cleanup.',
    '*/',
    '',
    '',
  ].join('\n');
}

/**
 * The content of `proton.<kind>.variables.tf`, including `proton_tags`; with the resource's ARN,
 * headed by {@link terraformManagedHeader} as Proton's was.
 */
export function terraformVariablesTf(kind: TerraformKind, resourceArn?: string): string {
  const vars = [...VARIABLES[kind], ['proton_tags', 'map(string)'] as [string, string]];
  const body = vars.map(([name, type]) => variable(name, type)).join('\n');
  return resourceArn === undefined ? body : terraformManagedHeader(resourceArn) + body;
}

/** Terraform sees every input as a string: strings stay, anything else becomes its JSON text. */
export function stringifyInputs(inputs: Inputs): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(inputs)) {
    if (v === undefined) continue;
    out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

function envVars(env: EnvironmentRef): { account_id: string; name: string; outputs: Outputs } {
  return { account_id: env.account_id, name: env.name, outputs: { ...env.outputs } };
}

/** The resource whose tfvars are generated, with the same data the render contexts take. */
export type TerraformResource =
  | { kind: 'environment'; name: string; inputs: Inputs }
  | {
      kind: 'service_instance';
      environment: EnvironmentRef;
      service: ServiceRef;
      instance: { name: string; inputs: Inputs };
    }
  | {
      kind: 'pipeline';
      service: ServiceRef;
      pipelineInputs: Inputs;
      instances: readonly PipelineInstance[];
    }
  | {
      kind: 'component';
      component: { name: string };
      environment: EnvironmentRef;
      service?: { name: string };
      instance?: { name: string; inputs: Inputs };
    };

function namespaces(r: TerraformResource): Record<string, unknown> {
  switch (r.kind) {
    case 'environment':
      return { environment: { name: r.name, inputs: stringifyInputs(r.inputs) } };
    case 'service_instance':
      return {
        environment: envVars(r.environment),
        service: { name: r.service.name },
        service_instance: { name: r.instance.name, inputs: stringifyInputs(r.instance.inputs) },
      };
    case 'pipeline':
      return {
        service: {
          name: r.service.name,
          repository_id: r.service.repository_id ?? '',
          repository_connection_arn: r.service.repository_connection_arn ?? '',
          branch_name: r.service.branch_name ?? '',
        },
        service_instances: r.instances.map((i) => ({
          name: i.name,
          inputs: stringifyInputs(i.inputs),
          outputs: { ...i.outputs },
          environment: envVars(i.environment),
        })),
        pipeline: { inputs: stringifyInputs(r.pipelineInputs) },
      };
    case 'component': {
      const ns: Record<string, unknown> = {
        environment: envVars(r.environment),
        component: { name: r.component.name },
      };
      if (r.service) ns.service = { name: r.service.name };
      if (r.instance)
        ns.service_instance = { name: r.instance.name, inputs: stringifyInputs(r.instance.inputs) };
      return ns;
    }
  }
}

/**
 * `proton.auto.tfvars.json`: the namespaces, then `"//"` holding the resource ARN (Proton's
 * comment convention) and `proton_tags`.
 */
export function terraformTfvarsJson(
  resource: TerraformResource,
  meta: { resourceArn: string; protonTags: Record<string, string> },
): string {
  const doc = {
    ...namespaces(resource),
    '//': meta.resourceArn,
    proton_tags: { ...meta.protonTags },
  };
  return JSON.stringify(doc, null, 2) + '\n';
}

/** Arguments of {@link deploymentMetadataJson}. */
export interface DeploymentMetadataArgs {
  deploymentId: string;
  isResourceDeleted: boolean;
  arn: string;
  /** Components have no template: pass `component: true` and omit the template fields. */
  component?: boolean;
  templateArn?: string;
  templateMajorVersion?: string;
  templateMinorVersion?: string;
  environmentArn?: string;
  serviceInstanceArn?: string;
}

/**
 * `.proton/deployment-metadata.json`, the trigger file the user's automation reads
 * (`.resourceMetadata.arn // .componentMetadata.arn`).
 */
export function deploymentMetadataJson(args: DeploymentMetadataArgs): string {
  const meta: Record<string, string> = { arn: args.arn };
  const optional: Array<[string, string | undefined]> = [
    ['templateArn', args.templateArn],
    ['templateMajorVersion', args.templateMajorVersion],
    ['templateMinorVersion', args.templateMinorVersion],
    ['environmentArn', args.environmentArn],
    ['serviceInstanceArn', args.serviceInstanceArn],
  ];
  for (const [k, v] of optional) if (v !== undefined) meta[k] = v;
  const key = args.component ? 'componentMetadata' : 'resourceMetadata';
  const doc = {
    deploymentId: args.deploymentId,
    isResourceDeleted: args.isResourceDeleted,
    [key]: meta,
  };
  return JSON.stringify(doc, null, 2) + '\n';
}

type Hcl2JsonParse = (filename: string, contents: string) => Promise<Record<string, unknown>>;

let hclParse: Hcl2JsonParse | undefined;

function loadParser(): Hcl2JsonParse {
  // Loaded lazily: the WASM module costs ~120 ms on first use and is only needed for Terraform.
  // Required rather than imported so its DOM-typed declarations stay out of the program.
  hclParse ??= (createRequire(import.meta.url)('@cdktf/hcl2json') as { parse: Hcl2JsonParse })
    .parse;
  return hclParse;
}

/** Extracts `file:line` from an hcl2json error such as `parse config: [bad.tf:2,7-3,1: Invalid expression; ...]`. */
export function hclErrorLocation(
  message: string,
  file: string,
): { line: number | undefined; message: string } {
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`${escaped}:(\\d+),\\d+(?:-\\d+(?:,\\d+)?)?: ([^\\]]*)`).exec(message);
  if (!m) return { line: undefined, message: message.replace(/^parse config: /, '') };
  return { line: Number(m[1]), message: (m[2] ?? '').trim() };
}

/**
 * Parses every `.tf` file in `files` (name → source) with hcl2json and returns the JSON form of
 * each. Other files are ignored. Throws {@link RenderError} naming the first file and line that
 * does not parse.
 */
export async function parseTerraformFiles(
  files: Record<string, string>,
): Promise<Record<string, Record<string, unknown>>> {
  const parse = loadParser();
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, source] of Object.entries(files)) {
    if (!name.endsWith('.tf')) continue;
    try {
      out[name] = await parse(name, source);
    } catch (err) {
      const raw = err instanceof Error ? err.message : String(err);
      const loc = hclErrorLocation(raw, name);
      throw new RenderError(name, loc.line, loc.message, { cause: err });
    }
  }
  return out;
}
