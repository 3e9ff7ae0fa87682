import { ValidationError } from '@nucleon/core';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { formatBundleProblems } from './bundle-problem.js';
import {
  loadTemplateSchema,
  parseTemplateSchema,
  type SchemaRules,
} from './parse-template-schema.js';

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

describe('parseTemplateSchema: valid schemas', () => {
  it('parses the input type names and types', () => {
    const text = envSchema({
      vpc_cidr: { type: 'string', default: '10.0.0.0/16', pattern: '([0-9]{1,3}\\.){3}[0-9]{1,3}' },
    });
    const { schema, problems } = parseTemplateSchema(text, { templateKind: 'ENVIRONMENT' });
    expect(problems).toEqual([]);
    expect(schema?.environmentInputType).toBe('EnvInput');
    expect(schema?.types.EnvInput?.properties?.vpc_cidr?.default).toBe('10.0.0.0/16');
  });

  it('accepts every supported keyword, $ref, nested objects in arrays and x- extensions', () => {
    const text = stringify({
      schema: {
        format: { openapi: '3.0.0' },
        service_input_type: 'Svc',
        pipeline_input_type: 'Pipe',
        types: {
          Svc: {
            type: 'object',
            description: 'd',
            'x-ui-order': 1,
            required: ['port'],
            properties: {
              port: {
                type: 'integer',
                minimum: 0,
                exclusiveMinimum: true,
                maximum: 65535,
                default: 80,
                format: 'int32',
              },
              ratio: {
                type: 'number',
                exclusiveMaximum: 1,
                nullable: true,
                example: 0.5,
                examples: [0.1],
              },
              name: {
                type: 'string',
                title: 'Name',
                minLength: 1,
                maxLength: 20,
                deprecated: false,
                readOnly: false,
                writeOnly: false,
              },
              tags: {
                type: 'array',
                items: { type: 'string' },
                minItems: 0,
                maxItems: 3,
                uniqueItems: true,
                default: [],
              },
              mounts: { type: 'array', items: { $ref: '#/types/Mount' } },
              size: { type: 'string', enum: ['s', 'm'], default: 's' },
              flag: { type: 'boolean', default: true },
            },
          },
          Mount: {
            type: 'object',
            required: ['path'],
            properties: { path: { type: 'string' }, readonly: { type: 'boolean' } },
          },
          Pipe: { type: 'object', properties: {} },
        },
      },
    });
    expect(problemsOf(text, { templateKind: 'SERVICE', pipeline: true })).toEqual([]);
  });
});

describe('parseTemplateSchema: problems', () => {
  it.each<[string, string, RegExp]>([
    ['invalid YAML', 'schema:\n  types: [\n', /^invalid YAML: /],
    [
      'duplicate keys',
      'schema:\n  types: {}\n  types: {}\n',
      /^invalid YAML: Map keys must be unique/,
    ],
    ['an unresolved tag', 'schema: !Ref x\n', /^invalid YAML: Unresolved tag: !Ref/],
    [
      'several documents',
      'schema: {}\n---\nschema: {}\n',
      /^invalid YAML: Source contains multiple documents/,
    ],
    ['no top-level schema', 'types: {}\n', /^must have a top-level "schema:" mapping$/],
    [
      'an extra top-level key',
      envSchema({ a: { type: 'string' } }) + 'extra: 1\n',
      /^unknown top-level key "extra"/,
    ],
    [
      'an unknown schema key',
      envSchema({ a: { type: 'string' } }, {}, { inputs: {} }),
      /^unknown key "schema.inputs"; allowed: format, /,
    ],
    [
      'a wrong openapi format',
      envSchema({ a: { type: 'string' } }, {}, { format: { openapi: '3.1.0' } }),
      /^schema.format.openapi must be "3.0.0"$/,
    ],
    [
      'types that are not a mapping',
      envSchema({}, {}, { types: ['EnvInput'] }),
      /^schema.types must be a mapping/,
    ],
    [
      'an input type that is not an object',
      envSchema({}, { type: 'string', properties: undefined }),
      /^input type "EnvInput" \(environment_input_type\) must be "type: object" with "properties"$/,
    ],
    [
      'an unknown keyword',
      envSchema({ size: { type: 'string', oneOf: [] } }),
      /^unknown schema keyword "oneOf" in types.EnvInput.properties.size; allowed: \$ref, type, /,
    ],
    [
      'a missing type',
      envSchema({ size: { description: 'x' } }),
      /^types.EnvInput.properties.size is missing "type"/,
    ],
    [
      'an unknown type',
      envSchema({ size: { type: 'str' } }),
      /^types.EnvInput.properties.size has type "str"; use one of string, number, integer, boolean, array, object$/,
    ],
    [
      'an invalid pattern',
      envSchema({ size: { type: 'string', pattern: '([a-z]' } }),
      /^pattern "\(\[a-z\]" in types.EnvInput.properties.size is not a valid regular expression: /,
    ],
    [
      'a negative minLength',
      envSchema({ size: { type: 'string', minLength: -1 } }),
      /^"minLength" in types.EnvInput.properties.size must be a non-negative integer$/,
    ],
    [
      'a keyword for another type',
      envSchema({ port: { type: 'number', maxLength: 3 } }),
      /^"maxLength" in types.EnvInput.properties.port applies only to type string, but the type is number$/,
    ],
    [
      'min greater than max',
      envSchema({ port: { type: 'number', minimum: 10, maximum: 1 } }),
      /^minimum \(10\) is greater than maximum \(1\) in types.EnvInput.properties.port$/,
    ],
    [
      'an empty enum',
      envSchema({ size: { type: 'string', enum: [] } }),
      /^"enum" in types.EnvInput.properties.size must be a non-empty list/,
    ],
    [
      'a repeated enum value',
      envSchema({ size: { type: 'string', enum: ['a', 'a'] } }),
      /lists a value more than once/,
    ],
    [
      'a default of the wrong type',
      envSchema({ port: { type: 'number', default: 'abc' } }),
      /^default "abc" of types.EnvInput.properties.port does not satisfy its own schema: the default must be number$/,
    ],
    [
      'a default outside the enum',
      envSchema({ size: { type: 'string', enum: ['s', 'm'], default: 'xl' } }),
      /^default "xl" .* the default must be one of "s", "m"$/,
    ],
    [
      'a default breaking its pattern',
      envSchema({ cidr: { type: 'string', pattern: '^10\\.', default: '192.168.0.0/16' } }),
      /the default must match pattern "\^10\\\."$/,
    ],
    [
      'a default too long',
      envSchema({ name: { type: 'string', maxLength: 3, default: 'abcd' } }),
      /the default must NOT have more than 3 characters$/,
    ],
    [
      'an enum value of the wrong type',
      envSchema({ size: { type: 'string', enum: ['s', 3] } }),
      /^enum value 3 of types.EnvInput.properties.size is invalid: the value must be string$/,
    ],
    [
      'a $ref that does not resolve',
      envSchema({ m: { $ref: '#/types/Nope' } }),
      /^\$ref "#\/types\/Nope" in types.EnvInput.properties.m does not resolve; define type "Nope" under types$/,
    ],
    [
      'a $ref outside types',
      envSchema({ m: { $ref: '#/definitions/X' } }),
      /^\$ref in types.EnvInput.properties.m must look like "#\/types\/<TypeName>"$/,
    ],
    [
      'keywords next to $ref',
      envSchema({ m: { $ref: '#/types/EnvInput', type: 'object' } }),
      /combines \$ref with "type"/,
    ],
    [
      'a required input that is not defined',
      envSchema({ a: { type: 'string' } }, { required: ['b'] }),
      /^required input "b" in types.EnvInput is not defined under properties$/,
    ],
    [
      'a tuple-form items',
      envSchema({ l: { type: 'array', items: [{ type: 'string' }] } }),
      /"items" in types.EnvInput.properties.l must be a single schema/,
    ],
    [
      'an array without items',
      envSchema({ l: { type: 'array' } }),
      /^types.EnvInput.properties.l is an array but has no "items" schema$/,
    ],
    [
      'an object without properties',
      envSchema({ o: { type: 'object' } }),
      /is an object but has no "properties"$/,
    ],
    [
      'an input name over 100 characters',
      envSchema({ ['n'.repeat(101)]: { type: 'string' } }),
      /is longer than 100 characters$/,
    ],
    [
      'an input named __proto__',
      'schema:\n  format: {openapi: "3.0.0"}\n  environment_input_type: EnvInput\n  types:\n    EnvInput:\n      type: object\n      properties:\n        __proto__: {type: string}\n',
      /^input name "__proto__" in types.EnvInput is not allowed$/,
    ],
    [
      'exclusiveMinimum: true without minimum',
      envSchema({ p: { type: 'number', exclusiveMinimum: true } }),
      /^exclusiveMinimum: true in types.EnvInput.properties.p needs "minimum"$/,
    ],
    [
      'a non-string description',
      envSchema({ p: { type: 'number', description: 3 } }),
      /^"description" in types.EnvInput.properties.p must be a string$/,
    ],
  ])('reports %s', (_label, text, message) => {
    const problems = problemsOf(text);
    expect(
      problems.some((p) => message.test(p)),
      problems.join('\n'),
    ).toBe(true);
  });

  it('stops a YAML alias bomb (billion laughs)', () => {
    let body = '    a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 9; i++)
      body += `    a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]\n`;
    expect(problemsOf(`schema:\n  x:\n${body}`)).toEqual([
      'invalid YAML: Excessive alias count indicates a resource exhaustion attack',
    ]);
  });

  it('reports types that refer to themselves through $ref', () => {
    const text = stringify({
      schema: {
        format: { openapi: '3.0.0' },
        environment_input_type: 'A',
        types: {
          A: { type: 'object', properties: { b: { $ref: '#/types/B' } } },
          B: { type: 'object', properties: { a: { type: 'array', items: { $ref: '#/types/A' } } } },
        },
      },
    });
    expect(problemsOf(text)).toEqual([
      'type "A" refers back to itself through $ref (A → B → A); recursive types are not supported',
    ]);
  });

  it('names the file and line in the status message', () => {
    const text = [
      'schema:',
      '  format:',
      '    openapi: "3.0.0"',
      '  environment_input_type: "EnvInput"',
      '  types:',
      '    EnvironmentInput:',
      '      type: object',
      '      properties: {}',
    ].join('\n');
    expect(formatBundleProblems(parseTemplateSchema(text).problems)).toBe(
      'schema/schema.yaml:4: environment_input_type "EnvInput" is not defined under types',
    );
  });

  it('points at the line of a bad keyword', () => {
    const text = envSchema({ size: { type: 'string', oneOf: [] } });
    const problem = parseTemplateSchema(text).problems[0];
    const line = text.split('\n').findIndex((l) => l.includes('oneOf')) + 1;
    expect(problem).toMatchObject({ file: 'schema/schema.yaml', line });
  });
});

describe('loadTemplateSchema', () => {
  it('returns the schema of a valid text', () => {
    expect(loadTemplateSchema(envSchema({ a: { type: 'string' } })).environmentInputType).toBe(
      'EnvInput',
    );
  });

  it('throws a ValidationError listing the problems', () => {
    expect(() => loadTemplateSchema('schema: {}\n')).toThrow(ValidationError);
    expect(() => loadTemplateSchema('schema: {}\n')).toThrow(
      /schema\/schema.yaml:1: schema.format.openapi must be "3.0.0"/,
    );
  });
});
