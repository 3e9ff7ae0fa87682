import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateEnvironmentTemplateCommand,
  CreateRepositoryCommand,
  CreateTemplateSyncConfigCommand,
  GetTemplateSyncStatusCommand,
  ListEnvironmentTemplateVersionsCommand,
} from '@aws-sdk/client-proton';
import { extensionTargetPrefix } from '@nucleon/protocol';
import {
  postgresUnavailable,
  requireOrSkip,
  startTestServer,
  waitFor,
  type TestServer,
} from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir, nucleonClient, sdkClient } from './helpers.js';

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

describe('template sync with two Nucleon processes polling one PostgreSQL', async () => {
  const available = requireOrSkip(await postgresUnavailable());
  const servers: TestServer[] = [];
  const root = mkdtempSync(join(tmpdir(), 'nucleon-sync-workers-'));
  const remote = join(root, 'templates.git');
  const work = join(root, 'work');
  const commit = (message: string) => {
    git(['add', '--all'], work);
    git(['commit', '--quiet', '-m', message], work);
    git(['push', '--quiet', 'origin', 'HEAD:refs/heads/main'], work);
    return git(['rev-parse', 'HEAD'], work);
  };

  beforeAll(async () => {
    if (!available) return;
    git(['init', '--quiet', '--bare', '--initial-branch=main', remote], root);
    git(['clone', '--quiet', remote, work], root);
    git(['checkout', '--quiet', '-B', 'main'], work);
    cpSync(join(fixturesDir, 'env-cfn'), join(work, 'shared-env', 'v1'), { recursive: true });
    commit('first');
    // Both processes poll every second; each has its own data dir, so its own mirror.
    const env = {
      NUCLEON_SYNC_POLL_SECONDS: '1',
      NUCLEON_MASTER_KEY: randomBytes(32).toString('base64'),
    };
    servers.push(await startTestServer({ dialect: 'postgres', env }));
    servers.push(
      await startTestServer({
        dialect: 'pglite',
        env: { ...env, DATABASE_URL: servers[0]!.nucleon.config.databaseUrl! },
      }),
    );
  });
  afterAll(async () => {
    // The second shares the first's database: stop it first, then the first drops the database.
    for (const s of [...servers].reverse()) await s.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it.skipIf(!available)('registers each change once, whichever process fetches it', async () => {
    const [a, b] = [sdkClient(servers[0]!), sdkClient(servers[1]!)];
    await a.send(
      new CreateRepositoryCommand({
        provider: 'GITHUB',
        name: 'acme/shared',
        connectionArn: 'arn:aws:codestar-connections:us-east-1:123456789012:connection/x',
      }),
    );
    await nucleonClient(servers[1]!).send(`${extensionTargetPrefix}.SetRepositoryRemote`, {
      provider: 'GITHUB',
      name: 'acme/shared',
      remoteUrl: remote,
    });
    await b.send(new CreateEnvironmentTemplateCommand({ name: 'shared-env' }));
    await a.send(
      new CreateTemplateSyncConfigCommand({
        templateName: 'shared-env',
        templateType: 'ENVIRONMENT',
        repositoryName: 'acme/shared',
        repositoryProvider: 'GITHUB',
        branch: 'main',
      }),
    );
    const succeeded = (sha: string) =>
      waitFor(
        async () => {
          const s = await b.send(
            new GetTemplateSyncStatusCommand({
              templateName: 'shared-env',
              templateType: 'ENVIRONMENT',
              templateVersion: '1',
            }),
          );
          return s.latestSync?.targetRevision?.sha === sha && s.latestSync.status === 'SUCCEEDED'
            ? s
            : undefined;
        },
        { what: `the sync of ${sha}`, timeoutMs: 90_000 },
      );
    await succeeded(git(['rev-parse', 'HEAD'], work));
    for (const n of [1, 2, 3]) {
      appendFileSync(
        join(work, 'shared-env', 'v1', 'infrastructure', 'cloudformation.yaml'),
        `# ${n}\n`,
      );
      await succeeded(commit(`change ${n}`));
    }
    const versions = await a.send(
      new ListEnvironmentTemplateVersionsCommand({ templateName: 'shared-env', majorVersion: '1' }),
    );
    expect(versions.templateVersions!.map((v) => `${v.majorVersion}.${v.minorVersion}`)).toEqual([
      '1.0',
      '1.1',
      '1.2',
      '1.3',
    ]);
  });
});
