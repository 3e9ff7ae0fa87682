import { describe, expect, it } from 'vitest';
import { checkMinorCompatibility, classifySchemaChange } from './classify-schema-change.js';
import type { ParsedTemplateSchema, SchemaObject } from './template-schema-types.js';

/** A service template schema whose service input type has `properties` (and `required`). */
function service(
  properties: Record<string, SchemaObject>,
  required: string[] = [],
  extra: Partial<ParsedTemplateSchema> = {},
): ParsedTemplateSchema {
  return {
    serviceInputType: 'Svc',
    ...extra,
    types: { Svc: { type: 'object', properties, required }, ...extra.types },
  };
}

const port: SchemaObject = { type: 'number', default: 80 };
const size: SchemaObject = { type: 'string', enum: ['s', 'm', 'l'], default: 's' };
const name: SchemaObject = { type: 'string', minLength: 1, maxLength: 20 };

describe('checkMinorCompatibility: breaking changes', () => {
  it.each<[string, ParsedTemplateSchema, ParsedTemplateSchema, string[]]>([
    [
      'a removed input',
      service({ port, size }),
      service({ size }),
      ['input "port" of the service input type was removed'],
    ],
    [
      'a retyped input',
      service({ size }),
      service({ size: { type: 'number' } }),
      ['input "size" changed type from string to number'],
    ],
    [
      'number narrowed to integer',
      service({ port }),
      service({ port: { type: 'integer', default: 80 } }),
      ['input "port" changed type from number to integer'],
    ],
    [
      'a new required input without default',
      service({ port }),
      service({ port, db: { type: 'string' } }, ['db']),
      ['input "db" is newly required without a default'],
    ],
    [
      'an optional input made required',
      service({ name }),
      service({ name }, ['name']),
      ['input "name" is newly required without a default'],
    ],
    [
      'a narrowed enum',
      service({ size }),
      service({ size: { ...size, enum: ['s', 'm'] } }),
      ['input "size" no longer allows "l"'],
    ],
    [
      'an enum added',
      service({ name }),
      service({ name: { ...name, enum: ['a'] } }),
      ['input "name" is now restricted to "a"'],
    ],
    [
      'an added pattern',
      service({ name }),
      service({ name: { ...name, pattern: '^[a-z]+$' } }),
      ['input "name" added pattern "^[a-z]+$"'],
    ],
    [
      'a changed pattern',
      service({ name: { ...name, pattern: '^a' } }),
      service({ name: { ...name, pattern: '^b' } }),
      ['input "name" changed pattern from "^a" to "^b"'],
    ],
    [
      'a raised minLength',
      service({ name }),
      service({ name: { ...name, minLength: 3 } }),
      ['input "name" tightened minLength from 1 to 3'],
    ],
    [
      'a lowered maxLength',
      service({ name }),
      service({ name: { ...name, maxLength: 10 } }),
      ['input "name" tightened maxLength from 20 to 10'],
    ],
    [
      'an added maximum',
      service({ port }),
      service({ port: { ...port, maximum: 65535 } }),
      ['input "port" added maximum 65535'],
    ],
    [
      'a raised minimum',
      service({ port: { ...port, minimum: 0 } }),
      service({ port: { ...port, minimum: 1 } }),
      ['input "port" tightened minimum from 0 to 1'],
    ],
    [
      'a minimum made exclusive',
      service({ port: { ...port, minimum: 0 } }),
      service({ port: { ...port, minimum: 0, exclusiveMinimum: true } }),
      ['input "port" tightened minimum from 0 to 0 (exclusive)'],
    ],
    [
      'a lowered maxItems',
      service({ l: { type: 'array', items: { type: 'string' }, maxItems: 5 } }),
      service({ l: { type: 'array', items: { type: 'string' }, maxItems: 2 } }),
      ['input "l" tightened maxItems from 5 to 2'],
    ],
    [
      'items retyped',
      service({ l: { type: 'array', items: { type: 'string' } } }),
      service({ l: { type: 'array', items: { type: 'number' } } }),
      ['input "l[]" changed type from string to number'],
    ],
    [
      'a nested input removed',
      service({ db: { type: 'object', properties: { host: { type: 'string' }, port } } }),
      service({ db: { type: 'object', properties: { host: { type: 'string' } } } }),
      ['input "db.port" of the service input type was removed'],
    ],
    [
      'nullable dropped',
      service({ name: { ...name, nullable: true } }),
      service({ name }),
      ['input "name" no longer accepts null'],
    ],
    [
      'uniqueItems added',
      service({ l: { type: 'array', items: { type: 'string' } } }),
      service({ l: { type: 'array', items: { type: 'string' }, uniqueItems: true } }),
      ['input "l" now requires unique items'],
    ],
    [
      'a required input losing its default',
      service({ port }, ['port']),
      service({ port: { type: 'number' } }, ['port']),
      ['input "port" is required and no longer has a default'],
    ],
    [
      'the pipeline input type removed',
      service({ port }, [], {
        pipelineInputType: 'Pipe',
        types: { Pipe: { type: 'object', properties: {} } },
      }),
      service({ port }),
      ['the pipeline input type "Pipe" was removed'],
    ],
    [
      'a renamed input type with different properties',
      service({ port }),
      { serviceInputType: 'Svc2', types: { Svc2: { type: 'object', properties: { size } } } },
      ['input "port" of the service input type was removed'],
    ],
    [
      'a pipeline input retyped',
      service({}, [], {
        pipelineInputType: 'P',
        types: { P: { type: 'object', properties: { dockerfile: { type: 'string' } } } },
      }),
      service({}, [], {
        pipelineInputType: 'P',
        types: { P: { type: 'object', properties: { dockerfile: { type: 'boolean' } } } },
      }),
      ['pipeline input "dockerfile" changed type from string to boolean'],
    ],
    [
      'an input type added with required inputs',
      { environmentInputType: 'E', types: { E: { type: 'object', properties: {} } } },
      {
        environmentInputType: 'E',
        serviceInputType: 'S',
        types: {
          E: { type: 'object', properties: {} },
          S: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
        },
      },
      ['the service input type "S" was added with required inputs without defaults: "a"'],
    ],
  ])('reports %s', (_label, previous, next, messages) => {
    expect(checkMinorCompatibility(previous, next)).toEqual(messages);
    expect(classifySchemaChange(previous, next).compatible).toBe(false);
  });

  it('follows $ref on both sides', () => {
    const previous: ParsedTemplateSchema = {
      serviceInputType: 'Svc',
      types: {
        Svc: { type: 'object', properties: { mount: { $ref: '#/types/M' } } },
        M: { type: 'object', properties: { path: { type: 'string' } } },
      },
    };
    const next: ParsedTemplateSchema = {
      serviceInputType: 'Svc',
      types: {
        Svc: { type: 'object', properties: { mount: { $ref: '#/types/M' } } },
        M: { type: 'object', properties: { path: { type: 'string', pattern: '^/' } } },
      },
    };
    expect(checkMinorCompatibility(previous, next)).toEqual([
      'input "mount.path" added pattern "^/"',
    ]);
  });
});

describe('checkMinorCompatibility: compatible changes', () => {
  it.each<[string, ParsedTemplateSchema, ParsedTemplateSchema]>([
    ['no change', service({ port, size, name }), service({ port, size, name })],
    ['an added optional input', service({ port }), service({ port, size })],
    [
      'an added required input with a default',
      service({ port }),
      service({ port, size }, ['size']),
    ],
    [
      'an optional input made required with a default',
      service({ port }),
      service({ port }, ['port']),
    ],
    ['a required input made optional', service({ name }, ['name']), service({ name })],
    [
      'a widened enum',
      service({ size }),
      service({ size: { ...size, enum: ['s', 'm', 'l', 'xl'] } }),
    ],
    ['a removed enum', service({ size }), service({ size: { type: 'string', default: 's' } })],
    ['a removed pattern', service({ name: { ...name, pattern: '^a' } }), service({ name })],
    [
      'relaxed bounds',
      service({ name }),
      service({ name: { type: 'string', minLength: 0, maxLength: 50 } }),
    ],
    [
      'integer widened to number',
      service({ port: { type: 'integer' } }),
      service({ port: { type: 'number' } }),
    ],
    ['a changed default', service({ port }), service({ port: { type: 'number', default: 8080 } })],
    ['an added default', service({ name }), service({ name: { ...name, default: 'x' } })],
    [
      'documentation changes',
      service({ port }),
      service({ port: { ...port, title: 'Port', description: 'The port' } }),
    ],
    [
      'a renamed input type with the same properties',
      service({ port }),
      { serviceInputType: 'Other', types: { Other: { type: 'object', properties: { port } } } },
    ],
    [
      'an added optional input type',
      { environmentInputType: 'E', types: { E: { type: 'object', properties: {} } } },
      {
        environmentInputType: 'E',
        pipelineInputType: 'P',
        types: {
          E: { type: 'object', properties: {} },
          P: { type: 'object', properties: { a: { type: 'string' } } },
        },
      },
    ],
  ])('accepts %s', (_label, previous, next) => {
    expect(checkMinorCompatibility(previous, next)).toEqual([]);
    expect(classifySchemaChange(previous, next).compatible).toBe(true);
  });
});

describe('classifySchemaChange', () => {
  it('lists breaking and compatible changes for a --previous report', () => {
    const previous = service({ port, size, name });
    const next = service({
      port: { type: 'number', default: 8080 },
      size: { ...size, enum: ['s', 'm', 'xl'] },
      tag: { type: 'string' },
    });
    expect(classifySchemaChange(previous, next)).toEqual({
      compatible: false,
      changes: [
        {
          input: 'name',
          inputType: 'service',
          kind: 'removed',
          breaking: true,
          message: 'input "name" of the service input type was removed',
        },
        {
          input: 'port',
          inputType: 'service',
          kind: 'changed',
          breaking: false,
          message: 'input "port" default changed from 80 to 8080',
        },
        {
          input: 'size',
          inputType: 'service',
          kind: 'changed',
          breaking: true,
          message: 'input "size" no longer allows "l"',
        },
        {
          input: 'size',
          inputType: 'service',
          kind: 'changed',
          breaking: false,
          message: 'input "size" now also allows "xl"',
        },
        {
          input: 'tag',
          inputType: 'service',
          kind: 'added',
          breaking: false,
          message: 'input "tag" was added',
        },
      ],
    });
  });

  it('reports a renamed input type as a compatible change', () => {
    const report = classifySchemaChange(service({ port }), {
      serviceInputType: 'Other',
      types: { Other: { type: 'object', properties: { port } } },
    });
    expect(report.changes).toEqual([
      {
        input: 'service_input_type',
        inputType: 'service',
        kind: 'changed',
        breaking: false,
        message: 'the service input type was renamed from "Svc" to "Other"',
      },
    ]);
  });
});
