import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AccessDeniedException,
  CreateEnvironmentCommand,
  CreateEnvironmentTemplateCommand,
  CreateEnvironmentTemplateVersionCommand,
  GetEnvironmentCommand,
  ProtonClient as SdkClient,
  UpdateEnvironmentTemplateVersionCommand,
  waitUntilEnvironmentTemplateVersionRegistered,
} from '@aws-sdk/client-proton';
import { ProtonClient, extensionTargetPrefix } from '@nucleon/protocol';
import {
  createTestDatabase,
  postgresUnavailable,
  requireOrSkip,
  testDialects,
  waitFor,
} from '@nucleon/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { assertBuilt, startUp } from './run-cli.js';

const KEY = {
  accessKeyId: 'AKIANUCLEONCREDSTEST',
  secretAccessKey: 'nucleon-creds-test-secret-key-00000000000',
};
// Commands that hand their credentials to the test and then wait for a file that never comes.
const bundleDir = fileURLToPath(
  new URL('../../server/test/fixtures/bundles/env-codebuild-diag', import.meta.url),
);

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

for (const dialect of testDialects())
  describe(`scoped credentials across a crash (${dialect})`, () => {
    it("a deployment interrupted by kill -9 is failed after the restart, and its commands' credentials stop working", async (ctx) => {
      if (dialect === 'postgres' && !requireOrSkip(await postgresUnavailable())) return ctx.skip();
      assertBuilt();
      const db = dialect === 'postgres' ? await createTestDatabase() : undefined;
      const dir = mkdtempSync(join(tmpdir(), 'nucleon-creds-'));
      const env = {
        NUCLEON_ROOT_ACCESS_KEY_ID: KEY.accessKeyId,
        NUCLEON_ROOT_SECRET_ACCESS_KEY: KEY.secretAccessKey,
        NUCLEON_DATA_DIR: join(dir, 'data'),
        NUCLEON_JOB_LEASE_MS: '3000',
        NUCLEON_MASTER_KEY: Buffer.alloc(32, 9).toString('base64'),
        // The commands signal through files outside their workspace, which the command sandbox forbids.
        NUCLEON_RUNNER_SANDBOX: 'off',
        ...(db ? { DATABASE_URL: db.url } : {}),
      };
      try {
        const first = await startUp(['--port', '0'], {
          ...env,
          NUCLEON_LOG_LEVEL: 'info',
          NUCLEON_LOG_FORMAT: 'pretty',
        });
        children.push(first.child);
        // The effective configuration is logged at start, human-readable, with its secrets redacted.
        expect(first.output()).toMatch(
          /^\d\d:\d\d:\d\d\.\d{3} INFO {2}configuration .*rootSecretAccessKey=<redacted>/m,
        );
        expect(first.output()).not.toContain(KEY.secretAccessKey);

        const sdk = new SdkClient({ endpoint: first.url, region: 'us-east-1', credentials: KEY });
        const content = execFileSync('tar', ['-czf', '-', '-C', bundleDir, '.']).toString('base64');
        const own = new ProtonClient({
          endpoint: first.url,
          region: 'us-east-1',
          credentials: KEY,
        });
        const { s3 } = (await own.send(`${extensionTargetPrefix}.PutBundle`, {
          key: 'diag.tar.gz',
          content,
        })) as { s3: { bucket: string; key: string } };
        await sdk.send(new CreateEnvironmentTemplateCommand({ name: 'diag' }));
        await sdk.send(
          new CreateEnvironmentTemplateVersionCommand({ templateName: 'diag', source: { s3 } }),
        );
        await waitUntilEnvironmentTemplateVersionRegistered(
          { client: sdk, maxWaitTime: 60, minDelay: 1, maxDelay: 1 },
          { templateName: 'diag', majorVersion: '1', minorVersion: '0' },
        );
        await sdk.send(
          new UpdateEnvironmentTemplateVersionCommand({
            templateName: 'diag',
            majorVersion: '1',
            minorVersion: '0',
            status: 'PUBLISHED',
          }),
        );

        const credsFile = join(dir, 'creds');
        const spec = `proton: EnvironmentSpec\nspec:\n  creds_file: "${credsFile}"\n  release_file: "${join(dir, 'never')}"\n`;
        await sdk.send(
          new CreateEnvironmentCommand({
            name: 'stuck',
            templateName: 'diag',
            templateMajorVersion: '1',
            spec,
          }),
        );
        await waitFor(async () => (existsSync(credsFile) ? true : undefined), {
          timeoutMs: 60_000,
          what: 'the commands to start',
        });
        const [accessKeyId, secretAccessKey, sessionToken] = readFileSync(credsFile, 'utf8').split(
          '\n',
        );
        const asCommands = (url: string) =>
          new SdkClient({
            endpoint: url,
            region: 'us-east-1',
            credentials: {
              accessKeyId: accessKeyId!,
              secretAccessKey: secretAccessKey!,
              sessionToken: sessionToken!,
            },
            maxAttempts: 1,
          });
        await expect(
          asCommands(first.url).send(new GetEnvironmentCommand({ name: 'stuck' })),
        ).rejects.toBeInstanceOf(AccessDeniedException);

        first.child.kill('SIGKILL');
        await new Promise((r) => first.child.once('exit', r));

        const second = await startUp(['--port', '0'], { ...env, NUCLEON_LOG_LEVEL: 'info' });
        children.push(second.child);
        // The default format: JSON lines.
        const configLine = second
          .output()
          .split('\n')
          .find((l) => l.includes('"msg":"configuration"'));
        expect(JSON.parse(configLine!)).toMatchObject({
          msg: 'configuration',
          rootSecretAccessKey: '<redacted>',
          logFormat: 'json',
        });

        const sdk2 = new SdkClient({ endpoint: second.url, region: 'us-east-1', credentials: KEY });
        const ended = await waitFor(
          async () => {
            const e = (await sdk2.send(new GetEnvironmentCommand({ name: 'stuck' }))).environment;
            return e?.deploymentStatus === 'IN_PROGRESS' ? undefined : e;
          },
          { timeoutMs: 120_000, intervalMs: 500, what: 'the interrupted deployment to be failed' },
        );
        expect(ended.deploymentStatus).toBe('FAILED');
        await expect(
          asCommands(second.url).send(new GetEnvironmentCommand({ name: 'stuck' })),
        ).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
      } finally {
        for (const c of children.splice(0)) c.kill('SIGKILL');
        await new Promise((r) => setTimeout(r, 300));
        await db?.drop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
