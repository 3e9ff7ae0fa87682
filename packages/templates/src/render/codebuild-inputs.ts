/**
 * `proton-inputs.json`, the file CodeBuild provisioning writes next to the bundle's code before
 * running the `provision`/`deprovision` commands (spec §5.4). Unlike Terraform's tfvars, inputs
 * keep their native JSON types (numbers stay numbers), because scripts read them with `jq` or a
 * JSON parser. CodeBuild provisioning is not available for components.
 */
import type { EnvironmentRef, Inputs, PipelineInstance, ServiceRef } from './render-contexts.js';

/** The resource a CodeBuild run provisions, with the data the render contexts take. */
export type CodeBuildResource =
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
    };

function environment(env: EnvironmentRef): EnvironmentRef {
  return { account_id: env.account_id, name: env.name, outputs: { ...env.outputs } };
}

function service(s: ServiceRef): ServiceRef {
  return {
    name: s.name,
    repository_connection_arn: s.repository_connection_arn,
    repository_id: s.repository_id,
    branch_name: s.branch_name,
  };
}

/** The `proton-inputs.json` document for `resource`, as an object. */
export function protonInputs(resource: CodeBuildResource): Record<string, unknown> {
  switch (resource.kind) {
    case 'environment':
      return { environment: { name: resource.name, inputs: { ...resource.inputs } } };
    case 'service_instance':
      return {
        environment: environment(resource.environment),
        service: service(resource.service),
        service_instance: { name: resource.instance.name, inputs: { ...resource.instance.inputs } },
      };
    case 'pipeline':
      return {
        pipeline: { inputs: { ...resource.pipelineInputs } },
        service: service(resource.service),
        service_instances: resource.instances.map((i) => ({
          name: i.name,
          inputs: { ...i.inputs },
          outputs: { ...i.outputs },
          environment: environment(i.environment),
        })),
      };
  }
}

/** The `proton-inputs.json` file content (2-space indented JSON, trailing newline). */
export function protonInputsJson(resource: CodeBuildResource): string {
  return JSON.stringify(protonInputs(resource), null, 2) + '\n';
}
