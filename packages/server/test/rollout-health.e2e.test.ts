import { createServer, type Server } from 'node:http';
import { startTestServer, type TestServer } from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  UpdateServiceInstanceCommand,
  waitUntilServiceInstanceDeployed,
} from '@aws-sdk/client-proton';
import { sdkClient } from './helpers.js';
import {
  createFleet,
  fleetState,
  publishMinor,
  rolloutCall,
  w,
  waitRollout,
} from './rollout-fixtures.js';

/**
 * Health checks during the bake: each instance's `HealthUrl` output (the fixture copies its
 * health_url input there) must answer 2xx. A real HTTP server here answers 200 for /ok and 503
 * for /sick; the prod instance points at /sick, so its wave fails during the bake although its
 * deployment succeeded, and the rollout rolls back.
 */
describe('rollout health checks during the bake', () => {
  let server: TestServer;
  let health: Server;
  let base = '';

  beforeAll(async () => {
    health = createServer((req, res) => {
      res.statusCode = req.url === '/ok' ? 200 : 503;
      res.end();
    });
    await new Promise<void>((r) => health.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(health.address() as { port: number }).port}`;
    server = await startTestServer({ dialect: 'pglite' });
    await createFleet(server, 'health-svc', ['svc'], {}, ['dev', 'prod']);
    await publishMinor(server, 'health-svc', 'svc-rollout-1_1');
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
    await new Promise((r) => health?.close(r));
  });

  it('fails a wave whose health check does not answer 2xx during the bake, and rolls it back', async () => {
    // Each instance is redeployed on 1.0 with its health_url (UpdateServiceInstance, CURRENT_VERSION).
    const proton = sdkClient(server);
    const spec = `proton: ServiceSpec\ninstances:\n  - name: svc-dev\n    environment: dev\n    spec:\n      health_url: ${base}/ok\n  - name: svc-prod\n    environment: prod\n    spec:\n      health_url: ${base}/sick\n`;
    for (const name of ['svc-dev', 'svc-prod']) {
      await proton.send(
        new UpdateServiceInstanceCommand({
          serviceName: 'svc',
          name,
          deploymentType: 'CURRENT_VERSION',
          spec,
        }),
      );
      await waitUntilServiceInstanceDeployed(w(proton), { serviceName: 'svc', name });
    }

    const started = await rolloutCall(server, 'StartRollout', {
      templateName: 'health-svc',
      targetMajorVersion: '1',
      targetMinorVersion: '1',
      environmentOrder: ['dev', 'prod'],
      bakeSeconds: 2,
      healthCheckOutput: 'HealthUrl',
      autoRollback: true,
    });
    const done = await waitRollout(
      server,
      started.rolloutId,
      (r) => r.status !== 'IN_PROGRESS',
      'the rollout',
    );
    expect(done.status).toBe('ROLLED_BACK');
    expect(done.statusMessage).toContain('wave 2 of 2 failed');
    const prod = done.instances.find((i) => i.serviceInstanceName === 'svc-prod')!;
    expect(prod.state).toBe('ROLLED_BACK');
    expect(prod.message).toContain(`health check failed: GET ${base}/sick answered 503`);
    const after = await fleetState(server, ['svc']);
    expect(after['svc/svc-dev']!.version).toBe('1.0');
    expect(after['svc/svc-prod']!.version).toBe('1.0');
  }, 300_000);
});
