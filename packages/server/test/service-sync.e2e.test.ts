import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateEnvironmentCommand,
  CreateRepositoryCommand,
  CreateServiceCommand,
  CreateServiceSyncConfigCommand,
  GetServiceInstanceCommand,
  GetServiceInstanceSyncStatusCommand,
  GetServiceSyncBlockerSummaryCommand,
  GetServiceSyncConfigCommand,
  ListRepositorySyncDefinitionsCommand,
  ListServiceInstanceOutputsCommand,
  UpdateServiceCommand,
  UpdateServiceInstanceCommand,
  UpdateServiceSyncBlockerCommand,
  waitUntilEnvironmentDeployed,
  waitUntilServiceCreated,
  waitUntilServiceInstanceDeployed,
  waitUntilServiceUpdated,
  type GetServiceInstanceSyncStatusCommandOutput,
  type ProtonClient,
} from '@aws-sdk/client-proton';
import { extensionTargetPrefix } from '@nucleon/protocol';
import { startTestServer, waitFor, type TestServer } from '@nucleon/test-utils';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nucleonClient, publishFixture, sdkClient } from './helpers.js';

const git = (args: string[], cwd: string) =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Dev',
      GIT_AUTHOR_EMAIL: 'dev@example.com',
      GIT_COMMITTER_NAME: 'Dev',
      GIT_COMMITTER_EMAIL: 'dev@example.com',
    },
  }).trim();

const REPO = { provider: 'GITHUB', name: 'acme/web-app' } as const;
const OPS = `sync:
  services:
    web:
      web-a:
        branch: main
        spec: ./web/spec-a.yaml
      web-b:
        branch: main
        spec: ./web/spec-b.yaml
`;
const spec = (name: string, port: number | string, message = 'synced') => `proton: ServiceSpec
instances:
  - name: ${name}
    environment: dev
    spec:
      port: ${port}
      message: ${message}
`;
const w = (client: ProtonClient) => ({ client, maxWaitTime: 120, minDelay: 1, maxDelay: 2 });

describe('service sync from an application repository', () => {
  let server: TestServer;
  let proton: ProtonClient;
  let secret: string;
  let hookUrl: string;
  const root = mkdtempSync(join(tmpdir(), 'nucleon-service-sync-'));
  const remote = join(root, 'app.git');
  const work = join(root, 'work');

  const push = async (files: Record<string, string>, message: string) => {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(work, path, '..'), { recursive: true });
      writeFileSync(join(work, path), text);
    }
    git(['add', '--all'], work);
    git(['commit', '--quiet', '-m', message], work);
    git(['push', '--quiet', 'origin', 'HEAD:refs/heads/main'], work);
    const sha = git(['rev-parse', 'HEAD'], work);
    const body = JSON.stringify({ ref: 'refs/heads/main', after: sha });
    const status = await fetch(hookUrl, {
      method: 'POST',
      headers: {
        'x-gitea-event': 'push',
        'x-gitea-signature': createHmac('sha256', secret).update(body).digest('hex'),
      },
      body,
    }).then((r) => r.status);
    expect(status).toBe(202);
    return sha;
  };
  const syncStatus = (instance: string) =>
    proton.send(
      new GetServiceInstanceSyncStatusCommand({
        serviceName: 'web',
        serviceInstanceName: instance,
      }),
    );
  const synced = (instance: string, sha: string) =>
    waitFor(
      async () => {
        const s: GetServiceInstanceSyncStatusCommandOutput = await syncStatus(instance);
        const done = ['SUCCEEDED', 'FAILED'].includes(s.latestSync?.status ?? '');
        return s.latestSync?.targetRevision?.sha === sha && done ? s : undefined;
      },
      { what: `the sync of ${instance} at ${sha}`, timeoutMs: 120_000 },
    );
  const port = async (instance: string) =>
    (
      await proton.send(
        new ListServiceInstanceOutputsCommand({
          serviceName: 'web',
          serviceInstanceName: instance,
        }),
      )
    ).outputs?.find((o) => o.key === 'Url')?.valueString;
  const queueEmpty = (queue: string) =>
    waitFor(
      async () => {
        const r = await sql<{
          n: string;
        }>`select count(*) as n from jobs where queue = ${queue}`.execute(
          server.nucleon.database.db,
        );
        return Number(r.rows[0]!.n) === 0 ? true : undefined;
      },
      { what: `the ${queue} queue to drain`, timeoutMs: 60_000 },
    );

  beforeAll(async () => {
    git(['init', '--quiet', '--bare', '--initial-branch=main', remote], root);
    git(['clone', '--quiet', remote, work], root);
    git(['checkout', '--quiet', '-B', 'main'], work);
    server = await startTestServer({
      dialect: 'pglite',
      env: { NUCLEON_SYNC_POLL_SECONDS: '0' },
    });
    proton = sdkClient(server);
    await publishFixture(server, {
      kind: 'ENVIRONMENT',
      template: 'cb-env',
      fixture: 'env-codebuild',
    });
    await publishFixture(server, {
      kind: 'SERVICE',
      template: 'cb-svc',
      fixture: 'svc-codebuild',
      compatible: [{ templateName: 'cb-env', majorVersion: '1' }],
    });
    await proton.send(
      new CreateEnvironmentCommand({
        name: 'dev',
        templateName: 'cb-env',
        templateMajorVersion: '1',
        spec: 'proton: EnvironmentSpec\nspec:\n  greeting: hi\n',
      }),
    );
    await waitUntilEnvironmentDeployed(w(proton), { name: 'dev' });
    // web-a will be synced; web-x is not in the proton-ops file and must be left alone.
    await proton.send(
      new CreateServiceCommand({
        name: 'web',
        templateName: 'cb-svc',
        templateMajorVersion: '1',
        spec: `${spec('web-a', 8000)}  - name: web-x\n    environment: dev\n    spec:\n      port: 7000\n`,
      }),
    );
    await waitUntilServiceCreated(w(proton), { name: 'web' });
    await proton.send(
      new CreateRepositoryCommand({
        ...REPO,
        connectionArn: 'arn:aws:codestar-connections:us-east-1:123456789012:connection/app',
      }),
    );
    await nucleonClient(server).send(`${extensionTargetPrefix}.SetRepositoryRemote`, {
      ...REPO,
      remoteUrl: remote,
    });
    const hook = (await nucleonClient(server).send(
      `${extensionTargetPrefix}.SetRepositoryWebhook`,
      { ...REPO, secret: 'gitea-shared-secret-0123456789' },
    )) as { webhook: { url: string; secret: string } };
    secret = hook.webhook.secret;
    hookUrl = hook.webhook.url;
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  let first: string;
  it('updates and creates the instances the proton-ops file names, and leaves the others alone', async () => {
    const webX = await proton.send(
      new GetServiceInstanceCommand({ serviceName: 'web', name: 'web-x' }),
    );
    first = await push(
      {
        'proton-ops.yaml': OPS,
        'web/spec-a.yaml': spec('web-a', 9001),
        'web/spec-b.yaml': spec('web-b', 9101),
      },
      'sync web-a and web-b',
    );
    const created = await proton.send(
      new CreateServiceSyncConfigCommand({
        serviceName: 'web',
        repositoryName: REPO.name,
        repositoryProvider: REPO.provider,
        branch: 'main',
        filePath: 'proton-ops.yaml',
      }),
    );
    expect(created.serviceSyncConfig).toEqual({
      serviceName: 'web',
      repositoryName: REPO.name,
      repositoryProvider: 'GITHUB',
      branch: 'main',
      filePath: 'proton-ops.yaml',
    });
    const a = await synced('web-a', first);
    expect(a.latestSync).toMatchObject({
      status: 'SUCCEEDED',
      target: 'web-a',
      targetRevision: { branch: 'main', sha: first, directory: 'web/spec-a.yaml' },
    });
    expect(a.latestSync!.events!.map((e) => e.type)).toEqual([
      'INITIATED',
      'IN_PROGRESS',
      'SUCCEEDED',
    ]);
    expect(a.desiredState?.sha).toBe(first);
    expect(a.latestSuccessfulSync?.targetRevision?.sha).toBe(first);
    expect((await synced('web-b', first)).latestSync?.status).toBe('SUCCEEDED');
    expect(await port('web-a')).toBe('http://localhost:9001');
    expect(await port('web-b')).toBe('http://localhost:9101');
    const webXAfter = await proton.send(
      new GetServiceInstanceCommand({ serviceName: 'web', name: 'web-x' }),
    );
    expect(webXAfter.serviceInstance?.lastAttemptedDeploymentId).toBe(
      webX.serviceInstance?.lastAttemptedDeploymentId,
    );
    expect(
      (await proton.send(new GetServiceSyncConfigCommand({ serviceName: 'web' }))).serviceSyncConfig
        ?.filePath,
    ).toBe('proton-ops.yaml');
    const defs = await proton.send(
      new ListRepositorySyncDefinitionsCommand({
        repositoryName: REPO.name,
        repositoryProvider: REPO.provider,
        syncType: 'SERVICE_SYNC',
      }),
    );
    expect(defs.syncDefinitions).toEqual([
      { branch: 'main', directory: 'proton-ops.yaml', parent: 'web', target: 'web' },
    ]);
  });

  it('follows a commit that changes an instance spec', async () => {
    const second = await push({ 'web/spec-a.yaml': spec('web-a', 9002) }, 'web-a on 9002');
    const a = await synced('web-a', second);
    expect(a.latestSync?.status).toBe('SUCCEEDED');
    expect(a.latestSync?.initialRevision?.sha).toBe(first);
    expect(await port('web-a')).toBe('http://localhost:9002');
    // web-b's spec did not change: no new attempt.
    expect((await syncStatus('web-b')).latestSync?.targetRevision?.sha).toBe(first);
  });

  let blockerId: string;
  it('stops syncing an instance after a manual update, until the blocker is resolved', async () => {
    await proton.send(
      new UpdateServiceInstanceCommand({
        serviceName: 'web',
        name: 'web-a',
        deploymentType: 'CURRENT_VERSION',
        spec: spec('web-a', 9500, 'manual'),
      }),
    );
    await waitUntilServiceInstanceDeployed(w(proton), { serviceName: 'web', name: 'web-a' });
    const summary = await proton.send(
      new GetServiceSyncBlockerSummaryCommand({ serviceName: 'web', serviceInstanceName: 'web-a' }),
    );
    const blocker = summary.serviceSyncBlockerSummary!.latestBlockers![0]!;
    expect(summary.serviceSyncBlockerSummary).toMatchObject({
      serviceName: 'web',
      serviceInstanceName: 'web-a',
    });
    expect(blocker).toMatchObject({ type: 'AUTOMATED', status: 'ACTIVE' });
    expect(blocker.createdReason).toMatch(/UpdateServiceInstance/);
    expect(blocker.contexts).toContainEqual({ key: 'serviceInstanceName', value: 'web-a' });
    blockerId = blocker.id!;

    // Both specs change; web-b follows, web-a is blocked and keeps its manual state.
    const third = await push(
      { 'web/spec-a.yaml': spec('web-a', 9003), 'web/spec-b.yaml': spec('web-b', 9103) },
      'both change',
    );
    expect((await synced('web-b', third)).latestSync?.status).toBe('SUCCEEDED');
    await queueEmpty('service-sync');
    expect((await syncStatus('web-a')).latestSync?.targetRevision?.sha).not.toBe(third);
    expect(await port('web-a')).toBe('http://localhost:9500');

    const resolved = await proton.send(
      new UpdateServiceSyncBlockerCommand({
        id: blockerId,
        resolvedReason: 'reviewed the manual change',
      }),
    );
    expect(resolved).toMatchObject({
      serviceName: 'web',
      serviceInstanceName: 'web-a',
      serviceSyncBlocker: {
        id: blockerId,
        status: 'RESOLVED',
        resolvedReason: 'reviewed the manual change',
      },
    });
    expect(resolved.serviceSyncBlocker?.resolvedAt).toBeInstanceOf(Date);
    // Resolving resumes sync at the branch's tip.
    expect((await synced('web-a', third)).latestSync?.status).toBe('SUCCEEDED');
    expect(await port('web-a')).toBe('http://localhost:9003');
  });

  it('blocks an instance whose sync failed, with the reason, until resolved', async () => {
    const bad = await push({ 'web/spec-a.yaml': spec('web-a', '"not a number"') }, 'bad port');
    const failed = await synced('web-a', bad);
    expect(failed.latestSync?.status).toBe('FAILED');
    expect(failed.latestSync!.events!.at(-1)!.event).toMatch(/port/);
    expect(failed.latestSuccessfulSync?.targetRevision?.sha).not.toBe(bad);
    const summary = await proton.send(
      new GetServiceSyncBlockerSummaryCommand({ serviceName: 'web', serviceInstanceName: 'web-a' }),
    );
    const active = summary.serviceSyncBlockerSummary!.latestBlockers!.find(
      (b) => b.status === 'ACTIVE',
    )!;
    expect(active.createdReason).toContain(bad);

    const good = await push({ 'web/spec-a.yaml': spec('web-a', 9004) }, 'fix port');
    await queueEmpty('service-sync');
    expect((await syncStatus('web-a')).latestSync?.targetRevision?.sha).toBe(bad);
    await proton.send(
      new UpdateServiceSyncBlockerCommand({ id: active.id!, resolvedReason: 'fixed' }),
    );
    expect((await synced('web-a', good)).latestSync?.status).toBe('SUCCEEDED');
    expect(await port('web-a')).toBe('http://localhost:9004');
  });

  it('blocks the whole service when a manual UpdateService deletes a synced instance', async () => {
    await proton.send(
      new UpdateServiceCommand({
        name: 'web',
        spec: `${spec('web-a', 9004)}  - name: web-x\n    environment: dev\n    spec:\n      port: 7000\n`,
      }),
    );
    await waitUntilServiceUpdated(w(proton), { name: 'web' });
    const summary = await proton.send(
      new GetServiceSyncBlockerSummaryCommand({ serviceName: 'web' }),
    );
    const active = summary.serviceSyncBlockerSummary!.latestBlockers!.filter(
      (b) => b.status === 'ACTIVE',
    );
    expect(active).toHaveLength(1);
    expect(active[0]!.createdReason).toMatch(
      /UpdateService deleted the synced instance\(s\) web-b/,
    );
    expect(active[0]!.contexts).not.toContainEqual(
      expect.objectContaining({ key: 'serviceInstanceName', value: 'web-a' }),
    );

    const next = await push({ 'web/spec-a.yaml': spec('web-a', 9005) }, 'web-a on 9005');
    await queueEmpty('service-sync');
    expect((await syncStatus('web-a')).latestSync?.targetRevision?.sha).not.toBe(next);
    await proton.send(
      new UpdateServiceSyncBlockerCommand({ id: active[0]!.id!, resolvedReason: 'web-b retired' }),
    );
    expect((await synced('web-a', next)).latestSync?.status).toBe('SUCCEEDED');
    expect(await port('web-a')).toBe('http://localhost:9005');
  });
});
