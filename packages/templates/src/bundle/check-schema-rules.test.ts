import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseTemplateSchema, type SchemaRules } from './parse-template-schema.js';

/** A schema.yaml text with one environment input type `EnvInput` holding `properties`. */
function envSchema(
  properties: Record<string, unknown>,
  type: Record<string, unknown> = {},
  body: Record<string, unknown> = {},
): string {
  return stringify({
    schema: {
      format: { openapi: '3.0.0' },
      environment_input_type: 'EnvInput',
      types: { EnvInput: { type: 'object', properties, ...type } },
      ...body,
    },
  });
}

function problemsOf(text: string, rules?: SchemaRules): string[] {
  return parseTemplateSchema(text, rules).problems.map((p) => p.message);
}

describe('parseTemplateSchema: template-kind rules', () => {
  const service = (body: Record<string, unknown>): string =>
    stringify({
      schema: {
        format: { openapi: '3.0.0' },
        ...body,
        types: {
          S: { type: 'object', properties: { port: { type: 'number' } } },
          P: { type: 'object', properties: {} },
        },
      },
    });

  it.each<[string, string, SchemaRules, string]>([
    [
      'an environment schema without environment_input_type',
      service({}),
      { templateKind: 'ENVIRONMENT' },
      'environment_input_type is missing; environment templates name their input type there',
    ],
    [
      'service_input_type in an environment schema',
      envSchema({}, {}, { service_input_type: 'EnvInput' }),
      { templateKind: 'ENVIRONMENT' },
      'service_input_type is not allowed in an environment template',
    ],
    [
      'pipeline_input_type in an environment schema',
      envSchema({}, {}, { pipeline_input_type: 'EnvInput' }),
      { templateKind: 'ENVIRONMENT' },
      'pipeline_input_type is not allowed in an environment template',
    ],
    [
      'a service schema without service_input_type',
      service({ pipeline_input_type: 'P' }),
      { templateKind: 'SERVICE' },
      'service_input_type is missing; service templates name their instance input type there',
    ],
    [
      'environment_input_type in a service schema',
      service({ service_input_type: 'S', environment_input_type: 'S' }),
      { templateKind: 'SERVICE' },
      'environment_input_type is not allowed in a service template',
    ],
    [
      'a pipeline template without pipeline_input_type',
      service({ service_input_type: 'S' }),
      { templateKind: 'SERVICE', pipeline: true },
      'pipeline_input_type is missing; it is required because the template has a pipeline',
    ],
    [
      'pipeline_input_type without a pipeline',
      service({ service_input_type: 'S', pipeline_input_type: 'P' }),
      { templateKind: 'SERVICE', pipeline: false },
      'pipeline_input_type is not allowed because the template has no pipeline (pipelineProvisioning is CUSTOMER_MANAGED); remove it',
    ],
    [
      'a number input in a customer-managed environment',
      envSchema({ port: { type: 'number' } }),
      { templateKind: 'ENVIRONMENT', customerManaged: true },
      'customer-managed environment input "port" must be type string (it is number); its value is an output of infrastructure provisioned elsewhere',
    ],
    [
      'a default in a customer-managed environment',
      envSchema({ vpc: { type: 'string', default: 'vpc-1' } }),
      { templateKind: 'ENVIRONMENT', customerManaged: true },
      'customer-managed environment input "vpc" must not have a default',
    ],
  ])('reports %s', (_label, text, rules, message) => {
    expect(problemsOf(text, rules)).toEqual([message]);
  });

  it('accepts a service schema without pipeline type when there is no pipeline', () => {
    expect(
      problemsOf(service({ service_input_type: 'S' }), {
        templateKind: 'SERVICE',
        pipeline: false,
      }),
    ).toEqual([]);
  });

  it('accepts string-only customer-managed inputs', () => {
    const text = envSchema(
      { VpcId: { type: 'string', pattern: '^vpc-' } },
      { required: ['VpcId'] },
    );
    expect(problemsOf(text, { templateKind: 'ENVIRONMENT', customerManaged: true })).toEqual([]);
  });
});
