import { describe, expect, it } from 'vitest';
import type { BundleFiles } from './bundle-files.js';
import { formatBundleProblems } from './bundle-problem.js';
import { validateBundle, type BundleValidationOptions } from './validate-bundle.js';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const files = (entries: Record<string, string | Uint8Array>): BundleFiles =>
  new Map(
    Object.entries(entries).map(([path, value]) => [
      path,
      typeof value === 'string' ? encode(value) : value,
    ]),
  );

const CFN_MANIFEST =
  'infrastructure:\n  templates:\n    - file: "cloudformation.yaml"\n      rendering_engine: jinja\n      template_language: cloudformation\n';
const CFN = 'Resources: {}\n';
const ENV_SCHEMA =
  'schema:\n  format:\n    openapi: "3.0.0"\n  environment_input_type: "E"\n  types:\n    E:\n      type: object\n      properties:\n        vpc_id:\n          type: string\n';
const SVC_SCHEMA =
  'schema:\n  format:\n    openapi: "3.0.0"\n  service_input_type: "S"\n  types:\n    S:\n      type: object\n      properties:\n        port:\n          type: number\n          default: 80\n';
const SVC_PIPE_SCHEMA = `${SVC_SCHEMA.replace('  types:', '  pipeline_input_type: "P"\n  types:')}    P:\n      type: object\n      properties: {}\n`;

const envBundle = {
  'schema/schema.yaml': ENV_SCHEMA,
  'infrastructure/manifest.yaml': CFN_MANIFEST,
  'infrastructure/cloudformation.yaml': CFN,
};
const serviceBundle = {
  'schema/schema.yaml': SVC_SCHEMA,
  'instance_infrastructure/manifest.yaml': CFN_MANIFEST,
  'instance_infrastructure/cloudformation.yaml': CFN,
};
const pipelineBundle = {
  ...serviceBundle,
  'schema/schema.yaml': SVC_PIPE_SCHEMA,
  'pipeline_infrastructure/manifest.yaml': CFN_MANIFEST,
  'pipeline_infrastructure/cloudformation.yaml': CFN,
};

const ENV: BundleValidationOptions = { templateKind: 'ENVIRONMENT' };
const CUSTOMER_MANAGED: BundleValidationOptions = {
  templateKind: 'ENVIRONMENT',
  customerManaged: true,
};
const SERVICE: BundleValidationOptions = { templateKind: 'SERVICE', pipeline: false };
const PIPELINE: BundleValidationOptions = { templateKind: 'SERVICE', pipeline: true };

describe('validateBundle: valid layouts', () => {
  it('accepts an environment bundle and returns its schema and manifest', () => {
    const result = validateBundle(files(envBundle), ENV);
    expect(result.problems).toEqual([]);
    expect(result.schemaText).toBe(ENV_SCHEMA);
    expect(result.schema?.environmentInputType).toBe('E');
    expect(result.infrastructure?.environment).toEqual({
      engine: 'cloudformation',
      directory: 'infrastructure',
      files: ['infrastructure/cloudformation.yaml'],
    });
  });

  it('accepts a customer-managed environment with only a schema', () => {
    const result = validateBundle(files({ 'schema/schema.yaml': ENV_SCHEMA }), CUSTOMER_MANAGED);
    expect(result.problems).toEqual([]);
    expect(result.infrastructure).toBeUndefined();
  });

  it('accepts a service bundle without a pipeline', () => {
    const result = validateBundle(files(serviceBundle), SERVICE);
    expect(result.problems).toEqual([]);
    expect(Object.keys(result.infrastructure ?? {})).toEqual(['instance']);
  });

  it('accepts a service bundle with a pipeline', () => {
    const result = validateBundle(files(pipelineBundle), PIPELINE);
    expect(result.problems).toEqual([]);
    expect(Object.keys(result.infrastructure ?? {})).toEqual(['instance', 'pipeline']);
  });

  it('infers the pipeline from the folder when the option is omitted', () => {
    expect(validateBundle(files(pipelineBundle), { templateKind: 'SERVICE' }).problems).toEqual([]);
    expect(validateBundle(files(serviceBundle), { templateKind: 'SERVICE' }).problems).toEqual([]);
  });

  it('ignores files outside the bundle folders (README, template-sync registration)', () => {
    const extra = {
      ...envBundle,
      'README.md': '# env',
      '.template-registration.yaml': 'compatible_environments: []\n',
    };
    expect(validateBundle(files(extra), ENV).problems).toEqual([]);
  });
});

describe('validateBundle: layout problems', () => {
  it.each<[string, Record<string, string>, BundleValidationOptions, string]>([
    [
      'a bundle without schema',
      { 'infrastructure/manifest.yaml': CFN_MANIFEST, 'infrastructure/cloudformation.yaml': CFN },
      ENV,
      'schema/schema.yaml: is missing; every template bundle needs schema/schema.yaml',
    ],
    [
      'a bundle still in its wrapper folder',
      {
        'b/schema/schema.yaml': ENV_SCHEMA,
        'infrastructure/manifest.yaml': CFN_MANIFEST,
        'infrastructure/cloudformation.yaml': CFN,
      },
      ENV,
      'schema/schema.yaml: is missing; every template bundle needs schema/schema.yaml (found "b/schema/schema.yaml": pack the bundle from inside its root folder)',
    ],
    [
      'an environment without infrastructure',
      { 'schema/schema.yaml': ENV_SCHEMA },
      ENV,
      'infrastructure/manifest.yaml: is missing; environment template bundles need infrastructure/ with a manifest.yaml',
    ],
    [
      'a customer-managed environment with infrastructure',
      envBundle,
      CUSTOMER_MANAGED,
      'infrastructure/: must not exist: customer-managed environment templates contain only schema/schema.yaml, because their infrastructure is provisioned elsewhere; remove the folder',
    ],
    [
      'an environment bundle with service folders',
      { ...envBundle, 'instance_infrastructure/manifest.yaml': CFN_MANIFEST },
      ENV,
      'instance_infrastructure/: belongs in service template bundles; environment bundles use infrastructure/',
    ],
    [
      'a service bundle with infrastructure/',
      { ...serviceBundle, 'infrastructure/manifest.yaml': CFN_MANIFEST },
      SERVICE,
      'infrastructure/: belongs in environment template bundles; service bundles use instance_infrastructure/ and pipeline_infrastructure/',
    ],
    [
      'a service bundle without instance_infrastructure',
      { 'schema/schema.yaml': SVC_SCHEMA },
      SERVICE,
      'instance_infrastructure/manifest.yaml: is missing; service template bundles need instance_infrastructure/ with a manifest.yaml',
    ],
    [
      'a pipeline folder without a pipeline',
      {
        ...serviceBundle,
        'pipeline_infrastructure/manifest.yaml': CFN_MANIFEST,
        'pipeline_infrastructure/cloudformation.yaml': CFN,
      },
      SERVICE,
      'pipeline_infrastructure/: must not exist: the template has no pipeline (pipelineProvisioning is CUSTOMER_MANAGED); remove the folder or create the template with a pipeline',
    ],
    [
      'a pipeline template without pipeline folder',
      { ...serviceBundle, 'schema/schema.yaml': SVC_PIPE_SCHEMA },
      PIPELINE,
      'pipeline_infrastructure/manifest.yaml: is missing; service template bundles need pipeline_infrastructure/ with a manifest.yaml',
    ],
  ])('reports %s', (_label, bundle, options, expected) => {
    expect(formatBundleProblems(validateBundle(files(bundle), options).problems)).toBe(expected);
  });

  it('reports schema rules that depend on the template kind', () => {
    const result = validateBundle(
      files({ ...serviceBundle, 'schema/schema.yaml': SVC_PIPE_SCHEMA }),
      SERVICE,
    );
    expect(formatBundleProblems(result.problems)).toBe(
      'schema/schema.yaml:5: pipeline_input_type is not allowed because the template has no pipeline (pipelineProvisioning is CUSTOMER_MANAGED); remove it',
    );
    expect(result.schemaText).toBe(SVC_PIPE_SCHEMA);
    expect(result.schema).toBeUndefined();
  });

  it('reports a pipeline schema type that is missing for a pipeline template', () => {
    const result = validateBundle(
      files({ ...pipelineBundle, 'schema/schema.yaml': SVC_SCHEMA }),
      PIPELINE,
    );
    expect(result.problems.map((p) => p.message)).toEqual([
      'pipeline_input_type is missing; it is required because the template has a pipeline',
    ]);
  });

  it('reports manifest problems with the manifest file name', () => {
    const bundle = { ...envBundle, 'infrastructure/cloudformation.yaml': undefined } as Record<
      string,
      string | undefined
    >;
    delete bundle['infrastructure/cloudformation.yaml'];
    const result = validateBundle(files(bundle as Record<string, string>), ENV);
    expect(formatBundleProblems(result.problems)).toBe(
      'infrastructure/manifest.yaml:3: template file "cloudformation.yaml" named in the manifest does not exist in infrastructure/',
    );
    expect(result.infrastructure?.environment).toBeUndefined();
  });

  it('reports every problem of a broken bundle at once', () => {
    const broken = {
      'schema/schema.yaml':
        'schema:\n  format:\n    openapi: "3.0.0"\n  environment_input_type: "EnvInput"\n  types: {}\n',
      'infrastructure/manifest.yaml':
        'infrastructure:\n  templates:\n    - rendering_engine: mustache\n',
    };
    expect(formatBundleProblems(validateBundle(files(broken), ENV).problems)).toBe(
      'schema/schema.yaml:4: environment_input_type "EnvInput" is not defined under types; infrastructure/manifest.yaml:3: unsupported rendering_engine "mustache" with template_language null; valid combinations: rendering_engine: jinja with template_language: cloudformation; rendering_engine: hcl with template_language: terraform; rendering_engine: codebuild without template_language',
    );
  });
});

describe('validateBundle: warnings', () => {
  it('registers a manifest written with engine: jinja, reporting a warning', () => {
    const bundle = {
      ...envBundle,
      'infrastructure/manifest.yaml': CFN_MANIFEST.replace('rendering_engine', 'engine'),
    };
    const result = validateBundle(files(bundle), ENV);
    expect(result.problems).toEqual([]);
    expect(result.infrastructure?.environment?.engine).toBe('cloudformation');
    expect(formatBundleProblems(result.warnings)).toBe(
      'infrastructure/manifest.yaml:4: "engine" is read as "rendering_engine" (the key early Proton bundles used); write rendering_engine: jinja',
    );
  });

  it('has no warnings for a bundle written as documented', () => {
    expect(validateBundle(files(envBundle), ENV).warnings).toEqual([]);
  });
});

describe('validateBundle: limits and encodings', () => {
  it('reports a template file over its size limit, naming the setting', () => {
    const big = {
      ...envBundle,
      'infrastructure/cloudformation.yaml': `# ${'x'.repeat(210_000)}\n`,
    };
    expect(formatBundleProblems(validateBundle(files(big), ENV).problems)).toBe(
      'infrastructure/cloudformation.yaml: is 205.1 KiB; the limit is 200 KiB (NUCLEON_TEMPLATE_FILE_MAX_BYTES) for a template file (a file the manifest names)',
    );
    const raised = validateBundle(files(big), { ...ENV, limits: { maxFileBytes: 300 * 1024 } });
    expect(raised.problems).toEqual([]);
  });

  it('limits every .tf file that "*" selects, and no other file', () => {
    const bundle = {
      'schema/schema.yaml': ENV_SCHEMA,
      'infrastructure/manifest.yaml':
        'infrastructure:\n  templates:\n    - file: "*"\n      rendering_engine: hcl\n      template_language: terraform\n',
      'infrastructure/main.tf': 'resource "null_resource" "a" {}\n',
      'infrastructure/big.tf': `# ${'x'.repeat(205_000)}\n`,
      'infrastructure/package-lock.json': 'l'.repeat(400 * 1024),
      'input.png': 'p'.repeat(350 * 1024),
    };
    expect(formatBundleProblems(validateBundle(files(bundle), ENV).problems)).toBe(
      'infrastructure/big.tf: is 200.2 KiB; the limit is 200 KiB (NUCLEON_TEMPLATE_FILE_MAX_BYTES) for a template file (a file the manifest names)',
    );
  });

  it('accepts large files that no manifest names, and large files in a CodeBuild folder', () => {
    const lock = 'l'.repeat(400 * 1024);
    const withLargeFiles = {
      ...envBundle,
      'infrastructure/package-lock.json': lock,
      'input.png': 'p'.repeat(350 * 1024),
    };
    expect(validateBundle(files(withLargeFiles), ENV).problems).toEqual([]);
    const codebuild = {
      'schema/schema.yaml': ENV_SCHEMA,
      'infrastructure/manifest.yaml':
        'infrastructure:\n  templates:\n    - rendering_engine: codebuild\n      settings:\n        provision: [npm ci]\n        deprovision: [echo]\n',
      'infrastructure/package-lock.json': lock,
    };
    expect(validateBundle(files(codebuild), ENV).problems).toEqual([]);
  });

  it('reports a schema over 50 KiB without parsing it', () => {
    const big = { ...envBundle, 'schema/schema.yaml': `${ENV_SCHEMA}#${'x'.repeat(52_000)}\n` };
    const result = validateBundle(files(big), ENV);
    expect(result.problems.map((p) => `${p.file}: ${p.message}`)).toEqual([
      'schema/schema.yaml: is 50.9 KiB; the limit is 50 KiB (NUCLEON_SCHEMA_MAX_BYTES)',
    ]);
  });

  it('reports more files than the entry limit', () => {
    const many: Record<string, string> = { ...envBundle };
    for (let i = 0; i < 10; i++) many[`docs/${i}.md`] = '';
    expect(
      validateBundle(files(many), { ...ENV, limits: { maxEntries: 5 } }).problems[0]?.message,
    ).toBe('the bundle has 13 files; the limit is 5 (NUCLEON_BUNDLE_MAX_FILES)');
  });

  it('reports a schema that is not UTF-8', () => {
    const bad = files({ ...envBundle, 'schema/schema.yaml': new Uint8Array([0xff, 0xfe, 0x00]) });
    expect(formatBundleProblems(validateBundle(bad, ENV).problems)).toBe(
      'schema/schema.yaml: is not valid UTF-8 text',
    );
  });

  it('reports a template file that is not UTF-8', () => {
    const bad = files({
      ...envBundle,
      'infrastructure/cloudformation.yaml': new Uint8Array([0xc3, 0x28]),
    });
    expect(formatBundleProblems(validateBundle(bad, ENV).problems)).toBe(
      'infrastructure/cloudformation.yaml: is not valid UTF-8 text',
    );
  });

  it('reports paths that were not normalised', () => {
    const bad = files({ ...envBundle, './README.md': 'x', '../x': 'y' });
    expect(validateBundle(bad, ENV).problems.map((p) => p.file)).toEqual(['./README.md', '../x']);
  });
});
