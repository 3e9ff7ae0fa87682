import { describe, expect, test } from 'vitest';
import { initialRaw, rawFromSpec, typedOf, typedValues } from '../src/schema/form-values.js';
import { resolveCurrentValues } from '../src/schema/current-values.js';
import { describePattern } from '../src/schema/describe-pattern.js';
import { constraintsOf, parseTemplateSchema, type InputField } from '../src/schema/input-schema.js';
import {
  environmentSpecText,
  instanceInputsOf,
  readEnvironmentSpec,
  readServiceSpec,
  serviceSpecText,
} from '../src/schema/spec-documents.js';
import { nameProblem, specValues } from '../src/schema/spec-values.js';

const schema = `schema:
  format:
    openapi: "3.0.0"
  service_input_type: "SvcInput"
  pipeline_input_type: "PipeInput"
  types:
    SvcInput:
      type: object
      description: "Inputs of one instance"
      required: [name]
      properties:
        name:
          type: string
          title: Service name
          minLength: 2
          maxLength: 8
          pattern: "^[a-z]+$"
        port:
          type: number
          default: 80
          minimum: 1
          maximum: 65535
        replicas:
          type: integer
        size:
          type: string
          enum: [small, large]
          default: small
        public:
          type: boolean
          default: true
        subnets:
          type: array
          items:
            type: string
        tags:
          type: object
    PipeInput:
      type: object
      properties:
        dockerfile:
          type: string
          default: Dockerfile
`;

const fields = () => parseTemplateSchema(schema).service!.fields;
const field = (name: string): InputField => fields().find((f) => f.name === name)!;

describe('reading a template schema', () => {
  test('finds the input types the schema names, with every keyword the forms use', () => {
    const inputs = parseTemplateSchema(schema);
    expect(inputs.environment).toBeUndefined();
    expect(inputs.service).toMatchObject({
      typeName: 'SvcInput',
      description: 'Inputs of one instance',
    });
    expect(inputs.pipeline?.fields.map((f) => f.name)).toEqual(['dockerfile']);
    expect(field('name')).toEqual({
      name: 'name',
      type: 'string',
      required: true,
      title: 'Service name',
      minLength: 2,
      maxLength: 8,
      pattern: '^[a-z]+$',
    });
    expect(field('size')).toMatchObject({
      enum: ['small', 'large'],
      default: 'small',
      required: false,
    });
    expect(field('subnets')).toMatchObject({ type: 'array', itemType: 'string' });
  });

  test('says what is wrong with a schema it cannot use', () => {
    expect(() => parseTemplateSchema('nope: 1')).toThrow(/top-level "schema:"/);
    expect(() =>
      parseTemplateSchema('schema:\n  environment_input_type: Missing\n  types: {}\n'),
    ).toThrow(/"Missing", but types has no such entry/);
    expect(parseTemplateSchema(undefined)).toEqual({});
  });

  test('describes constraints in words', () => {
    expect(constraintsOf(field('name'))).toEqual(['2–8 characters', 'only lowercase letters']);
    expect(constraintsOf(field('port'))).toEqual(['between 1 and 65535']);
    expect(constraintsOf(field('size'))).toEqual(['one of "small", "large"']);
  });

  test.each([
    ['^[a-z]+$', 'only lowercase letters'],
    [
      '^[a-zA-Z0-9_.-]*$',
      'only lowercase letters, uppercase letters, digits, “_”, “.” and “-” (or nothing)',
    ],
    ['^[0-9]{4}$', 'only digits (exactly 4)'],
    ['^[a-z]{2,8}$', 'only lowercase letters (2–8 of them)'],
    ['^(/.*)?$', 'empty, or starting with “/”'],
    ['^arn:aws:.+$', 'starting with “arn:aws:”'],
    ['^(?:a|b)+x$', 'matching the pattern ^(?:a|b)+x$'],
    ['[a-z]', 'matching the pattern [a-z]'],
  ])('puts the pattern %s in words: %s', (pattern, words) => {
    expect(describePattern(pattern)).toBe(words);
  });

  test('shows the value an input keeps instead of ${Proton::CURRENT_VAL}', () => {
    const keep = '${Proton::CURRENT_VAL}';
    expect(
      resolveCurrentValues({ port: 9090, message: keep, size: keep }, [
        { port: 1, message: keep },
        { message: 'hello', size: 'small' },
        { message: 'older' },
      ]),
    ).toEqual({ port: 9090, message: 'hello', size: 'small' });
    expect(resolveCurrentValues({ message: keep }, [])).toEqual({});
  });
});

describe('form values', () => {
  test('start from the current inputs, else the defaults', () => {
    expect(initialRaw(fields(), { port: 8080, subnets: ['a', 'b'], tags: { team: 'x' } })).toEqual({
      name: '',
      port: '8080',
      replicas: '',
      size: 'small',
      public: true,
      subnets: 'a\nb',
      tags: 'team: x',
    });
  });

  test('are typed and checked against the schema as the user types', () => {
    expect(typedOf(field('name'), '')).toEqual({ error: 'Service name is required.' });
    expect(typedOf(field('name'), 'a')).toEqual({ error: 'Use at least 2 characters.' });
    expect(typedOf(field('name'), 'ABC')).toEqual({ error: 'Must match the pattern ^[a-z]+$.' });
    expect(typedOf(field('name'), 'web')).toEqual({ value: 'web' });
    expect(typedOf(field('port'), '80x')).toEqual({ error: 'Enter a number.' });
    expect(typedOf(field('port'), '0')).toEqual({ error: 'Must be at least 1.' });
    expect(typedOf(field('port'), ' 8080 ')).toEqual({ value: 8080 });
    expect(typedOf(field('port'), '')).toEqual({});
    expect(typedOf(field('replicas'), '1.5')).toEqual({ error: 'Enter a whole number.' });
    expect(typedOf(field('size'), 'medium')).toEqual({ error: 'Choose one of small, large.' });
    expect(typedOf(field('public'), false)).toEqual({ value: false });
    expect(typedOf(field('subnets'), 'a\n\n b \n')).toEqual({ value: ['a', 'b'] });
    expect(typedOf(field('tags'), 'team: x')).toEqual({ value: { team: 'x' } });
    expect(typedOf(field('tags'), '- a')).toEqual({
      error: 'Enter a YAML mapping (key: value lines).',
    });
    expect(typedOf(field('tags'), 'a: [')).toMatchObject({
      error: expect.stringMatching(/^Not valid YAML/),
    });
  });

  test('collect values and errors for a whole form; the YAML view keeps invalid text as typed', () => {
    const raw = { ...initialRaw(fields()), name: 'web', port: '80x' };
    expect(typedValues(fields(), raw)).toEqual({
      values: { name: 'web', size: 'small', public: true },
      errors: { port: 'Enter a number.' },
    });
    expect(specValues(fields(), raw)).toEqual({
      name: 'web',
      port: '80x',
      size: 'small',
      public: true,
    });
  });

  test('are read back from a spec typed as YAML, ignoring unknown keys', () => {
    expect(rawFromSpec(fields(), { name: 'api', port: 9000, unknown: 1 })).toMatchObject({
      name: 'api',
      port: '9000',
      public: true,
      size: '',
    });
  });
});

describe('spec documents', () => {
  test('an EnvironmentSpec round-trips', () => {
    const text = environmentSpecText({ greeting: 'hi', fail: false });
    expect(text).toBe('proton: EnvironmentSpec\nspec:\n  greeting: hi\n  fail: false\n');
    expect(readEnvironmentSpec(text)).toEqual({ greeting: 'hi', fail: false });
    expect(() => readEnvironmentSpec('- a')).toThrow(/proton: EnvironmentSpec/);
  });

  test('a ServiceSpec round-trips, and an instance finds its inputs in it', () => {
    const text = serviceSpecText({
      pipeline: { dockerfile: 'D' },
      instances: [{ name: 'a', environment: 'dev', spec: { port: 1 } }],
    });
    expect(readServiceSpec(text)).toEqual({
      pipeline: { dockerfile: 'D' },
      instances: [{ name: 'a', environment: 'dev', spec: { port: 1 } }],
    });
    expect(instanceInputsOf(text, 'a')).toEqual({ port: 1 });
    expect(instanceInputsOf(text, 'b')).toEqual({});
    expect(() => readServiceSpec('instances: 3')).toThrow(/"instances" must be a list/);
  });
});

test("resource names follow Proton's pattern", () => {
  expect(nameProblem('dev-1_a')).toBeUndefined();
  expect(nameProblem('')).toBe('A name is required.');
  expect(nameProblem('-dev')).toMatch(/letters, digits/);
  expect(nameProblem('x'.repeat(101))).toMatch(/at most 100/);
});
