import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer } from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli } from './run-cli.js';

const bundles = fileURLToPath(new URL('../../server/test/fixtures/bundles/', import.meta.url));

/**
 * The people-facing catalog commands end to end: the built binary against a real server,
 * registering the CodeBuild fixture bundles and deploying them on the local runner.
 */
describe('nucleon templates / envs / services / instances / deployments', () => {
  let server: TestServer;
  let dir: string;
  const cli = (...args: string[]) =>
    runCli(args, {
      AWS_ENDPOINT_URL_PROTON: server.url,
      AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
      AWS_PROFILE: '',
      AWS_REGION: '',
    });
  const json = async <T>(...args: string[]): Promise<T> => {
    const r = await cli(...args, '-o', 'json');
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as T;
  };

  beforeAll(async () => {
    assertBuilt();
    server = await startTestServer({ dialect: 'pglite' });
    dir = mkdtempSync(join(tmpdir(), 'nucleon-catalog-'));
  });
  afterAll(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('registers and publishes the environment and service templates', async () => {
    const empty = await cli('templates');
    expect(empty.code).toBe(0);
    expect(empty.stdout).toContain('no templates yet');

    const env = await cli(
      'templates',
      'register',
      'cb-env',
      `${bundles}env-codebuild`,
      '--publish',
      '--wait',
    );
    expect(env.code, env.stderr).toBe(0);
    expect(env.stdout).toContain('created environment template cb-env');
    expect(env.stdout).toContain('registered cb-env:1.0 (DRAFT)');
    expect(env.stdout).toContain('published cb-env:1.0');

    const svc = await cli(
      'templates',
      'register',
      'cb-svc',
      `${bundles}svc-codebuild`,
      '--kind',
      'svc',
      '--no-pipeline',
      '--compatible',
      'cb-env:1',
      '--publish',
      '--wait',
    );
    expect(svc.code, svc.stderr).toBe(0);
    expect(svc.stdout).toContain('created service template cb-svc');

    const list = await cli('templates', 'list');
    expect(list.stdout).toMatch(/^NAME\s+KIND\s+RECOMMENDED\s+PIPELINE/m);
    expect(list.stdout).toMatch(/^cb-env\s+env\s+1\.0/m);
    expect(list.stdout).toMatch(/^cb-svc\s+svc\s+1\.0\s+no/m);
    const templates =
      await json<Array<{ name: string; kind: string; pipelineProvisioning?: string }>>('templates');
    expect(templates.find((t) => t.name === 'cb-svc')).toMatchObject({
      kind: 'svc',
      pipelineProvisioning: 'CUSTOMER_MANAGED',
    });

    const shown = await cli('templates', 'show', 'cb-svc');
    expect(shown.stdout).toMatch(/^1\.0\s+PUBLISHED\s+\*\s+cb-env:1/m);
    expect(shown.stdout).toMatch(/^message\s+string\s+hi/m);
  });

  it('exits 1 with the registration failure message, and will not publish the failed version', async () => {
    const bad = join(dir, 'bad-env');
    mkdirSync(join(bad, 'schema'), { recursive: true });
    cpSync(`${bundles}env-codebuild/infrastructure`, join(bad, 'infrastructure'), {
      recursive: true,
    });
    writeFileSync(
      join(bad, 'schema', 'schema.yaml'),
      'schema:\n  format:\n    openapi: "3.0.0"\n  environment_input_type: "Missing"\n  types: {}\n',
    );
    const failed = await cli('templates', 'register', 'bad-env', bad, '--wait');
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('created version bad-env:1.0 (REGISTRATION_IN_PROGRESS)');
    expect(failed.stderr).toMatch(
      /nucleon: registration of bad-env:1\.0 failed: .*environment_input_type "Missing"/,
    );
    expect(failed.stderr).toContain('hint: fix the bundle');
    const publish = await cli('templates', 'publish', 'bad-env', '1.0');
    expect(publish.code).toBe(1);
    expect(publish.stderr).toContain('bad-env:1.0 failed registration, so it cannot be published');
    expect((await cli('templates', 'show', 'bad-env')).stdout).toMatch(
      /^1\.0\s+REGISTRATION_FAILED\s/m,
    );
    const notVersion = await cli('templates', 'publish', 'bad-env', '1');
    expect(notVersion.stderr).toContain('"1" is not a version');
    const missing = await cli('templates', 'show', 'nope');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /no template named nope[\s\S]*hint: list the templates with `nucleon templates list`/,
    );
  });

  it('creates an environment with --set, showing the deployment live until it succeeds', async () => {
    const created = await cli(
      'envs',
      'create',
      'dev',
      '--template',
      'cb-env',
      '--set',
      'greeting=x',
      '--wait',
    );
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/deployment \S+ · deploy environment dev · codebuild/);
    expect(created.stdout).toContain('wrote outputs');
    expect(created.stdout).toMatch(/✓ dev: SUCCEEDED after \d+s/);
    expect(created.stdout).toContain('environment dev created: SUCCEEDED on cb-env:1.0');
    expect(created.stdout).toContain('Greeting = x');
    expect(created.stdout).toContain('ClusterName = cluster-dev');

    const shown = await json<{
      environment: { deploymentStatus: string; spec: string; templateName: string };
      outputs: Array<{ key: string; valueString: string }>;
      deployments: unknown[];
      behind: string;
    }>('envs', 'show', 'dev');
    expect(shown.environment).toMatchObject({
      deploymentStatus: 'SUCCEEDED',
      templateName: 'cb-env',
    });
    expect(shown.environment.spec).toContain('greeting: x');
    expect(Object.fromEntries(shown.outputs.map((o) => [o.key, o.valueString]))).toMatchObject({
      Greeting: 'x',
      ClusterName: 'cluster-dev',
    });
    expect(shown.deployments).toHaveLength(1);
    expect(shown.behind).toBe('no');

    const text = await cli('envs', 'show', 'dev');
    expect(text.stdout).toMatch(/status\s+SUCCEEDED/);
    expect(text.stdout).toMatch(/template\s+cb-env:1\.0/);
    expect((await cli('envs')).stdout).toMatch(/^dev\s+cb-env\s+1\.0\s+SUCCEEDED/m);
  });

  it('creates a service from a spec file and lists its instances with their versions', async () => {
    const spec = join(dir, 'service.yaml');
    writeFileSync(
      spec,
      'proton: ServiceSpec\ninstances:\n  - name: web-a\n    environment: dev\n    spec:\n      port: 9000\n  - name: web-b\n    environment: dev\n',
    );
    const created = await cli(
      'services',
      'create',
      'web',
      '--template',
      'cb-svc',
      '--spec',
      spec,
      '--wait',
    );
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/✓ web\/web-a: SUCCEEDED/);
    expect(created.stdout).toMatch(/✓ web\/web-b: SUCCEEDED/);
    expect(created.stdout).toContain('[web/web-a] instance web-a ready');
    expect(created.stdout).toMatch(/status\s+ACTIVE/);

    const table = await cli('instances', 'list');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(
      /^SERVICE\s+INSTANCE\s+ENVIRONMENT\s+VERSION\s+RECOMMENDED\s+BEHIND\s+STATUS$/m,
    );
    expect(table.stdout).toMatch(/^web\s+web-a\s+dev\s+cb-svc:1\.0\s+1\.0\s+no\s+SUCCEEDED$/m);
    const rows = await json<
      Array<{
        serviceName: string;
        name: string;
        templateMajorVersion: string;
        templateMinorVersion: string;
        behind: string;
        recommended: string;
      }>
    >('instances', 'list', '--service', 'web');
    expect(rows.map((r) => r.name)).toEqual(['web-a', 'web-b']);
    expect(rows[0]).toMatchObject({
      serviceName: 'web',
      templateMajorVersion: '1',
      templateMinorVersion: '0',
      behind: 'no',
      recommended: '1.0',
    });
    expect((await cli('services')).stdout).toMatch(/^web\s+cb-svc\s+ACTIVE\s+2/m);
    expect((await cli('services', 'show', 'web')).stdout).toMatch(/^web-b\s+dev\s+cb-svc:1\.0/m);
  });

  it('marks instances behind once a newer minor is published', async () => {
    const minor = await cli(
      'templates',
      'register',
      'cb-svc',
      `${bundles}svc-codebuild`,
      '--major',
      '1',
      '--compatible',
      'cb-env:1',
      '--wait',
    );
    expect(minor.code, minor.stderr).toBe(0);
    expect(minor.stdout).toContain('registered cb-svc:1.1 (DRAFT)');
    expect((await cli('templates', 'publish', 'cb-svc', '1.1')).stdout).toContain(
      'published cb-svc:1.1 (PUBLISHED)',
    );
    expect((await cli('instances', 'list')).stdout).toMatch(
      /^web\s+web-b\s+dev\s+cb-svc:1\.0\s+1\.1\s+minor\s+SUCCEEDED$/m,
    );
  });

  it('updates one input of an instance, keeping the others, and moves it to the new minor', async () => {
    const updated = await cli(
      'instances',
      'update',
      'web',
      'web-a',
      '--set',
      'message=y',
      '--minor',
      '--wait',
    );
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.stdout).toContain('instance web/web-a updated: SUCCEEDED on cb-svc:1.1');
    expect(updated.stdout).toContain('Message = y');
    expect(updated.stdout).toContain('Url = http://localhost:9000');
    expect((await cli('instances', 'list', '--service', 'web')).stdout).toMatch(
      /^web\s+web-a\s+dev\s+cb-svc:1\.1\s+1\.1\s+no\s+SUCCEEDED$/m,
    );

    const wrong = await cli('instances', 'update', 'web', 'web-a', '--set', 'port=eighty');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('--set port: expected a number, got "eighty"');
    const unknown = await cli('instances', 'update', 'web', 'web-a', '--set', 'colour=red');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(
      /no input named "colour"[\s\S]*hint: its inputs are: port, sleep_seconds, message/,
    );
  });

  it('exits 1 with the status message when the deployment fails', async () => {
    const failed = await cli('envs', 'update', 'dev', '--set', 'fail=true', '--wait');
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/✗ dev: FAILED after \d+s — command\[2\] of 4/);
    expect(failed.stderr).toMatch(/nucleon: the deployment of dev FAILED: command\[2\] of 4/);
    expect(failed.stderr).toMatch(/hint: see the full log with: nucleon deployment show \S+ --log/);
    const shown = await cli('envs', 'show', 'dev');
    expect(shown.stdout).toMatch(/status\s+FAILED — command\[2\] of 4/);
    expect(shown.stdout).toContain('Greeting = x'); // outputs of the last success
  });

  it('lists deployments, filtered by environment, service and instance, and watches a finished one', async () => {
    const all = await cli('deployments');
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^ID\s+TARGET\s+TYPE\s+STATUS\s+STARTED\s+TOOK$/m);
    const lines = all.stdout.trim().split('\n').slice(1);
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^\S+\s+dev\s+ENVIRONMENT\s+FAILED\s/);
    const inst = await json<
      Array<{ id: string; serviceInstanceName: string; deploymentStatus: string }>
    >('deployments', 'list', '--service', 'web', '--instance', 'web-a');
    expect(inst.map((d) => d.serviceInstanceName)).toEqual(['web-a', 'web-a']);
    const envOnly = await json<Array<{ environmentName: string }>>(
      'deployments',
      'list',
      '--env',
      'dev',
      '--limit',
      '2',
    );
    expect(envOnly).toHaveLength(2);
    const bad = await cli('deployments', 'list', '--instance', 'web-a');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--instance needs --service');

    const watched = await cli('deployments', 'watch', inst[0]!.id);
    expect(watched.code).toBe(0);
    expect(watched.stdout).toMatch(/✓ web\/web-a: SUCCEEDED/);
    expect(watched.stdout).toContain('Message = y');
    const missing = await cli('deployments', 'watch', '00000000-0000-4000-8000-000000000000');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /ResourceNotFoundException[\s\S]*hint: list deployment ids with `nucleon deployments list`/,
    );
  });

  it('refuses to delete without --yes when not on a terminal, and deletes with --yes --wait', async () => {
    const refused = await cli('services', 'delete', 'web');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'refusing to delete service web and its instances without confirmation',
    );
    expect(refused.stderr).toContain('pass --yes');
    expect((await cli('services')).stdout).toMatch(/^web\s/m);

    const blocked = await cli('envs', 'delete', 'dev', '--yes');
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toMatch(/ConflictException: .*still has/);
    expect(blocked.stderr).toContain('hint: delete the services with instances in dev first');

    const svc = await cli('services', 'delete', 'web', '--yes', '--wait');
    expect(svc.code, svc.stderr).toBe(0);
    expect(svc.stdout).toMatch(/✓ web\/web-a: DELETE_COMPLETE/);
    expect(svc.stdout).toContain('deleted service web');
    expect((await cli('services')).stdout).toContain('no services yet');

    expect((await cli('envs', 'delete', 'dev')).stderr).toContain('pass --yes');
    const env = await cli('envs', 'delete', 'dev', '--yes', '--wait');
    expect(env.code, env.stderr).toBe(0);
    expect(env.stdout).toMatch(/✓ dev: DELETE_COMPLETE/);
    expect(env.stdout).toContain('deleted environment dev');
    const gone = await cli('envs', 'show', 'dev');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(
      /ResourceNotFoundException[\s\S]*hint: list the environments with `nucleon envs list`/,
    );
  });
});
