import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  CreateEnvironmentCommand,
  CreateEnvironmentTemplateCommand,
  CreateEnvironmentTemplateVersionCommand,
  GetEnvironmentCommand,
  ProtonClient as SdkClient,
  UpdateEnvironmentCommand,
  UpdateEnvironmentTemplateVersionCommand,
  waitUntilEnvironmentDeployed,
  waitUntilEnvironmentTemplateVersionRegistered,
} from '@aws-sdk/client-proton';
import { ProtonClient, extensionTargetPrefix } from '@nucleon/protocol';
import { startTestServer, type TestServer } from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli } from './run-cli.js';

const bundleDir = fileURLToPath(
  new URL('../../server/test/fixtures/bundles/env-codebuild', import.meta.url),
);

describe('nucleon deployment show', () => {
  let server: TestServer;
  let sdk: SdkClient;
  const env = () => ({
    AWS_ENDPOINT_URL_PROTON: server.url,
    AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
    AWS_PROFILE: '',
  });

  beforeAll(async () => {
    assertBuilt();
    server = await startTestServer({ dialect: 'pglite' });
    sdk = new SdkClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: server.credentials,
    });
    const content = execFileSync('tar', ['-czf', '-', '-C', bundleDir, '.']).toString('base64');
    const own = new ProtonClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: server.credentials,
    });
    const { s3 } = (await own.send(`${extensionTargetPrefix}.PutBundle`, {
      key: 'cb.tar.gz',
      content,
    })) as { s3: { bucket: string; key: string } };
    await sdk.send(new CreateEnvironmentTemplateCommand({ name: 'cb' }));
    await sdk.send(
      new CreateEnvironmentTemplateVersionCommand({ templateName: 'cb', source: { s3 } }),
    );
    await waitUntilEnvironmentTemplateVersionRegistered(
      { client: sdk, maxWaitTime: 60, minDelay: 1, maxDelay: 1 },
      { templateName: 'cb', majorVersion: '1', minorVersion: '0' },
    );
    await sdk.send(
      new UpdateEnvironmentTemplateVersionCommand({
        templateName: 'cb',
        majorVersion: '1',
        minorVersion: '0',
        status: 'PUBLISHED',
      }),
    );
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('follows a deployment to success and shows its log, outputs and rendered files', async () => {
    const created = await sdk.send(
      new CreateEnvironmentCommand({
        name: 'shown',
        templateName: 'cb',
        templateMajorVersion: '1',
        spec: 'proton: EnvironmentSpec\nspec:\n  greeting: salut\n',
      }),
    );
    const id = created.environment!.lastAttemptedDeploymentId!;
    const follow = await runCli(['deployment', 'show', id, '--follow'], env());
    expect(follow.code).toBe(0);
    expect(follow.stdout).toContain('wrote outputs');
    const shown = await runCli(['deployment', 'show', id, '--rendered'], env());
    expect(shown.stdout).toMatch(/status\s+SUCCEEDED/);
    expect(shown.stdout).toContain('Greeting = salut');
    expect(shown.stdout).toContain('--- proton-inputs.json');
    expect(shown.stdout).toContain('"greeting": "salut"');
    const json = JSON.parse(
      (await runCli(['deployment', 'show', id, '-o', 'json'], env())).stdout,
    ) as { deployment: { id: string } };
    expect(json.deployment.id).toBe(id);
  });

  it('exits non-zero when the followed deployment fails, and explains an unknown id', async () => {
    await waitUntilEnvironmentDeployed(
      { client: sdk, maxWaitTime: 60, minDelay: 1, maxDelay: 1 },
      { name: 'shown' },
    );
    const updated = await sdk.send(
      new UpdateEnvironmentCommand({
        name: 'shown',
        deploymentType: 'CURRENT_VERSION',
        spec: 'proton: EnvironmentSpec\nspec:\n  fail: true\n',
      }),
    );
    const follow = await runCli(
      ['deployment', 'show', updated.environment!.lastAttemptedDeploymentId!, '--follow'],
      env(),
    );
    expect(follow.code).toBe(1);
    expect(follow.stdout).toMatch(/FAILED/);
    expect(
      (await sdk.send(new GetEnvironmentCommand({ name: 'shown' }))).environment?.deploymentStatus,
    ).toBe('FAILED');
    const missing = await runCli(
      ['deployment', 'show', '00000000-0000-4000-8000-000000000000'],
      env(),
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/ResourceNotFoundException/);
  });
});
