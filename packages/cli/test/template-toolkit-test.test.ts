import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli } from './run-cli.js';

const fixtures = fileURLToPath(new URL('./fixtures/template-toolkit/', import.meta.url));
const bundle = (name: string): string => join(fixtures, name);

/** Every file under `dir`, as sorted POSIX paths relative to it. */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(relative(dir, path).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

describe('nucleon template test, run as a user runs it', () => {
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

  describe('test', () => {
    it.each(['cfn-env', 'service', 'terraform-env', 'codebuild-svc'])(
      'passes the committed snapshots of the %s bundle',
      async (name) => {
        const result = await runCli(['template', 'test', bundle(name)]);
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        expect(result.stdout).toMatch(/^PASS \S+\n1 fixture: 1 passed, 0 failed\n$/);
      },
    );

    it('fails without snapshots, creates them with --update, then passes, fails on a change and accepts it', async () => {
      const dir = copyBundle('cfn-env');
      const snapshots = join(dir, 'test', 'basic', '__snapshots__');
      rmSync(snapshots, { recursive: true });
      const first = await runCli(['template', 'test', dir]);
      expect(first.code).toBe(1);
      expect(first.stdout).toContain('FAIL basic');
      expect(first.stderr).toContain(
        'test/basic/__snapshots__: no snapshots yet; run nucleon template test with --update to create them',
      );
      const update = await runCli(['template', 'test', dir, '--update']);
      expect(update.code).toBe(0);
      expect(update.stdout).toContain('PASS basic (snapshots updated: 1 written, 0 removed)');
      expect(listFiles(snapshots)).toEqual(['cloudformation.yaml']);
      expect(readFileSync(join(snapshots, 'cloudformation.yaml'), 'utf8')).toContain(
        'PublicSubnet3:',
      );
      expect((await runCli(['template', 'test', dir])).code).toBe(0);

      const template = join(dir, 'infrastructure', 'cloudformation.yaml');
      writeFileSync(
        template,
        readFileSync(template, 'utf8').replace(
          'EnableDnsHostnames: true',
          'EnableDnsHostnames: false',
        ),
      );
      writeFileSync(join(snapshots, 'stale.yaml'), 'old: true\n');
      const changed = await runCli(['template', 'test', dir]);
      expect(changed.code).toBe(1);
      expect(changed.stderr).toContain(
        'test/basic/__snapshots__/cloudformation.yaml: differs at line 8: snapshot "      EnableDnsHostnames: true", rendered "      EnableDnsHostnames: false"; run with --update to accept the change',
      );
      expect(changed.stderr).toContain(
        'test/basic/__snapshots__/stale.yaml: this file is no longer rendered',
      );
      const accepted = await runCli(['template', 'test', dir, '--update']);
      expect(accepted.code).toBe(0);
      expect(accepted.stdout).toContain('snapshots updated: 1 written, 1 removed');
      expect(listFiles(snapshots)).toEqual(['cloudformation.yaml']);
      expect(readFileSync(join(snapshots, 'cloudformation.yaml'), 'utf8')).toContain(
        'EnableDnsHostnames: false',
      );
    });

    it('fails a fixture whose template reads outputs the context lacks', async () => {
      const result = await runCli(['template', 'test', bundle('missing-output')]);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('FAIL default\n1 fixture: 0 passed, 1 failed\n');
      expect(result.stderr).toContain(
        'test/default: instance_infrastructure/cloudformation.yaml:10: environment.outputs.VpcId is undefined',
      );
    });

    it('fails a fixture whose rendered CloudFormation is not valid YAML, even with --update', async () => {
      const dir = copyBundle('cfn-env');
      const template = join(dir, 'infrastructure', 'cloudformation.yaml');
      writeFileSync(
        template,
        readFileSync(template, 'utf8').replace('VpcId: !Ref VPC', 'VpcId: !Reff VPC'),
      );
      const result = await runCli(['template', 'test', dir, '--update']);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('FAIL basic');
      expect(result.stderr).toMatch(
        /test\/basic: cloudformation\.yaml:20: invalid CloudFormation YAML: .*!Reff/,
      );
      expect(
        readFileSync(join(dir, 'test', 'basic', '__snapshots__', 'cloudformation.yaml'), 'utf8'),
      ).toContain('VpcId: !Ref VPC');
    });

    it('fails when the bundle has no fixtures', async () => {
      const dir = copyBundle('cfn-env');
      rmSync(join(dir, 'test'), { recursive: true });
      const result = await runCli(['template', 'test', dir]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        'no fixtures; add test/<name>/spec.yaml (and optionally context.json)',
      );
    });

    it('classifies a schema change against --previous as minor-compatible', async () => {
      const result = await runCli([
        'template',
        'test',
        bundle('service'),
        '--previous',
        join(fixtures, 'previous', 'service-minor'),
      ]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('input "desired_count": added — minor-compatible\n');
      expect(result.stdout).toContain('input "port": no longer has a maximum — minor-compatible\n');
      expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('schema change: minor-compatible');
    });

    it('classifies a schema change against --previous as needing a new major version, input by input', async () => {
      const result = await runCli([
        'template',
        'test',
        bundle('service'),
        '--previous',
        join(fixtures, 'previous', 'service-major'),
      ]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('input "legacy_mode": removed — needs a new major version\n');
      expect(result.stdout).toContain(
        'input "port": changed type from string to number — needs a new major version\n',
      );
      expect(result.stdout).toContain(
        'pipeline input "unit_test_command": default changed from "make test" to',
      );
      expect(result.stdout.trimEnd().split('\n').at(-1)).toBe(
        'schema change: needs a new major version',
      );
    });
  });
});
