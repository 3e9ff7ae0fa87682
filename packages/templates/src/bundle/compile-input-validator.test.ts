import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { compileInputValidator } from './compile-input-validator.js';
import { loadTemplateSchema } from './parse-template-schema.js';

const schema = loadTemplateSchema(
  stringify({
    schema: {
      format: { openapi: '3.0.0' },
      service_input_type: 'Svc',
      environment_input_type: 'Env',
      types: {
        Svc: {
          type: 'object',
          required: ['service_discovery_name'],
          properties: {
            port: { type: 'number', default: 80 },
            desired_count: { type: 'integer', minimum: 1, default: 1 },
            task_size: { type: 'string', enum: ['x-small', 'small'], default: 'x-small' },
            image: { type: 'string', maxLength: 200 },
            vpc_cidr: { type: 'string', pattern: '([0-9]{1,3}\\.){3}[0-9]{1,3}($|/(16|18|24))' },
            service_discovery_name: { type: 'string' },
            subnets: { type: 'array', items: { type: 'string', pattern: '^subnet-' }, maxItems: 2 },
            ratio: { type: 'number', minimum: 0, exclusiveMinimum: true, nullable: true },
            mounts: { type: 'array', items: { $ref: '#/types/Mount' }, default: [] },
          },
        },
        Mount: {
          type: 'object',
          required: ['path'],
          properties: { path: { type: 'string' }, readonly: { type: 'boolean', default: false } },
        },
        Env: { type: 'object', properties: {} },
      },
    },
  }),
);

describe('compileInputValidator', () => {
  const validate = compileInputValidator(schema, 'service');

  it('fills in defaults for omitted inputs', () => {
    expect(validate({ service_discovery_name: 'api' })).toEqual({
      ok: true,
      value: {
        service_discovery_name: 'api',
        port: 80,
        desired_count: 1,
        task_size: 'x-small',
        mounts: [],
      },
      warnings: [],
    });
  });

  it('fills in defaults inside nested objects', () => {
    const result = validate({ service_discovery_name: 'api', mounts: [{ path: '/data' }] });
    expect(result).toMatchObject({
      ok: true,
      value: { mounts: [{ path: '/data', readonly: false }] },
    });
  });

  it('does not mutate its argument', () => {
    const inputs = { service_discovery_name: 'api' };
    validate(inputs);
    expect(inputs).toEqual({ service_discovery_name: 'api' });
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ['a wrong type', { port: '80' }, ['spec.port must be number']],
    [
      'a missing required input',
      { service_discovery_name: undefined },
      ['spec: missing required input "service_discovery_name"'],
    ],
    [
      'a value outside the enum',
      { task_size: 'huge' },
      ['spec.task_size must be one of "x-small", "small"'],
    ],
    [
      'a string that is too long',
      { image: 'i'.repeat(201) },
      ['spec.image must NOT have more than 200 characters'],
    ],
    [
      'a pattern mismatch',
      { vpc_cidr: 'ten' },
      ['spec.vpc_cidr must match pattern "([0-9]{1,3}\\.){3}[0-9]{1,3}($|/(16|18|24))"'],
    ],
    ['a number below the minimum', { desired_count: 0 }, ['spec.desired_count must be >= 1']],
    ['a non-integer', { desired_count: 1.5 }, ['spec.desired_count must be integer']],
    ['an exclusive minimum', { ratio: 0 }, ['spec.ratio must be > 0']],
    [
      'an array item mismatch',
      { subnets: ['subnet-1', 'sg-1'] },
      ['spec.subnets[1] must match pattern "^subnet-"'],
    ],
    [
      'too many items',
      { subnets: ['subnet-1', 'subnet-2', 'subnet-3'] },
      ['spec.subnets must NOT have more than 2 items'],
    ],
    [
      'a nested required input',
      { mounts: [{}] },
      ['spec.mounts[0]: missing required input "path"'],
    ],
  ])('reports %s', (_label, inputs, errors) => {
    expect(validate({ service_discovery_name: 'api', ...inputs })).toEqual({
      ok: false,
      errors,
      warnings: [],
    });
  });

  it('accepts an undeclared input with a warning and leaves it out of the value', () => {
    // AWS's lambda-multi-svc sample spec passes packaging_commands; the schema says packaging_command.
    const result = validate({ service_discovery_name: 'api', packaging_commands: 'make' });
    expect(result).toEqual({
      ok: true,
      value: {
        service_discovery_name: 'api',
        port: 80,
        desired_count: 1,
        task_size: 'x-small',
        mounts: [],
      },
      warnings: [
        `spec: undeclared input "packaging_commands" is ignored (the template's schema does not declare it)`,
      ],
    });
  });

  it('accepts a nested undeclared input with a warning, still filling nested defaults', () => {
    const result = validate({ service_discovery_name: 'api', mounts: [{ path: '/', size: 1 }] });
    expect(result).toMatchObject({
      ok: true,
      value: { mounts: [{ path: '/', readonly: false }] },
      warnings: [
        `spec.mounts[0]: undeclared input "size" is ignored (the template's schema does not declare it)`,
      ],
    });
    expect(result.ok && result.value.mounts).toEqual([{ path: '/', readonly: false }]);
  });

  it('reports every problem at once, and the undeclared inputs as warnings', () => {
    const result = validate({ port: 'x', extra: true });
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : [...result.errors].sort()).toEqual([
      'spec.port must be number',
      'spec: missing required input "service_discovery_name"',
    ]);
    expect(result.warnings).toEqual([
      `spec: undeclared input "extra" is ignored (the template's schema does not declare it)`,
    ]);
  });

  it('accepts null for a nullable input', () => {
    expect(validate({ service_discovery_name: 'api', ratio: null }).ok).toBe(true);
  });

  it('treats missing inputs as an empty spec', () => {
    expect(validate(undefined)).toEqual({
      ok: false,
      errors: ['spec: missing required input "service_discovery_name"'],
      warnings: [],
    });
    expect(compileInputValidator(schema, 'environment')(null)).toEqual({
      ok: true,
      value: {},
      warnings: [],
    });
  });

  it('rejects a spec that is not a mapping', () => {
    expect(validate(['a'])).toEqual({
      ok: false,
      errors: ['spec must be a mapping of input names to values'],
      warnings: [],
    });
  });

  it('ignores inputs with a warning when the template declares no input type', () => {
    const none = compileInputValidator(schema, 'pipeline');
    expect(none(undefined)).toEqual({ ok: true, value: {}, warnings: [] });
    expect(none({})).toEqual({ ok: true, value: {}, warnings: [] });
    expect(none({ dockerfile: 'Dockerfile' })).toEqual({
      ok: true,
      value: {},
      warnings: [
        `spec: undeclared input "dockerfile" is ignored (the template's schema declares no input type for this resource)`,
      ],
    });
    expect(none('x')).toMatchObject({ ok: false });
  });

  it('caches validators per schema and kind', () => {
    expect(compileInputValidator(schema, 'service')).toBe(validate);
    expect(compileInputValidator(schema, 'environment')).not.toBe(validate);
  });
});

describe('compileInputValidator: awkward input names and type-level defaults', () => {
  const awkward = loadTemplateSchema(
    stringify({
      schema: {
        format: { openapi: '3.0.0' },
        environment_input_type: 'Env',
        types: {
          Env: {
            type: 'object',
            default: {},
            properties: {
              constructor: { type: 'string' },
              toString: { type: 'number', default: 1 },
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { hasOwnProperty: { type: 'boolean', default: true } },
                },
              },
            },
          },
        },
      },
    }),
  );
  const validate = compileInputValidator(awkward, 'environment');

  it('treats inputs named like Object.prototype members as ordinary inputs', () => {
    expect(validate({})).toEqual({ ok: true, value: { toString: 1 }, warnings: [] });
    expect(validate({ constructor: 'x', items: [{}] })).toEqual({
      ok: true,
      value: { constructor: 'x', toString: 1, items: [{ hasOwnProperty: true }] },
      warnings: [],
    });
    expect(validate({ constructor: 3 })).toEqual({
      ok: false,
      errors: ['spec.constructor must be string'],
      warnings: [],
    });
    expect(validate({ valueOf: 1 })).toEqual({
      ok: true,
      value: { toString: 1 },
      warnings: [
        `spec: undeclared input "valueOf" is ignored (the template's schema does not declare it)`,
      ],
    });
  });

  it('returns ordinary objects', () => {
    const result = validate({ items: [{}] });
    expect(result.ok && Object.getPrototypeOf(result.value)).toBe(Object.prototype);
  });
});
