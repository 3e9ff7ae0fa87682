import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateEnvironmentCommand,
  ListEnvironmentOutputsCommand,
  waitUntilEnvironmentDeployed,
} from '@aws-sdk/client-proton';
import { startTestServer, type TestServer } from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishFixture, sdkClient } from './helpers.js';

describe('deployment workspaces', () => {
  const project = mkdtempSync(join(tmpdir(), 'nucleon-project-'));
  let server: TestServer;

  beforeAll(async () => {
    // A data dir inside an ESM project (as `npm start` in this repository makes): the project's
    // package.json must not turn the template's CommonJS scripts into ES modules.
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'some-project', type: 'module' }),
    );
    mkdirSync(join(project, '.nucleon'));
    server = await startTestServer({
      dialect: 'pglite',
      env: { NUCLEON_DATA_DIR: join(project, '.nucleon') },
    });
    await publishFixture(server, { kind: 'ENVIRONMENT', template: 'cb', fixture: 'env-codebuild' });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(project, { recursive: true, force: true });
  });

  it('are isolated from the project that holds the data dir', async () => {
    const proton = sdkClient(server);
    await proton.send(
      new CreateEnvironmentCommand({
        name: 'iso',
        templateName: 'cb',
        templateMajorVersion: '1',
        spec: 'proton: EnvironmentSpec\nspec: {}\n',
      }),
    );
    expect(
      (
        await waitUntilEnvironmentDeployed(
          { client: proton, maxWaitTime: 60, minDelay: 1, maxDelay: 1 },
          { name: 'iso' },
        )
      ).state,
    ).toBe('SUCCESS');
    const outputs =
      (await proton.send(new ListEnvironmentOutputsCommand({ environmentName: 'iso' }))).outputs ??
      [];
    expect(outputs.find((o) => o.key === 'ClusterName')?.valueString).toBe('cluster-iso');
  });
});
