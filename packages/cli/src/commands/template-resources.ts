import { NucleonError } from '@nucleon/core';
import {
  compileInputValidator,
  formatBundleProblem,
  parseEnvironmentSpec,
  parseServiceSpec,
  type EnvironmentSpec,
  type InputTypeKind,
  type Inputs,
  type Outputs,
  type ParsedManifest,
  type ParsedTemplateSchema,
  type ServiceInstanceSpec,
  type ServiceSpec,
} from '@nucleon/templates';
import type { ToolkitBundle } from './template-bundle.js';
import type { ContextService, ToolkitContext } from './template-context.js';
import { TemplateToolkitError } from './template-errors.js';

/** An environment as an instance or pipeline sees it; `account_id` is absent when the context lacks it. */
export interface ToolkitEnvironmentRef {
  readonly name: string;
  readonly account_id?: string;
  readonly outputs: Outputs;
}

/** One service instance as a pipeline sees it. */
export interface ToolkitPipelineInstance {
  readonly name: string;
  readonly inputs: Inputs;
  readonly outputs: Outputs;
  readonly environment: ToolkitEnvironmentRef;
}

/** A resource to render, with validated inputs and whatever the context supplied. */
export type ToolkitResource =
  | { readonly kind: 'environment'; readonly name?: string; readonly inputs: Inputs }
  | {
      readonly kind: 'service_instance';
      readonly environment: ToolkitEnvironmentRef;
      readonly service: ContextService;
      readonly instance: { readonly name: string; readonly inputs: Inputs };
    }
  | {
      readonly kind: 'pipeline';
      readonly service: ContextService;
      readonly pipelineInputs: Inputs;
      readonly instances: readonly ToolkitPipelineInstance[];
    };

/** One resource of a render, the manifest that provisions it and where its files go. */
export interface PlannedResource {
  /** `environment`, `instance "api-prod"` or `pipeline`, for messages. */
  readonly label: string;
  /** Folder under the output directory (`''` for the output directory itself). */
  readonly outDir: string;
  readonly manifest: ParsedManifest;
  readonly resource: ToolkitResource;
}

/** What to render from a service bundle: everything, one instance, or the pipeline. */
export type RenderTarget =
  | { readonly mode: 'all' }
  | { readonly mode: 'instance'; readonly name: string }
  | { readonly mode: 'pipeline' };

/** A spec file's text and the name its problems are reported under. */
export interface SpecSource {
  readonly text: string;
  readonly file: string;
}

/**
 * Turns a bundle, a spec file and a context into the resources to render, validating every
 * input with the template's schema (defaults filled). Any problem throws
 * {@link TemplateToolkitError} with all the messages. Inputs the schema does not declare are
 * left out, as the server does, and named in `warnings` (ADR 0016).
 */
export function planResources(
  bundle: ToolkitBundle,
  spec: SpecSource,
  context: ToolkitContext,
  target: RenderTarget,
  warnings: string[] = [],
): PlannedResource[] {
  if (bundle.problems.length > 0 || bundle.schema === undefined) {
    throw new TemplateToolkitError([
      ...bundle.problems.map(formatBundleProblem),
      `${bundle.dir}: the bundle would not register; fix the problems above first (nucleon template lint shows them all)`,
    ]);
  }
  if (bundle.kind === 'environment')
    return [planEnvironment(bundle, bundle.schema, spec, context, target, warnings)];
  return planService(bundle, bundle.schema, spec, context, target, warnings);
}

function planEnvironment(
  bundle: ToolkitBundle,
  schema: ParsedTemplateSchema,
  spec: SpecSource,
  context: ToolkitContext,
  target: RenderTarget,
  warnings: string[],
): PlannedResource {
  if (target.mode !== 'all')
    throw new TemplateToolkitError([
      `--instance and --pipeline apply only to service template bundles; ${bundle.dir} is an environment template bundle`,
    ]);
  const manifest = bundle.infrastructure.environment;
  if (manifest === undefined) {
    throw new TemplateToolkitError([
      `${bundle.dir}: a customer-managed environment template has no infrastructure to render`,
    ]);
  }
  const parsed = parseSpec(spec, parseEnvironmentSpec);
  warnings.push(...parsed.warnings.map((w) => atSpecLine(spec.file, w)));
  const inputs = validateInputs(
    schema,
    'environment',
    parsed.spec,
    (e) => `${spec.file}: ${e}`,
    warnings,
  );
  const name = context.environment?.name;
  return {
    label: name === undefined ? 'environment' : `environment "${name}"`,
    outDir: '',
    manifest,
    resource: { kind: 'environment', ...(name === undefined ? {} : { name }), inputs },
  };
}

function planService(
  bundle: ToolkitBundle,
  schema: ParsedTemplateSchema,
  spec: SpecSource,
  context: ToolkitContext,
  target: RenderTarget,
  warnings: string[],
): PlannedResource[] {
  const { instance: instanceManifest, pipeline: pipelineManifest } = bundle.infrastructure;
  if (instanceManifest === undefined)
    throw new TemplateToolkitError([
      `${bundle.dir}: instance_infrastructure/manifest.yaml is missing`,
    ]);
  if (target.mode === 'pipeline' && pipelineManifest === undefined) {
    throw new TemplateToolkitError([
      `--pipeline: ${bundle.dir} has no pipeline_infrastructure/; the template has no pipeline`,
    ]);
  }
  const parsed = parseSpec(spec, (text) => parseServiceSpec(text));
  warnings.push(...parsed.warnings.map((w) => atSpecLine(spec.file, w)));
  const { instances, pipelineInputs } = validateServiceInputs(
    schema,
    parsed,
    spec.file,
    pipelineManifest !== undefined,
    warnings,
  );
  const service = context.service ?? {};
  const planned: PlannedResource[] = [];
  const wantInstance = (name: string): boolean =>
    target.mode === 'all' || (target.mode === 'instance' && target.name === name);
  for (const instance of instances) {
    if (!wantInstance(instance.name)) continue;
    planned.push({
      label: `instance "${instance.name}"`,
      outDir: target.mode === 'all' ? instance.name : '',
      manifest: instanceManifest,
      resource: {
        kind: 'service_instance',
        environment: environmentFor(instance.environment, context),
        service,
        instance: { name: instance.name, inputs: instance.inputs },
      },
    });
  }
  if (target.mode === 'instance' && planned.length === 0) {
    throw new TemplateToolkitError([
      `${spec.file}: no instance named "${target.name}"; the spec has ${instances.map((i) => `"${i.name}"`).join(', ')}`,
    ]);
  }
  if (pipelineManifest !== undefined && target.mode !== 'instance') {
    planned.push(
      planPipeline(pipelineManifest, instances, pipelineInputs, context, target, spec.file),
    );
  }
  return planned;
}

function planPipeline(
  manifest: ParsedManifest,
  instances: readonly ValidatedInstance[],
  pipelineInputs: Inputs,
  context: ToolkitContext,
  target: RenderTarget,
  specFile: string,
): PlannedResource {
  if (target.mode === 'all' && instances.some((i) => i.name === 'pipeline')) {
    throw new TemplateToolkitError([
      `${specFile}: an instance named "pipeline" would share its output folder with the pipeline; render it with --instance pipeline`,
    ]);
  }
  const pipelineInstances = instances.map((i) => ({
    name: i.name,
    inputs: i.inputs,
    outputs: context.instanceOutputs[i.name] ?? {},
    environment: environmentFor(i.environment, context),
  }));
  return {
    label: 'pipeline',
    outDir: target.mode === 'all' ? 'pipeline' : '',
    manifest,
    resource: {
      kind: 'pipeline',
      service: context.service ?? {},
      pipelineInputs,
      instances: pipelineInstances,
    },
  };
}

interface ValidatedInstance {
  readonly name: string;
  readonly environment: string;
  readonly inputs: Inputs;
}

function validateServiceInputs(
  schema: ParsedTemplateSchema,
  spec: ServiceSpec,
  file: string,
  hasPipeline: boolean,
  warnings: string[],
): { instances: ValidatedInstance[]; pipelineInputs: Inputs } {
  const errors: string[] = [];
  const instances = spec.instances.map((instance: ServiceInstanceSpec) => {
    const where = instance.line === undefined ? file : `${file}:${instance.line}`;
    const inputs = collect(errors, () =>
      validateInputs(
        schema,
        'service',
        instance.spec,
        (e) => `${where}: instance "${instance.name}": ${e}`,
        warnings,
      ),
    );
    return { name: instance.name, environment: instance.environment, inputs };
  });
  let pipelineInputs: Inputs = {};
  if (!hasPipeline && spec.pipeline !== undefined && Object.keys(spec.pipeline).length > 0) {
    errors.push(
      `${file}: the spec has a "pipeline" section but the template has no pipeline (no pipeline_infrastructure/)`,
    );
  } else if (hasPipeline) {
    const label = (e: string): string => `${file}: ${e.replace(/^spec(?=[.:[ ]|$)/, 'pipeline')}`;
    pipelineInputs = collect(errors, () =>
      validateInputs(schema, 'pipeline', spec.pipeline ?? {}, label, warnings),
    );
  }
  if (errors.length > 0) throw new TemplateToolkitError(errors);
  return { instances, pipelineInputs };
}

function collect(errors: string[], validate: () => Inputs): Inputs {
  try {
    return validate();
  } catch (error) {
    if (!(error instanceof TemplateToolkitError)) throw error;
    errors.push(...error.lines);
    return {};
  }
}

/**
 * Validates inputs with the schema (defaults filled in); errors throw, each passed through
 * `label`; undeclared inputs are left out and pushed (labelled) onto `warnings`.
 */
function validateInputs(
  schema: ParsedTemplateSchema,
  which: InputTypeKind,
  inputs: unknown,
  label: (error: string) => string,
  warnings: string[],
): Inputs {
  const result = compileInputValidator(schema, which)(inputs);
  warnings.push(...result.warnings.map(label));
  if (!result.ok) throw new TemplateToolkitError(result.errors.map(label));
  return result.value;
}

function parseSpec<T extends EnvironmentSpec | ServiceSpec>(
  spec: SpecSource,
  parse: (text: string) => T,
): T {
  try {
    return parse(spec.text);
  } catch (error) {
    if (error instanceof NucleonError) {
      // The parser joins problems as `spec line N: message; spec line M: ...`.
      const parts = error.message.split(/; (?=spec line \d+: )/);
      throw new TemplateToolkitError(
        parts
          .map((part) => part.replace(/^spec line (\d+): /, ':$1: '))
          .map((part) => `${spec.file}${part.startsWith(':') ? part : `: ${part}`}`),
      );
    }
    throw error;
  }
}

/** An instance's environment: `environments[<name>]`, falling back to `environment`. */
function environmentFor(name: string, context: ToolkitContext): ToolkitEnvironmentRef {
  const entry = Object.hasOwn(context.environments, name)
    ? context.environments[name]
    : context.environment;
  const accountId = entry?.account_id;
  return {
    name,
    ...(accountId === undefined ? {} : { account_id: accountId }),
    outputs: { ...(entry?.outputs ?? {}) },
  };
}

/** `spec line 3: message` (the parser's form) as `<file>:3: message`. */
function atSpecLine(file: string, message: string): string {
  const match = /^spec line (\d+): /.exec(message);
  return match === null
    ? `${file}: ${message}`
    : `${file}:${match[1]}: ${message.slice(match[0].length)}`;
}
