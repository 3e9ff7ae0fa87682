import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateEnvironmentCommand } from '@aws-sdk/client-proton';
import { startTestServer, waitFor, type TestServer } from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFleet, publishEnvMinor, publishMinor } from '../../server/test/rollout-fixtures.js';
import { sdkClient } from '../../server/test/helpers.js';
import { assertBuilt, runCli } from './run-cli.js';

/** The form, as written: `nucleon rollout start … --output json` and `rollout show`. */
describe('nucleon rollout', () => {
  let server: TestServer;
  const env = () => ({
    AWS_ENDPOINT_URL_PROTON: server.url,
    AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
    AWS_PROFILE: '',
  });

  beforeAll(async () => {
    assertBuilt();
    server = await startTestServer({ dialect: 'pglite' });
    await createFleet(server, 'cli-svc', ['shop'], { 'shop-prod': '1.2' });
    await publishMinor(server, 'cli-svc', 'svc-rollout-1_1');
    await publishMinor(server, 'cli-svc', 'svc-rollout-1_2');
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
  });

  const show = async (id: string) => {
    const out = await runCli(['rollout', 'show', id, '--output', 'json'], env());
    expect(out.code).toBe(0);
    return JSON.parse(out.stdout) as {
      status: string;
      instances: Array<{ serviceInstanceName: string; state: string; wave: number }>;
    };
  };
  const until = async (id: string) => {
    for (;;) {
      const r = await show(id);
      if (!['IN_PROGRESS', 'PAUSED'].includes(r.status)) return r;
      await new Promise((res) => setTimeout(res, 500));
    }
  };

  it('previews, starts with --output json, shows per-instance states, and lists', async () => {
    const preview = await runCli(['preview', 'cli-svc', '--to', '1.1'], env());
    expect(preview.code).toBe(0);
    expect(preview.stdout).toContain('== shop/shop-dev  1.0 → 1.1  (codebuild)');
    expect(preview.stdout).toContain('input replicas: (none) → 2');
    const hash = /preview hash: (sha256:[0-9a-f]+)/.exec(preview.stdout)![1]!;

    const start = await runCli(
      [
        'rollout',
        'start',
        'cli-svc',
        '--to',
        '1.1',
        '--waves',
        '3',
        '--max-in-flight',
        '2',
        '--bake',
        '1',
        '--auto-rollback',
        '--preview-hash',
        hash,
        '--output',
        'json',
      ],
      env(),
    );
    expect(start.code).toBe(0);
    const { rolloutId } = JSON.parse(start.stdout) as { rolloutId: string };
    expect(rolloutId).toMatch(/^[0-9a-f-]{36}$/);
    const done = await until(rolloutId);
    expect(done.status).toBe('SUCCEEDED');
    expect(done.instances.map((i) => [i.wave, i.state])).toEqual([
      [1, 'SUCCEEDED'],
      [2, 'SUCCEEDED'],
      [3, 'SUCCEEDED'],
    ]);
    const text = await runCli(['rollout', 'show', rolloutId], env());
    expect(text.stdout).toContain(`rollout ${rolloutId}`);
    expect(text.stdout).toMatch(/WAVE\s+INSTANCE/);
    const listed = await runCli(['rollouts', 'list', '--output', 'json'], env());
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ rolloutId, status: 'SUCCEEDED' }),
    ]);
  }, 300_000);

  it('rolls back by itself with --auto-rollback, and --wait exits 1 when it did not succeed', async () => {
    const start = await runCli(
      [
        'rollout',
        'start',
        'cli-svc',
        '--to',
        '1.2',
        '--environment-order',
        'dev,staging,prod',
        '--auto-rollback',
        '--wait',
        '--output',
        'json',
      ],
      env(),
    );
    expect(start.code).toBe(1);
    const r = JSON.parse(start.stdout) as { status: string; statusMessage: string };
    expect(r.status).toBe('ROLLED_BACK');
    expect(r.statusMessage).toContain('wave 3 of 3 failed');
    const stale = await runCli(
      ['rollout', 'start', 'cli-svc', '--to', '1.2', '--preview-hash', 'sha256:00'],
      env(),
    );
    expect(stale.code).not.toBe(0);
    expect(stale.stderr).toContain('is stale');
  }, 300_000);

  it('reports every CodeBuild resource in sync with nucleon drift', async () => {
    const out = await runCli(['drift', '--template', 'cli-svc', '--output', 'json'], env());
    expect(out.code).toBe(0);
    const entries = JSON.parse(out.stdout) as Array<{ name: string; drifted: boolean }>;
    expect(entries.map((e) => [e.name, e.drifted])).toEqual([
      ['shop-dev', false],
      ['shop-prod', false],
      ['shop-staging', false],
    ]);
    const text = await runCli(['drift', '--template', 'cli-svc'], env());
    expect(text.stdout).toMatch(/shop\/shop-dev\s+SERVICE_INSTANCE\s+1\.1\s+codebuild\s+in sync/);
  });

  it('previews and rolls out an environment template the same way', async () => {
    await publishEnvMinor(server, 'rollout-env', 'env-fleet-1_1');
    const preview = await runCli(['preview', 'rollout-env', '--to', '1.1'], env());
    expect(preview.code).toBe(0);
    expect(preview.stdout).toContain('== dev  1.0 → 1.1  (codebuild)');
    expect(preview.stdout).toContain('input size: (none) → "small"');
    const start = await runCli(
      [
        'rollout',
        'start',
        'rollout-env',
        '--to',
        '1.1',
        '--environment',
        'dev',
        '--wait',
        '--output',
        'json',
      ],
      env(),
    );
    expect(start.code).toBe(0);
    const r = JSON.parse(start.stdout) as {
      status: string;
      templateType: string;
      instances: Array<{ environmentName: string; state: string }>;
    };
    expect(r).toMatchObject({ status: 'SUCCEEDED', templateType: 'ENVIRONMENT' });
    expect(r.instances.map((i) => [i.environmentName, i.state])).toEqual([['dev', 'SUCCEEDED']]);
  }, 300_000);

  it('says when no scheduled drift check has run (nucleon drift --last)', async () => {
    const out = await runCli(['drift', '--last'], env());
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain('NUCLEON_DRIFT_INTERVAL_SECONDS');
  });

  it('subscribes a webhook with nucleon events, which then receives signed events', async () => {
    const bodies: string[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        bodies.push(body);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/events`;
    try {
      const sub = await runCli(
        [
          'events',
          'subscribe',
          url,
          '--detail-type',
          'AWS Proton Environment Status Change',
          '--output',
          'json',
        ],
        env(),
      );
      expect(sub.code).toBe(0);
      const { id, secret } = JSON.parse(sub.stdout) as { id: string; secret: string };
      expect(secret.length).toBeGreaterThanOrEqual(32);
      const listed = await runCli(['events', 'list'], env());
      expect(listed.stdout).toContain(url);
      expect(listed.stdout).toContain('AWS Proton Environment Status Change');

      await sdkClient(server).send(
        new CreateEnvironmentCommand({
          name: 'cli-events',
          templateName: 'rollout-env',
          templateMajorVersion: '1',
          spec: 'proton: EnvironmentSpec\nspec: {}\n',
        }),
      );
      await waitFor(
        async () => (bodies.some((b) => b.includes('"SUCCEEDED"')) ? true : undefined),
        {
          timeoutMs: 60_000,
          intervalMs: 200,
          what: 'the environment events',
        },
      );
      const deliveries = await runCli(['events', 'deliveries', '--subscription', id], env());
      expect(deliveries.code).toBe(0);
      expect(deliveries.stdout).toMatch(/AWS Proton Environment Status Change.*DELIVERED/);
      const gone = await runCli(['events', 'unsubscribe', id], env());
      expect(gone.code).toBe(0);
      expect((await runCli(['events', 'list'], env())).stdout).not.toContain(url);
    } finally {
      receiver.close();
    }
  });

  it('subscribes an EventBridge bus with nucleon events --event-bus', async () => {
    const sub = await runCli(
      ['events', 'subscribe', '--event-bus', 'fleet-events', '--event-bus-region', 'eu-west-1'],
      env(),
    );
    expect(sub.code).toBe(0);
    expect(sub.stdout).toMatch(
      /^Subscribed (\S+): events go to EventBridge bus fleet-events \(eu-west-1\) with source nucleon\.proton\.$/m,
    );
    const id = /^Subscribed (\S+):/.exec(sub.stdout)![1]!;
    const listed = await runCli(['events', 'list'], env());
    expect(listed.stdout).toContain('eventbridge:fleet-events (eu-west-1)');
    const both = await runCli(
      ['events', 'subscribe', 'https://x.example', '--event-bus', 'b'],
      env(),
    );
    expect(both.code).not.toBe(0);
    expect(both.stderr).toMatch(/either url .* or eventBus/);
    expect((await runCli(['events', 'unsubscribe', id], env())).code).toBe(0);
  });
});
