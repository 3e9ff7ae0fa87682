/**
 * The render contexts (parameter namespaces) Proton gave each kind of template, spec §5.1:
 * `environment.*`, `service.*`, `service_instance.*`, `service_instances[]`, `pipeline.*`,
 * `component.*`. They are pure functions of already-validated data (inputs with schema defaults
 * merged, outputs from the last successful deployments), so the same builders serve rendering,
 * previews and tests. Missing optional data is left out, so a template that references it fails
 * with the dotted name (strict undefined) rather than rendering an empty value.
 */

/** Template inputs after schema validation (defaults merged). */
export type Inputs = Record<string, unknown>;
/** Outputs of a deployed resource; Proton stores them as strings. */
export type Outputs = Record<string, string>;

/** The environment fields a service instance, pipeline or component template sees. */
export interface EnvironmentRef {
  name: string;
  account_id: string;
  outputs: Outputs;
}

/** The service fields templates see; repository fields exist only when the service has them. */
export interface ServiceRef {
  name: string;
  repository_id?: string;
  repository_connection_arn?: string;
  branch_name?: string;
}

/** A directly defined component attached to a service instance. */
export interface ComponentRef {
  name: string;
  outputs: Outputs;
}

function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out as T;
}

function environmentRef(env: EnvironmentRef): EnvironmentRef {
  return { name: env.name, account_id: env.account_id, outputs: { ...env.outputs } };
}

function serviceRef(service: ServiceRef): ServiceRef {
  return compact({
    name: service.name,
    repository_connection_arn: service.repository_connection_arn,
    repository_id: service.repository_id,
    branch_name: service.branch_name,
  });
}

/**
 * What `service_instance.components.default` is when no component is attached: it prints and
 * serialises as `{}` (Proton's behaviour), yet `.outputs` is `{}` too, so
 * `{{ service_instance.components.default.outputs | proton_cfn_... }}` renders nothing instead of
 * failing. `.name` and any output key stay undefined.
 */
export function absentComponent(): Record<string, unknown> {
  const c: Record<string, unknown> = {};
  Object.defineProperty(c, 'outputs', {
    value: {},
    enumerable: false,
    writable: true,
    configurable: true,
  });
  ABSENT_COMPONENTS.add(c);
  return c;
}

const ABSENT_COMPONENTS = new WeakSet<object>();

/** True for objects made by {@link absentComponent} (the render copy recreates them). */
export function isAbsentComponent(v: object): boolean {
  return ABSENT_COMPONENTS.has(v);
}

/** The context of an environment template: `environment.name`, `environment.inputs.*`. */
export function environmentContext(args: {
  name: string;
  inputs: Inputs;
}): Record<string, unknown> {
  return { environment: { name: args.name, inputs: { ...args.inputs } } };
}

/** Arguments of {@link serviceInstanceContext}. */
export interface ServiceInstanceContextArgs {
  environment: EnvironmentRef;
  service: ServiceRef;
  instance: { name: string; inputs: Inputs };
  /** The attached directly defined component, if any (Proton's `components.default`). */
  components?: { default?: ComponentRef };
}

/**
 * The context of a service instance template: `environment.*` (with outputs), `service.*`,
 * `service_instance.*` including the alias `service_instance.environment.*` and
 * `service_instance.components.default.*`.
 */
export function serviceInstanceContext(args: ServiceInstanceContextArgs): Record<string, unknown> {
  const component = args.components?.default;
  return {
    environment: environmentRef(args.environment),
    service: serviceRef(args.service),
    service_instance: {
      name: args.instance.name,
      inputs: { ...args.instance.inputs },
      environment: environmentRef(args.environment),
      components: {
        default: component
          ? { name: component.name, outputs: { ...component.outputs } }
          : absentComponent(),
      },
    },
  };
}

/** One instance as a pipeline template sees it. */
export interface PipelineInstance {
  name: string;
  inputs: Inputs;
  outputs: Outputs;
  environment: EnvironmentRef;
}

/** Arguments of {@link pipelineContext}. */
export interface PipelineContextArgs {
  service: ServiceRef;
  pipelineInputs: Inputs;
  instances: readonly PipelineInstance[];
}

/** The context of a pipeline template: `service.*`, `pipeline.inputs.*`, `service_instances[]`. */
export function pipelineContext(args: PipelineContextArgs): Record<string, unknown> {
  return {
    service: serviceRef(args.service),
    pipeline: { inputs: { ...args.pipelineInputs } },
    service_instances: args.instances.map((i) => ({
      name: i.name,
      inputs: { ...i.inputs },
      outputs: { ...i.outputs },
      environment: environmentRef(i.environment),
    })),
  };
}

/** Arguments of {@link componentContext}. */
export interface ComponentContextArgs {
  component: { name: string };
  environment: EnvironmentRef;
  /** Present when the component is attached to a service instance. */
  service?: { name: string };
  instance?: { name: string; inputs: Inputs };
}

/**
 * The context of a component template: `component.name`, `environment.*`, and `service.name` /
 * `service_instance.*` when the component is attached to an instance.
 */
export function componentContext(args: ComponentContextArgs): Record<string, unknown> {
  const ctx: Record<string, unknown> = {
    component: { name: args.component.name },
    environment: environmentRef(args.environment),
  };
  if (args.service) ctx.service = { name: args.service.name };
  if (args.instance)
    ctx.service_instance = { name: args.instance.name, inputs: { ...args.instance.inputs } };
  return ctx;
}
