import { execFile, execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CreateEnvironmentTemplateCommand,
  CreateRepositoryCommand,
  CreateServiceTemplateCommand,
  CreateTemplateSyncConfigCommand,
  DeleteTemplateSyncConfigCommand,
  GetRepositorySyncStatusCommand,
  GetTemplateSyncConfigCommand,
  GetTemplateSyncStatusCommand,
  ListEnvironmentTemplateVersionsCommand,
  ListRepositorySyncDefinitionsCommand,
  GetServiceTemplateVersionCommand,
  ResourceNotFoundException,
  UpdateTemplateSyncConfigCommand,
  type GetTemplateSyncStatusCommandOutput,
  type ProtonClient,
} from '@aws-sdk/client-proton';
import { extensionTargetPrefix } from '@nucleon/protocol';
import { requireOrSkip, startTestServer, waitFor, type TestServer } from '@nucleon/test-utils';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir, nucleonClient, sdkClient } from './helpers.js';

const run = promisify(execFile);
const git = (args: string[], cwd: string) =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Platform',
      GIT_AUTHOR_EMAIL: 'platform@example.com',
      GIT_COMMITTER_NAME: 'Platform',
      GIT_COMMITTER_EMAIL: 'platform@example.com',
    },
  }).trim();

const REPO = { provider: 'GITHUB', name: 'acme/templates' } as const;
const CONNECTION = 'arn:aws:codestar-connections:us-east-1:123456789012:connection/sync';

/** A platform team's template repository: a bare remote and a working clone that pushes to it. */
function templateRepository(root: string) {
  const remote = join(root, 'templates.git');
  const work = join(root, 'work');
  git(['init', '--quiet', '--bare', '--initial-branch=main', remote], root);
  git(['clone', '--quiet', remote, work], root);
  git(['checkout', '--quiet', '-B', 'main'], work);
  return {
    remote,
    work,
    commit(message: string): string {
      git(['add', '--all'], work);
      git(['commit', '--quiet', '--allow-empty', '-m', message], work);
      git(['push', '--quiet', 'origin', 'HEAD:refs/heads/main'], work);
      return git(['rev-parse', 'HEAD'], work);
    },
  };
}

async function deliver(url: string, body: string, headers: Record<string, string>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return response.status;
}

const github = (secret: string, body: string) => ({
  'x-github-event': 'push',
  'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
});

async function fetchJobs(server: TestServer): Promise<number> {
  const r = await sql<{
    n: string;
  }>`select count(*) as n from jobs where queue = 'repository-fetch'`.execute(
    server.nucleon.database.db,
  );
  return Number(r.rows[0]!.n);
}

describe('template sync from a git repository', () => {
  let server: TestServer;
  let proton: ProtonClient;
  let repo: ReturnType<typeof templateRepository>;
  let hook: { url: string; secret: string };
  const root = mkdtempSync(join(tmpdir(), 'nucleon-template-sync-'));
  const v1 = (...p: string[]) => join(repo.work, 'templates', 'sync-env', 'v1', ...p);
  const commits: string[] = [];

  /** Pushes a commit and announces it the way GitHub does, with a valid signature. */
  const push = async (message: string) => {
    const sha = repo.commit(message);
    commits.push(sha);
    const body = JSON.stringify({ ref: 'refs/heads/main', after: sha });
    expect(await deliver(hook.url, body, github(hook.secret, body))).toBe(202);
    return sha;
  };
  const status = (major = '1', templateName = 'sync-env', templateType = 'ENVIRONMENT' as const) =>
    proton.send(
      new GetTemplateSyncStatusCommand({ templateName, templateType, templateVersion: major }),
    );
  /** Waits for the sync attempt of `sha` to end, and returns the status. */
  const settled = (sha: string, major = '1', name = 'sync-env', type = 'ENVIRONMENT' as const) =>
    waitFor(
      async () => {
        const s: GetTemplateSyncStatusCommandOutput = await status(major, name, type);
        const done = ['SUCCEEDED', 'FAILED'].includes(s.latestSync?.status ?? '');
        return s.latestSync?.targetRevision?.sha === sha && done ? s : undefined;
      },
      { what: `the sync of ${sha}`, timeoutMs: 60_000 },
    );
  const versions = async (majorVersion = '1') =>
    (
      await proton.send(
        new ListEnvironmentTemplateVersionsCommand({ templateName: 'sync-env', majorVersion }),
      )
    ).templateVersions!.map((v) => `${v.majorVersion}.${v.minorVersion} ${v.status}`);

  beforeAll(async () => {
    repo = templateRepository(root);
    mkdirSync(join(repo.work, 'templates', 'sync-env'), { recursive: true });
    cpSync(join(fixturesDir, 'env-cfn'), v1(), { recursive: true });
    writeFileSync(join(repo.work, 'README.md'), '# templates\n');
    commits.push(repo.commit('first version of sync-env'));
    // Polling off: every change here arrives by webhook, so each step waits only for its own delivery.
    server = await startTestServer({
      dialect: 'pglite',
      env: { NUCLEON_SYNC_POLL_SECONDS: '0' },
    });
    proton = sdkClient(server);
    await proton.send(new CreateRepositoryCommand({ ...REPO, connectionArn: CONNECTION }));
    await nucleonClient(server).send(`${extensionTargetPrefix}.SetRepositoryRemote`, {
      ...REPO,
      remoteUrl: repo.remote,
    });
    const out = (await nucleonClient(server).send(
      `${extensionTargetPrefix}.SetRepositoryWebhook`,
      REPO,
    )) as { webhook: { url: string; secret: string } };
    hook = out.webhook;
    await proton.send(new CreateEnvironmentTemplateCommand({ name: 'sync-env' }));
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('registers 1.0 from the branch when the sync config is created', async () => {
    expect(hook.url).toMatch(new RegExp(`^${server.url}/webhooks/repositories/[0-9a-f-]{36}$`));
    expect(hook.secret.length).toBeGreaterThanOrEqual(32);
    const created = await proton.send(
      new CreateTemplateSyncConfigCommand({
        templateName: 'sync-env',
        templateType: 'ENVIRONMENT',
        repositoryName: REPO.name,
        repositoryProvider: REPO.provider,
        branch: 'main',
        subdirectory: 'templates',
      }),
    );
    expect(created.templateSyncConfig).toMatchObject({
      templateName: 'sync-env',
      branch: 'main',
      subdirectory: 'templates',
    });
    const s = await settled(commits[0]!);
    expect(s.latestSync).toMatchObject({
      status: 'SUCCEEDED',
      target: 'sync-env',
      targetRevision: {
        repositoryName: REPO.name,
        repositoryProvider: 'GITHUB',
        branch: 'main',
        sha: commits[0],
        directory: 'templates/sync-env/v1',
      },
    });
    expect(s.latestSync!.events!.map((e) => e.type)).toEqual([
      'INITIATED',
      'IN_PROGRESS',
      'SUCCEEDED',
    ]);
    expect(s.latestSync!.events!.every((e) => e.externalId === commits[0])).toBe(true);
    expect(s.latestSuccessfulSync?.targetRevision?.sha).toBe(commits[0]);
    expect(s.desiredState?.sha).toBe(commits[0]);
    expect(await versions()).toEqual(['1.0 DRAFT']);
    await expect(
      proton.send(
        new CreateTemplateSyncConfigCommand({
          templateName: 'sync-env',
          templateType: 'ENVIRONMENT',
          repositoryName: REPO.name,
          repositoryProvider: REPO.provider,
          branch: 'main',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ConflictException' });
  });

  it('registers 1.1 from a commit that changes v1/, and nothing from one that does not', async () => {
    appendFileSync(v1('infrastructure', 'cloudformation.yaml'), '# second revision\n');
    const second = await push('change v1');
    const s = await settled(second);
    expect(s.latestSync?.status).toBe('SUCCEEDED');
    expect(s.latestSync?.initialRevision?.sha).toBe(commits[0]);
    expect(await versions()).toEqual(['1.0 DRAFT', '1.1 DRAFT']);

    appendFileSync(join(repo.work, 'README.md'), 'more words\n');
    const unrelated = await push('docs only');
    // The fetch saw the commit; the template's folder did not change, so no attempt and no version.
    await waitFor(
      async () => {
        const r = await proton.send(
          new GetRepositorySyncStatusCommand({
            repositoryName: REPO.name,
            repositoryProvider: REPO.provider,
            branch: 'main',
            syncType: 'TEMPLATE_SYNC',
          }),
        );
        return r.latestSync?.events?.some((e) => e.externalId === unrelated) ? r : undefined;
      },
      { what: 'the fetch of the docs commit' },
    );
    const jobsLeft = async () => {
      const r = await sql<{
        n: string;
      }>`select count(*) as n from jobs where queue = 'template-sync'`.execute(
        server.nucleon.database.db,
      );
      return Number(r.rows[0]!.n) === 0 ? true : undefined;
    };
    await waitFor(jobsLeft, { what: 'the template sync job of the docs commit' });
    expect((await status()).latestSync?.targetRevision?.sha).toBe(second);
    expect(await versions()).toEqual(['1.0 DRAFT', '1.1 DRAFT']);
  });

  it('reports an invalid commit as FAILED with its reason, and the next good commit recovers', async () => {
    writeFileSync(v1('schema', 'schema.yaml'), 'schema: [this is: not, valid\n');
    const bad = await push('break the schema');
    const failed = await settled(bad);
    expect(failed.latestSync?.status).toBe('FAILED');
    const last = failed.latestSync!.events!.at(-1)!;
    expect(last).toMatchObject({ type: 'FAILED', externalId: bad });
    expect(last.event).toMatch(/schema/i);
    expect(failed.latestSuccessfulSync?.targetRevision?.sha).toBe(commits[1]);
    expect(failed.desiredState?.sha).toBe(bad);

    cpSync(join(fixturesDir, 'env-cfn', 'schema'), v1('schema'), { recursive: true });
    appendFileSync(v1('infrastructure', 'cloudformation.yaml'), '# fixed\n');
    const good = await push('fix the schema');
    const fixed = await settled(good);
    expect(fixed.latestSync?.status).toBe('SUCCEEDED');
    expect(fixed.latestSuccessfulSync?.targetRevision?.sha).toBe(good);
    expect(await versions()).toEqual([
      '1.0 DRAFT',
      '1.1 DRAFT',
      '1.2 REGISTRATION_FAILED',
      '1.3 DRAFT',
    ]);
  });

  it('starts major 2 from a new v2/ folder', async () => {
    cpSync(join(fixturesDir, 'env-cfn'), join(repo.work, 'templates', 'sync-env', 'v2'), {
      recursive: true,
    });
    const sha = await push('add v2');
    const s = await settled(sha, '2');
    expect(s.latestSync?.status).toBe('SUCCEEDED');
    expect(s.latestSync?.targetRevision?.directory).toBe('templates/sync-env/v2');
    expect(await versions('2')).toEqual(['2.0 DRAFT']);
    expect((await status('1')).latestSync?.targetRevision?.sha).toBe(commits[4]);
  });

  it('refuses webhook deliveries with a bad signature or none, and does nothing', async () => {
    const body = JSON.stringify({ ref: 'refs/heads/main', after: 'f'.repeat(40) });
    await waitFor(async () => ((await fetchJobs(server)) === 0 ? true : undefined), {
      what: 'earlier fetches to finish',
    });
    expect(await deliver(hook.url, body, github('not-the-secret-0000000000', body))).toBe(403);
    expect(await deliver(hook.url, body, { 'x-gitea-signature': 'ab'.repeat(32) })).toBe(403);
    expect(await deliver(hook.url, body, { 'x-gitlab-token': 'wrong-token-0000000000' })).toBe(403);
    expect(await deliver(hook.url, body, {})).toBe(401);
    expect(await deliver(`${server.url}/webhooks/repositories/nope`, body, {})).toBe(404);
    expect(await fetchJobs(server)).toBe(0);
    // Gitea and GitLab deliveries with the right secret are accepted.
    const hmac = createHmac('sha256', hook.secret).update(body).digest('hex');
    expect(await deliver(hook.url, body, { 'x-gitea-signature': hmac })).toBe(202);
    expect(await deliver(hook.url, body, { 'x-gitlab-token': hook.secret })).toBe(202);
  });

  it('registers a service template with its compatible environments from .template-registration.yaml', async () => {
    await proton.send(
      new CreateServiceTemplateCommand({
        name: 'sync-svc',
        pipelineProvisioning: 'CUSTOMER_MANAGED',
      }),
    );
    const dir = join(repo.work, 'templates', 'sync-svc', 'v1');
    cpSync(join(fixturesDir, 'svc-cfn-nopipe'), dir, { recursive: true });
    writeFileSync(
      join(dir, '.template-registration.yaml'),
      'compatible_environments:\n  - sync-env:1\nsupported_component_sources:\n  - DIRECTLY_DEFINED\n',
    );
    const sha = await push('add sync-svc');
    await proton.send(
      new CreateTemplateSyncConfigCommand({
        templateName: 'sync-svc',
        templateType: 'SERVICE',
        repositoryName: REPO.name,
        repositoryProvider: REPO.provider,
        branch: 'main',
        subdirectory: '/templates/',
      }),
    );
    const s = await settled(sha, '1', 'sync-svc', 'SERVICE' as 'ENVIRONMENT');
    expect(s.latestSync?.status).toBe('SUCCEEDED');
    const v = await proton.send(
      new GetServiceTemplateVersionCommand({
        templateName: 'sync-svc',
        majorVersion: '1',
        minorVersion: '0',
      }),
    );
    expect(v.serviceTemplateVersion).toMatchObject({
      status: 'DRAFT',
      compatibleEnvironmentTemplates: [{ templateName: 'sync-env', majorVersion: '1' }],
      supportedComponentSources: ['DIRECTLY_DEFINED'],
    });
    const defs = await proton.send(
      new ListRepositorySyncDefinitionsCommand({
        repositoryName: REPO.name,
        repositoryProvider: REPO.provider,
        syncType: 'TEMPLATE_SYNC',
      }),
    );
    expect(defs.syncDefinitions).toEqual([
      { branch: 'main', directory: 'templates', parent: 'sync-env', target: 'sync-env' },
      { branch: 'main', directory: 'templates', parent: 'sync-svc', target: 'sync-svc' },
    ]);
  });

  it('gets, updates and deletes a sync config', async () => {
    const updated = await proton.send(
      new UpdateTemplateSyncConfigCommand({
        templateName: 'sync-svc',
        templateType: 'SERVICE',
        repositoryName: REPO.name,
        repositoryProvider: REPO.provider,
        branch: 'release',
        subdirectory: 'templates',
      }),
    );
    expect(updated.templateSyncConfig?.branch).toBe('release');
    const got = await proton.send(
      new GetTemplateSyncConfigCommand({ templateName: 'sync-svc', templateType: 'SERVICE' }),
    );
    expect(got.templateSyncConfig?.branch).toBe('release');
    const deleted = await proton.send(
      new DeleteTemplateSyncConfigCommand({ templateName: 'sync-svc', templateType: 'SERVICE' }),
    );
    expect(deleted.templateSyncConfig?.templateName).toBe('sync-svc');
    await expect(
      proton.send(
        new GetTemplateSyncConfigCommand({ templateName: 'sync-svc', templateType: 'SERVICE' }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('answers boto3 with the shapes Proton answered', async () => {
    const python = requireOrSkip(
      await run('python3', ['-c', 'import boto3']).then(
        () => undefined,
        (e: Error) => `boto3 is not installed: ${e.message.split('\n')[0]}`,
      ),
    );
    if (!python) return;
    const script = `
import json, sys, boto3
a = json.loads(sys.argv[1])
p = boto3.client("proton", endpoint_url=a["url"], region_name="us-east-1",
                 aws_access_key_id=a["key"], aws_secret_access_key=a["secret"])
s = p.get_template_sync_status(templateName="sync-env", templateType="ENVIRONMENT", templateVersion="1")
r = p.get_repository_sync_status(repositoryName="acme/templates", repositoryProvider="GITHUB", branch="main", syncType="TEMPLATE_SYNC")
d = p.list_repository_sync_definitions(repositoryName="acme/templates", repositoryProvider="GITHUB", syncType="TEMPLATE_SYNC")
c = p.get_template_sync_config(templateName="sync-env", templateType="ENVIRONMENT")
print(json.dumps({"status": s["latestSync"]["status"], "sha": s["latestSuccessfulSync"]["targetRevision"]["sha"],
  "started": s["latestSync"]["startedAt"].year, "repo": r["latestSync"]["status"],
  "defs": [x["parent"] for x in d["syncDefinitions"]], "branch": c["templateSyncConfig"]["branch"]}))
`;
    const { stdout } = await run('python3', [
      '-c',
      script,
      JSON.stringify({
        url: server.url,
        key: server.credentials.accessKeyId,
        secret: server.credentials.secretAccessKey,
      }),
    ]);
    expect(JSON.parse(stdout)).toEqual({
      status: 'SUCCEEDED',
      sha: commits[4],
      started: new Date().getUTCFullYear(),
      repo: 'SUCCEEDED',
      defs: ['sync-env'],
      branch: 'main',
    });
  });
});

describe('template sync by polling', () => {
  let server: TestServer;
  const root = mkdtempSync(join(tmpdir(), 'nucleon-template-poll-'));
  afterAll(async () => {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });
  beforeAll(async () => {
    server = await startTestServer({
      dialect: 'pglite',
      env: { NUCLEON_SYNC_POLL_SECONDS: '1' },
    });
  });

  it('registers a commit pushed without any webhook', async () => {
    const repo = templateRepository(root);
    const dir = join(repo.work, 'poll-env', 'v1');
    cpSync(join(fixturesDir, 'env-cfn'), dir, { recursive: true });
    repo.commit('first');
    const proton = sdkClient(server);
    await proton.send(new CreateRepositoryCommand({ ...REPO, connectionArn: CONNECTION }));
    await nucleonClient(server).send(`${extensionTargetPrefix}.SetRepositoryRemote`, {
      ...REPO,
      remoteUrl: repo.remote,
    });
    await proton.send(new CreateEnvironmentTemplateCommand({ name: 'poll-env' }));
    await proton.send(
      new CreateTemplateSyncConfigCommand({
        templateName: 'poll-env',
        templateType: 'ENVIRONMENT',
        repositoryName: REPO.name,
        repositoryProvider: REPO.provider,
        branch: 'main',
      }),
    );
    const list = async () =>
      (
        await proton.send(
          new ListEnvironmentTemplateVersionsCommand({
            templateName: 'poll-env',
            majorVersion: '1',
          }),
        )
      ).templateVersions!.map((v) => `${v.majorVersion}.${v.minorVersion} ${v.status}`);
    await waitFor(async () => ((await list()).includes('1.0 DRAFT') ? true : undefined), {
      what: '1.0',
      timeoutMs: 60_000,
    });
    appendFileSync(join(dir, 'infrastructure', 'cloudformation.yaml'), '# polled\n');
    repo.commit('second');
    await waitFor(async () => ((await list()).includes('1.1 DRAFT') ? true : undefined), {
      what: '1.1 from polling',
      timeoutMs: 60_000,
    });
  });
});
