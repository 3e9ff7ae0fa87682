import {
  CreateEnvironmentCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  GetServiceCommand,
  ListServiceInstancesCommand,
  UpdateServiceCommand,
  waitUntilEnvironmentDeployed,
  waitUntilServiceCreated,
  waitUntilServiceDeleted,
  type ProtonClient,
} from '@aws-sdk/client-proton';
import { startTestServer, waitFor, type TestServer } from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishFixture, sdkClient } from './helpers.js';

const w = (client: ProtonClient) => ({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 1 });
const spec = (names: string[]) =>
  `proton: ServiceSpec\ninstances:\n${names.map((n) => `  - name: ${n}\n    environment: dev\n    spec: {}\n`).join('')}`;

describe("the service status machine, with Proton's cleanup states", () => {
  let server: TestServer;
  let proton: ProtonClient;
  const settled = (name: string) =>
    waitFor(
      async () => {
        const s = (await proton.send(new GetServiceCommand({ name }))).service!;
        return s.status?.endsWith('IN_PROGRESS') ? undefined : s;
      },
      { timeoutMs: 60_000, what: `${name} to settle` },
    );

  beforeAll(async () => {
    server = await startTestServer({ dialect: 'pglite' });
    proton = sdkClient(server);
    await publishFixture(server, {
      kind: 'ENVIRONMENT',
      template: 'env',
      fixture: 'env-codebuild',
    });
    await publishFixture(server, {
      kind: 'SERVICE',
      template: 'flaky',
      fixture: 'svc-codebuild-failing',
      compatible: [{ templateName: 'env', majorVersion: '1' }],
    });
    await proton.send(
      new CreateEnvironmentCommand({
        name: 'dev',
        templateName: 'env',
        templateMajorVersion: '1',
        spec: 'proton: EnvironmentSpec\nspec: {}\n',
      }),
    );
    await waitUntilEnvironmentDeployed(w(proton), { name: 'dev' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('cleans up a service whose creation failed: CREATE_FAILED_CLEANUP_COMPLETE, nothing left', async () => {
    await proton.send(
      new CreateServiceCommand({
        name: 'broken',
        templateName: 'flaky',
        templateMajorVersion: '1',
        spec: spec(['good-1', 'bad-1']),
      }),
    );
    await expect(waitUntilServiceCreated(w(proton), { name: 'broken' })).rejects.toThrow();
    const svc = await settled('broken');
    expect(svc.status).toBe('CREATE_FAILED_CLEANUP_COMPLETE');
    expect(svc.statusMessage).toMatch(/instance bad-1: FAILED/);
    expect(
      (await proton.send(new ListServiceInstancesCommand({ serviceName: 'broken' })))
        .serviceInstances,
    ).toEqual([]);
    await proton.send(new DeleteServiceCommand({ name: 'broken' }));
    expect((await waitUntilServiceDeleted(w(proton), { name: 'broken' })).state).toBe('SUCCESS');
  });

  it('reports UPDATE_COMPLETE_CLEANUP_FAILED when only removing a dropped instance failed, and UPDATE_FAILED when an added one failed', async () => {
    await proton.send(
      new CreateServiceCommand({
        name: 'svc',
        templateName: 'flaky',
        templateMajorVersion: '1',
        spec: spec(['good-1', 'stuck-1']),
      }),
    );
    expect((await waitUntilServiceCreated(w(proton), { name: 'svc' })).state).toBe('SUCCESS');
    await proton.send(new UpdateServiceCommand({ name: 'svc', spec: spec(['good-1']) }));
    expect((await settled('svc')).status).toBe('UPDATE_COMPLETE_CLEANUP_FAILED');
    await proton.send(
      new UpdateServiceCommand({ name: 'svc', spec: spec(['good-1', 'stuck-1', 'bad-2']) }),
    );
    const after = await settled('svc');
    expect(after.status).toBe('UPDATE_FAILED');
    expect(after.statusMessage).toMatch(/instance bad-2: FAILED/);
  });
});
