import { ValidationError } from '@nucleon/core';
import { describe, expect, it } from 'vitest';
import { parseEnvironmentSpec, parseServiceSpec } from './parse-spec-file.js';

function failure(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as Error).message;
  }
  throw new Error('expected a ValidationError');
}

const SERVICE_SPEC = `proton: ServiceSpec

pipeline:
  dockerfile: Dockerfile

instances:
  - name: my-svc-prod
    environment: prod-env
    spec:
      port: 80
      image: "\${Proton::CURRENT_VAL}"
  - name: my-svc-dev
    environment: dev-env
`;

describe('parseEnvironmentSpec', () => {
  it('reads the spec values with their YAML types', () => {
    const text =
      'proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.0.0.0/16\n  count: 2\n  on: true\n  codebuild_subnets: [subnet-a, subnet-b]\n';
    expect(parseEnvironmentSpec(text)).toEqual({
      proton: 'EnvironmentSpec',
      spec: {
        vpc_cidr: '10.0.0.0/16',
        count: 2,
        on: true,
        codebuild_subnets: ['subnet-a', 'subnet-b'],
      },
      warnings: [],
    });
  });

  it('ignores an unknown key, with a warning naming its line', () => {
    expect(parseEnvironmentSpec('proton: EnvironmentSpec\ninstances: []\nspec:\n  a: 1\n')).toEqual(
      {
        proton: 'EnvironmentSpec',
        spec: { a: 1 },
        warnings: [
          'spec line 2: unknown key "instances" in a EnvironmentSpec is ignored; known keys: proton, spec',
        ],
      },
    );
  });

  it('treats a missing or empty spec as no inputs', () => {
    expect(parseEnvironmentSpec('proton: EnvironmentSpec\n').spec).toEqual({});
    expect(parseEnvironmentSpec('proton: EnvironmentSpec\nspec:\n').spec).toEqual({});
  });

  it.each<[string, string, string]>([
    ['a missing proton key', 'spec:\n  a: 1\n', 'spec line 1: missing "proton: EnvironmentSpec"'],
    [
      'the wrong kind',
      'spec:\n  a: 1\nproton: ServiceSpec\n',
      'spec line 3: proton must be "EnvironmentSpec", not "ServiceSpec"',
    ],
    [
      'a spec that is a list',
      'proton: EnvironmentSpec\nspec: [1]\n',
      'spec line 2: "spec" must be a mapping of input names to values',
    ],
    ['invalid YAML', 'proton: EnvironmentSpec\nspec: {a: 1\n', 'spec line 3: invalid YAML: '],
    [
      'duplicate keys',
      'proton: EnvironmentSpec\nspec:\n  a: 1\n  a: 2\n',
      'spec line 4: invalid YAML: Map keys must be unique',
    ],
    [
      'a document that is not a mapping',
      '- a\n',
      'spec line 1: must be a mapping starting with "proton: EnvironmentSpec"',
    ],
  ])('rejects %s', (_label, text, message) => {
    expect(failure(() => parseEnvironmentSpec(text))).toContain(message);
  });

  it('rejects a spec over 51,200 characters', () => {
    expect(
      failure(() => parseEnvironmentSpec(`proton: EnvironmentSpec\n#${'x'.repeat(51_200)}`)),
    ).toMatch(/^spec is 51225 characters; the limit is 51200$/);
  });
});

describe('parseServiceSpec', () => {
  it('reads instances, their specs and the pipeline', () => {
    expect(parseServiceSpec(SERVICE_SPEC)).toEqual({
      proton: 'ServiceSpec',
      pipeline: { dockerfile: 'Dockerfile' },
      instances: [
        {
          name: 'my-svc-prod',
          environment: 'prod-env',
          spec: { port: 80, image: '${Proton::CURRENT_VAL}' },
          line: 7,
        },
        { name: 'my-svc-dev', environment: 'dev-env', spec: {}, line: 12 },
      ],
      warnings: [],
    });
  });

  it('ignores unknown keys, warning on the file and on the instances they concern', () => {
    const parsed = parseServiceSpec(
      'proton: ServiceSpec\nversion: 2\ninstances:\n  - name: a\n    environment: e\n    inputs: {}\n  - name: b\n    environment: e\n',
    );
    const top =
      'spec line 2: unknown key "version" in a ServiceSpec is ignored; known keys: proton, instances, pipeline';
    const own =
      'spec line 6: unknown key "inputs" in an instance is ignored; known keys: name, environment, spec';
    expect(parsed.warnings).toEqual([top, own]);
    expect(parsed.instances.map((i) => i.warnings)).toEqual([[top, own], [top]]);
    expect(parsed.instances[0]?.spec).toEqual({});
  });

  it('leaves pipeline out when the spec has none', () => {
    expect(
      parseServiceSpec('proton: ServiceSpec\ninstances:\n  - name: a\n    environment: e\n')
        .pipeline,
    ).toBeUndefined();
  });

  it('allows no instances when asked to', () => {
    expect(
      parseServiceSpec('proton: ServiceSpec\npipeline: {}\n', { minInstances: 0 }).instances,
    ).toEqual([]);
  });

  it.each<[string, string, string]>([
    [
      'duplicate instance names',
      `${SERVICE_SPEC}  - name: my-svc-prod\n    environment: other\n`,
      'spec line 14: duplicate instance name "my-svc-prod" (first used on line 7)',
    ],
    ['a missing proton key', 'instances: []\n', 'spec line 1: missing "proton: ServiceSpec"'],
    [
      'the wrong kind',
      'proton: EnvironmentSpec\n',
      'spec line 1: proton must be "ServiceSpec", not "EnvironmentSpec"',
    ],
    [
      'no instances',
      'proton: ServiceSpec\n',
      'spec line 1: "instances" must be a list of service instances',
    ],
    [
      'an empty instance list',
      'proton: ServiceSpec\ninstances: []\n',
      'spec line 2: at least 1 instance required',
    ],
    [
      'an instance without environment',
      'proton: ServiceSpec\ninstances:\n  - name: a\n',
      'spec line 3: instance environment must be 1-100 letters, digits, "-" or "_", starting with a letter or digit (got null)',
    ],
    [
      'a bad instance name',
      'proton: ServiceSpec\ninstances:\n  - name: -bad name\n    environment: e\n',
      'spec line 3: instance name must be 1-100 letters',
    ],
    [
      'an instance that is not a mapping',
      'proton: ServiceSpec\ninstances:\n  - a\n',
      'spec line 3: each instance must be a mapping with name, environment and spec',
    ],
    [
      'a pipeline that is not a mapping',
      'proton: ServiceSpec\npipeline: yes\ninstances:\n  - name: a\n    environment: e\n',
      'spec line 2: "pipeline" must be a mapping of input names to values',
    ],
  ])('rejects %s', (_label, text, message) => {
    expect(failure(() => parseServiceSpec(text))).toContain(message);
  });

  it('reports several problems in one error', () => {
    const text =
      'proton: ServiceSpec\ninstances:\n  - name: a\n    environment: e\n  - name: a\n    environment: e\n  - name: b\n';
    expect(failure(() => parseServiceSpec(text))).toBe(
      'spec line 5: duplicate instance name "a" (first used on line 3); spec line 7: instance environment must be 1-100 letters, digits, "-" or "_", starting with a letter or digit (got null)',
    );
  });
});
