import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  compileInputValidator,
  formatBundleProblems,
  packBundleDirectory,
  parseEnvironmentSpec,
  parseServiceSpec,
  readBundleDirectory,
  unpackBundleArchive,
  validateBundle,
  type BundleValidationOptions,
  type ManifestEngine,
} from '../../src/bundle/index.js';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

interface FixtureCase {
  readonly name: string;
  readonly options: BundleValidationOptions;
  readonly engines: Readonly<
    Partial<Record<'environment' | 'instance' | 'pipeline', ManifestEngine>>
  >;
}

const FIXTURES: readonly FixtureCase[] = [
  {
    name: 'environment-cloudformation',
    options: { templateKind: 'ENVIRONMENT' },
    engines: { environment: 'cloudformation' },
  },
  {
    name: 'environment-terraform',
    options: { templateKind: 'ENVIRONMENT' },
    engines: { environment: 'terraform' },
  },
  {
    name: 'environment-codebuild',
    options: { templateKind: 'ENVIRONMENT' },
    engines: { environment: 'codebuild' },
  },
  {
    name: 'environment-customer-managed',
    options: { templateKind: 'ENVIRONMENT', customerManaged: true },
    engines: {},
  },
  {
    name: 'service-cloudformation-pipeline',
    options: { templateKind: 'SERVICE', pipeline: true },
    engines: { instance: 'cloudformation', pipeline: 'cloudformation' },
  },
];

describe.each(FIXTURES)('fixture bundle $name', ({ name, options, engines }) => {
  it('is a valid bundle for its template kind', async () => {
    const result = validateBundle(await readBundleDirectory(fixture(name)), options);
    expect(formatBundleProblems(result.problems)).toBe('');
    expect(result.schema).toBeDefined();
    const found = Object.fromEntries(
      Object.entries(result.infrastructure ?? {}).map(([key, m]) => [
        key,
        (m as { engine: string }).engine,
      ]),
    );
    expect(found).toEqual(engines);
  });

  it('survives packBundleDirectory and unpackBundleArchive unchanged', async () => {
    const files = await readBundleDirectory(fixture(name));
    const archive = await packBundleDirectory(fixture(name));
    expect(archive.length).toBeLessThan(5 * 1024 * 1024);
    const unpacked = await unpackBundleArchive(archive);
    expect(unpacked).toEqual(files);
    expect(validateBundle(unpacked, options).problems).toEqual([]);
  });

  it('accepts its example spec (specs/<name>.yaml) and fills in defaults', async () => {
    const { schema } = validateBundle(await readBundleDirectory(fixture(name)), options);
    if (schema === undefined) throw new Error('fixture schema did not parse');
    const text = await readFile(fixture(`specs/${name}.yaml`), 'utf8');
    if (options.templateKind === 'ENVIRONMENT') {
      const result = compileInputValidator(schema, 'environment')(parseEnvironmentSpec(text).spec);
      expect(result).toMatchObject({ ok: true });
      return;
    }
    const spec = parseServiceSpec(text);
    for (const instance of spec.instances) {
      expect(compileInputValidator(schema, 'service')(instance.spec)).toMatchObject({ ok: true });
    }
    expect(compileInputValidator(schema, 'pipeline')(spec.pipeline)).toMatchObject({ ok: true });
  });
});

describe('fixture bundles used for the wrong kind of template', () => {
  it.each<[string, BundleValidationOptions, RegExp]>([
    [
      'environment-cloudformation',
      { templateKind: 'SERVICE' },
      /infrastructure\/: belongs in environment template bundles/,
    ],
    [
      'environment-cloudformation',
      { templateKind: 'ENVIRONMENT', customerManaged: true },
      /infrastructure\/: must not exist: customer-managed/,
    ],
    [
      'environment-customer-managed',
      { templateKind: 'ENVIRONMENT' },
      /infrastructure\/manifest.yaml: is missing/,
    ],
    [
      'service-cloudformation-pipeline',
      { templateKind: 'SERVICE', pipeline: false },
      /pipeline_infrastructure\/: must not exist/,
    ],
    [
      'service-cloudformation-pipeline',
      { templateKind: 'ENVIRONMENT' },
      /service_input_type is not allowed in an environment template/,
    ],
  ])('%s as %j is refused', async (name, options, message) => {
    const result = validateBundle(await readBundleDirectory(fixture(name)), options);
    expect(formatBundleProblems(result.problems)).toMatch(message);
  });
});

describe('fixture specs', () => {
  it('fill defaults the way the schema says', async () => {
    const { schema } = validateBundle(await readBundleDirectory(fixture('environment-terraform')), {
      templateKind: 'ENVIRONMENT',
    });
    const spec = parseEnvironmentSpec(
      await readFile(fixture('specs/environment-terraform.yaml'), 'utf8'),
    );
    expect(schema && compileInputValidator(schema, 'environment')(spec.spec)).toEqual({
      ok: true,
      value: { owner: 'platform-team', tier: 'staging', vpc_cidr: '10.0.0.0/16', subnet_count: 2 },
      warnings: [],
    });
  });

  it('report a missing required input', async () => {
    const { schema } = validateBundle(await readBundleDirectory(fixture('environment-terraform')), {
      templateKind: 'ENVIRONMENT',
    });
    expect(schema && compileInputValidator(schema, 'environment')({ tier: 'qa' })).toEqual({
      ok: false,
      errors: [
        'spec: missing required input "owner"',
        'spec.tier must be one of "dev", "staging", "prod"',
      ],
      warnings: [],
    });
  });
});
