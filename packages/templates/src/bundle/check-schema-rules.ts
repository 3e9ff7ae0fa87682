import type { BundleProblem } from './bundle-problem.js';
import {
  lookupType,
  refTypeName,
  resolveSchemaRef,
  type ParsedTemplateSchema,
  type SchemaObject,
} from './template-schema-types.js';
import type { YamlSource } from './yaml-source.js';

/** What the template a schema belongs to is, so that kind-specific rules can be applied. */
export interface SchemaRules {
  readonly templateKind?: 'ENVIRONMENT' | 'SERVICE';
  /** Environment template whose provisioning is CUSTOMER_MANAGED. */
  readonly customerManaged?: boolean;
  /** Service template with a pipeline (`pipelineProvisioning` not CUSTOMER_MANAGED). */
  readonly pipeline?: boolean;
}

/**
 * Kind rules (spec §4.2–4.3): environment templates declare only `environment_input_type`;
 * service templates declare `service_input_type`, and `pipeline_input_type` exactly when they
 * have a pipeline; customer-managed environments take string inputs without defaults (they
 * describe outputs of infrastructure provisioned elsewhere).
 */
export function checkSchemaRules(
  schema: ParsedTemplateSchema,
  rules: SchemaRules,
  source: YamlSource,
): BundleProblem[] {
  const problems: BundleProblem[] = [];
  const at = (key: string, message: string): void => {
    problems.push(source.problem(['schema', key], message));
  };
  if (rules.templateKind === 'ENVIRONMENT') {
    if (schema.environmentInputType === undefined) {
      at(
        'types',
        'environment_input_type is missing; environment templates name their input type there',
      );
    }
    if (schema.serviceInputType !== undefined)
      at('service_input_type', 'service_input_type is not allowed in an environment template');
    if (schema.pipelineInputType !== undefined)
      at('pipeline_input_type', 'pipeline_input_type is not allowed in an environment template');
    if (rules.customerManaged === true) problems.push(...customerManagedProblems(schema, source));
  }
  if (rules.templateKind === 'SERVICE') {
    if (schema.serviceInputType === undefined) {
      at(
        'types',
        'service_input_type is missing; service templates name their instance input type there',
      );
    }
    if (schema.environmentInputType !== undefined) {
      at('environment_input_type', 'environment_input_type is not allowed in a service template');
    }
    if (rules.pipeline === true && schema.pipelineInputType === undefined) {
      at(
        'types',
        'pipeline_input_type is missing; it is required because the template has a pipeline',
      );
    }
    if (rules.pipeline === false && schema.pipelineInputType !== undefined) {
      at(
        'pipeline_input_type',
        'pipeline_input_type is not allowed because the template has no pipeline (pipelineProvisioning is CUSTOMER_MANAGED); remove it',
      );
    }
  }
  return problems;
}

function customerManagedProblems(
  schema: ParsedTemplateSchema,
  source: YamlSource,
): BundleProblem[] {
  const name = schema.environmentInputType;
  const type = lookupType(schema.types, name);
  if (name === undefined || type === undefined) return [];
  const problems: BundleProblem[] = [];
  for (const [input, declared] of Object.entries(type.properties ?? {})) {
    const resolved = resolveSchemaRef(schema, declared);
    const path = ['schema', 'types', name, 'properties', input];
    if (resolved?.type !== 'string') {
      problems.push(
        source.problem(
          path,
          `customer-managed environment input "${input}" must be type string (it is ${resolved?.type ?? 'unknown'}); its value is an output of infrastructure provisioned elsewhere`,
        ),
      );
    }
    if (resolved?.default !== undefined) {
      problems.push(
        source.problem(
          [...path, 'default'],
          `customer-managed environment input "${input}" must not have a default`,
        ),
      );
    }
  }
  return problems;
}

/**
 * Reports types that reach themselves through `$ref` (directly or via other types). Recursive
 * input types cannot be filled from a finite spec and would loop the compatibility checks.
 */
export function findRefCycles(schema: ParsedTemplateSchema, source: YamlSource): BundleProblem[] {
  const edges = new Map<string, string[]>();
  for (const [name, object] of Object.entries(schema.types)) edges.set(name, collectRefs(object));
  const problems: BundleProblem[] = [];
  const reported = new Set<string>();
  for (const start of edges.keys()) {
    const cycle = findCycleFrom(start, edges);
    if (cycle === undefined || reported.has(start)) continue;
    cycle.forEach((name) => reported.add(name));
    problems.push(
      source.problem(
        ['schema', 'types', start],
        `type "${start}" refers back to itself through $ref (${cycle.join(' → ')}); recursive types are not supported`,
      ),
    );
  }
  return problems;
}

function collectRefs(object: SchemaObject): string[] {
  const refs: string[] = [];
  const target = object.$ref === undefined ? undefined : refTypeName(object.$ref);
  if (target !== undefined) refs.push(target);
  for (const child of Object.values(object.properties ?? {})) refs.push(...collectRefs(child));
  if (object.items !== undefined) refs.push(...collectRefs(object.items));
  return refs;
}

function findCycleFrom(
  start: string,
  edges: ReadonlyMap<string, readonly string[]>,
): string[] | undefined {
  const stack: { name: string; path: string[] }[] = [{ name: start, path: [start] }];
  const visited = new Set<string>();
  while (stack.length > 0) {
    const { name, path } = stack.pop() as { name: string; path: string[] };
    for (const next of edges.get(name) ?? []) {
      if (next === start) return [...path, start];
      if (!visited.has(next)) {
        visited.add(next);
        stack.push({ name: next, path: [...path, next] });
      }
    }
  }
  return undefined;
}
