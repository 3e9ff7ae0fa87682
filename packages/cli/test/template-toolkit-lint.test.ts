import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli } from './run-cli.js';

const fixtures = fileURLToPath(new URL('./fixtures/template-toolkit/', import.meta.url));
const bundle = (name: string): string => join(fixtures, name);

describe('nucleon template lint, run as a user runs it', () => {
  const work = mkdtempSync(join(tmpdir(), 'nucleon-template-'));
  let counter = 0;
  /** A private copy of a fixture bundle that a test may change. */
  const copyBundle = (name: string): string => {
    const target = join(work, `${name}-${++counter}`);
    cpSync(bundle(name), target, { recursive: true });
    return target;
  };

  beforeAll(() => assertBuilt());
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  describe('lint', () => {
    it.each(['cfn-env', 'service', 'terraform-env', 'codebuild-svc'])(
      'accepts the good %s bundle and counts its files',
      async (name) => {
        const result = await runCli(['template', 'lint', bundle(name)]);
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        expect(result.stdout).toMatch(/^ok: \d+ files checked\n$/);
      },
    );

    it('reports a bad manifest as file:line: message and exits 1', async () => {
      const result = await runCli(['template', 'lint', bundle('broken-manifest')]);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(
        'infrastructure/manifest.yaml:3: unsupported rendering_engine "jinja" with template_language "terraform"',
      );
    });

    it('reports a Jinja construct the renderer refuses, with its line', async () => {
      const result = await runCli(['template', 'lint', bundle('broken-lint')]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /^infrastructure\/cloudformation\.yaml:3: filter `random` is not supported/m,
      );
      expect(result.stderr).toContain('1 problem in environment template bundle');
    });

    it('reports a Terraform syntax error with its line', async () => {
      const dir = copyBundle('terraform-env');
      writeFileSync(
        join(dir, 'infrastructure', 'outputs.tf'),
        'output "vpc_id" {\n  value = \n}\n',
      );
      const result = await runCli(['template', 'lint', dir]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^infrastructure\/outputs\.tf:\d+: /m);
    });

    it('checks the kind given with --kind instead of the one the layout suggests', async () => {
      const result = await runCli(['template', 'lint', bundle('cfn-env'), '--kind', 'service']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('infrastructure/: belongs in environment template bundles');
      expect(result.stderr).toContain('instance_infrastructure/manifest.yaml: is missing');
      const bad = await runCli(['template', 'lint', bundle('cfn-env'), '--kind', 'component']);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('--kind must be "environment" or "service"');
    });

    it('infers an environment from the schema alone and accepts it with --customer-managed', async () => {
      const inferred = await runCli(['template', 'lint', bundle('customer-managed-env')]);
      expect(inferred.code).toBe(1);
      expect(inferred.stderr).toContain('infrastructure/manifest.yaml: is missing');
      const customer = await runCli([
        'template',
        'lint',
        bundle('customer-managed-env'),
        '--customer-managed',
      ]);
      expect(customer.code).toBe(0);
      expect(customer.stdout).toBe('ok: 1 files checked\n');
      const withInfra = await runCli(['template', 'lint', bundle('cfn-env'), '--customer-managed']);
      expect(withInfra.code).toBe(1);
      expect(withInfra.stderr).toContain('infrastructure/: must not exist');
    });

    it('refuses a pipeline folder and pipeline input type with --no-pipeline', async () => {
      const result = await runCli(['template', 'lint', bundle('service'), '--no-pipeline']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('pipeline_infrastructure/: must not exist');
      expect(result.stderr).toMatch(/^schema\/schema\.yaml:5: pipeline_input_type is not allowed/m);
    });

    it('warns about a manifest written with engine:, and passes', async () => {
      const dir = copyBundle('cfn-env');
      const manifest = join(dir, 'infrastructure', 'manifest.yaml');
      writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('rendering_engine', 'engine'));
      const result = await runCli(['template', 'lint', dir]);
      expect(result.code).toBe(0);
      expect(result.stderr).toBe(
        'warning: infrastructure/manifest.yaml:4: "engine" is read as "rendering_engine" (the key early Proton bundles used); write rendering_engine: jinja\n',
      );
      expect(result.stdout).toMatch(/^ok: \d+ files checked, 1 warning\n$/);
    });

    it('accepts large files no manifest names, and names the setting of a template file over 200 KiB', async () => {
      const dir = copyBundle('cfn-env');
      writeFileSync(join(dir, 'infrastructure', 'package-lock.json'), 'l'.repeat(400 * 1024));
      writeFileSync(join(dir, 'input.png'), randomBytes(350 * 1024));
      const ok = await runCli(['template', 'lint', dir]);
      expect(ok.stderr).toBe('');
      expect(ok.code).toBe(0);
      const template = join(dir, 'infrastructure', 'cloudformation.yaml');
      writeFileSync(template, `${readFileSync(template, 'utf8')}# ${'x'.repeat(210 * 1024)}\n`);
      const big = await runCli(['template', 'lint', dir]);
      expect(big.code).toBe(1);
      expect(big.stderr).toMatch(
        /^infrastructure\/cloudformation\.yaml: is 211\.\d KiB; the limit is 200 KiB \(NUCLEON_TEMPLATE_FILE_MAX_BYTES\) for a template file/m,
      );
    });

    it('checks a spec given with --spec: undeclared inputs warn, invalid values fail', async () => {
      const specFile = join(work, `spec-${++counter}.yaml`);
      writeFileSync(
        specFile,
        'proton: EnvironmentSpec\nversion: 1\nspec:\n  subnet_count: 3\n  packaging_commands: make\n',
      );
      const warned = await runCli(['template', 'lint', bundle('cfn-env'), '--spec', specFile]);
      expect(warned.code).toBe(0);
      expect(warned.stderr).toBe(
        `warning: ${specFile}:2: unknown key "version" in a EnvironmentSpec is ignored; known keys: proton, spec\n` +
          `warning: ${specFile}: spec: undeclared input "packaging_commands" is ignored (the template's schema does not declare it)\n`,
      );
      expect(warned.stdout).toMatch(/, 2 warnings\n$/);
      writeFileSync(specFile, 'proton: EnvironmentSpec\nspec:\n  subnet_count: 9\n');
      const failed = await runCli(['template', 'lint', bundle('cfn-env'), '--spec', specFile]);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain(`${specFile}: spec.subnet_count must be <= 4`);
    });

    it('says which folder cannot be read', async () => {
      const result = await runCli(['template', 'lint', join(work, 'no-such-bundle')]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('does not exist or is not a folder');
    });
  });
});
