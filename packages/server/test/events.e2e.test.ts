import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateEnvironmentCommand,
  GetEnvironmentCommand,
  waitUntilEnvironmentDeployed,
} from '@aws-sdk/client-proton';
import { extensionTargetPrefix } from '@nucleon/protocol';
import {
  postgresUnavailable,
  requireOrSkip,
  startTestServer,
  testDialects,
  waitFor,
  type TestServer,
} from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nucleonClient, publishFixture, sdkClient } from './helpers.js';

interface Received {
  headers: Record<string, string | string[] | undefined>;
  body: string;
  answered: number;
}

/** A real HTTP receiver on 127.0.0.1 answering `answer(n)` to its n-th request (from 1). */
async function receiver(answer: (n: number) => number) {
  const got: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const status = answer(got.length + 1);
      got.push({ headers: req.headers, body, answered: status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    got,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const verify = (secret: string, r: Received) =>
  r.headers['x-nucleon-signature'] ===
  `v1=${createHmac('sha256', secret)
    .update(`${String(r.headers['x-nucleon-timestamp'])}.${r.body}`)
    .digest('hex')}`;

interface Ev {
  ok: boolean;
  id: string;
  version: string;
  'detail-type': string;
  source: string;
  time: string;
  detail: { status?: string; previousStatus?: string } & Record<string, unknown>;
}

interface Delivery {
  eventId: string;
  detailType: string;
  status: string;
  attempts: number;
  lastError?: string;
}

/**
 * Status changes become EventBridge-shaped events (Proton's detail types), delivered at least
 * once to HMAC-signed webhooks: real HTTP receivers on this machine, one of which fails at first.
 */
for (const dialect of testDialects())
  describe(`events: every status change is delivered to signed webhooks, with retries (${dialect})`, async () => {
    const available = dialect === 'postgres' ? requireOrSkip(await postgresUnavailable()) : true;
    let server: TestServer;
    const good = receiver(() => 200);
    // Fails its first two requests: the events they carried are retried with backoff.
    const flaky = receiver((n) => (n <= 2 ? 503 : 200));
    const call = (op: string, input: Record<string, unknown>) =>
      nucleonClient(server).send(`${extensionTargetPrefix}.${op}`, input) as Promise<
        Record<string, unknown>
      >;

    beforeAll(async () => {
      if (available) server = await startTestServer({ dialect });
    }, 120_000);
    afterAll(async () => {
      await server?.stop();
      await (await good).close();
      await (await flaky).close();
    });

    it.skipIf(!available)(
      'delivers signed status-change events of a deployment, and retries a failing receiver',
      async () => {
        const a = await good;
        const b = await flaky;
        const secret = 'a-shared-secret-of-the-receiver';
        const subA = (await call('CreateEventSubscription', { url: a.url, secret })) as {
          subscription: { id: string; secret: string };
        };
        expect(subA.subscription.secret).toBe(secret);
        const subB = (await call('CreateEventSubscription', {
          url: b.url,
          detailTypes: ['AWS Proton Environment Status Change', 'Nucleon Deployment Status Change'],
        })) as { subscription: { id: string; secret: string } };
        // No secret given: the server made one and shows it once.
        expect(subB.subscription.secret.length).toBeGreaterThanOrEqual(32);
        const listed = (await call('ListEventSubscriptions', {})) as {
          subscriptions: Array<Record<string, unknown>>;
        };
        expect(listed.subscriptions.map((s) => s.url)).toEqual([a.url, b.url]);
        expect(listed.subscriptions.every((s) => s.secret === undefined)).toBe(true);

        await publishFixture(server, {
          kind: 'ENVIRONMENT',
          template: 'ev-env',
          fixture: 'env-rollout',
        });
        const proton = sdkClient(server);
        await proton.send(
          new CreateEnvironmentCommand({
            name: 'ev-dev',
            templateName: 'ev-env',
            templateMajorVersion: '1',
            spec: 'proton: EnvironmentSpec\nspec: {}\n',
          }),
        );
        await waitUntilEnvironmentDeployed(
          { client: proton, maxWaitTime: 120, minDelay: 1, maxDelay: 1 },
          { name: 'ev-dev' },
        );
        const env = (await proton.send(new GetEnvironmentCommand({ name: 'ev-dev' }))).environment!;

        // Receiver A: every event signed with its secret, EventBridge-shaped, Proton's detail types.
        const events = () =>
          a.got.map((r): Ev => ({
            ...(JSON.parse(r.body) as Omit<Ev, 'ok'>),
            ok: verify(secret, r),
          }));
        await waitFor(
          async () =>
            events().some(
              (e) =>
                e['detail-type'] === 'AWS Proton Environment Status Change' &&
                e.detail.status === 'SUCCEEDED',
            ) &&
            events().some(
              (e) =>
                e['detail-type'] === 'Nucleon Deployment Status Change' &&
                e.detail.status === 'SUCCEEDED',
            )
              ? true
              : undefined,
          { timeoutMs: 60_000, intervalMs: 200, what: 'the deployment events at receiver A' },
        );
        expect(events().every((e) => e.ok)).toBe(true);
        expect(verify('another-secret-entirely', a.got[0]!)).toBe(false);
        const envEvents = events().filter(
          (e) => e['detail-type'] === 'AWS Proton Environment Status Change',
        );
        expect(envEvents.map((e) => [e.detail.previousStatus, e.detail.status])).toEqual([
          [undefined, 'IN_PROGRESS'],
          ['IN_PROGRESS', 'SUCCEEDED'],
        ]);
        expect(envEvents[1]).toMatchObject({
          version: '0',
          source: 'aws.proton',
          account: server.nucleon.accountId,
          region: server.region,
          resources: [env.arn],
          detail: { name: 'ev-dev', status: 'SUCCEEDED', previousStatus: 'IN_PROGRESS' },
        });
        expect(envEvents[1]!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        expect(a.got[0]!.headers['x-nucleon-event-id']).toBe((JSON.parse(a.got[0]!.body) as Ev).id);
        const deployment = events().find(
          (e) =>
            e['detail-type'] === 'Nucleon Deployment Status Change' &&
            e.detail.status === 'SUCCEEDED',
        )!;
        expect(deployment.detail).toMatchObject({
          id: env.lastSucceededDeploymentId,
          targetResourceType: 'ENVIRONMENT',
          targetName: 'ev-dev',
          previousStatus: 'IN_PROGRESS',
        });
        // The template version's registration and publication are events too.
        expect(
          events()
            .filter(
              (e) => e['detail-type'] === 'AWS Proton Environment Template Version Status Change',
            )
            .map((e) => e.detail.status),
        ).toEqual(expect.arrayContaining(['REGISTRATION_IN_PROGRESS', 'DRAFT', 'PUBLISHED']));

        // Receiver B only gets the detail types it asked for; its first two answers were 503, so
        // those events came again (same event id) until it answered 200.
        const done = await waitFor(
          async () => {
            const { deliveries } = (await call('ListEventDeliveries', {
              subscriptionId: subB.subscription.id,
            })) as { deliveries: Delivery[] };
            return deliveries.length >= 4 && deliveries.every((d) => d.status === 'DELIVERED')
              ? deliveries
              : undefined;
          },
          { timeoutMs: 60_000, intervalMs: 250, what: 'every delivery to receiver B' },
        );
        expect(new Set(done.map((d) => d.detailType))).toEqual(
          new Set(['AWS Proton Environment Status Change', 'Nucleon Deployment Status Change']),
        );
        expect(b.got.slice(0, 2).map((r) => r.answered)).toEqual([503, 503]);
        expect(b.got.every((r) => verify(subB.subscription.secret, r))).toBe(true);
        const retried = done.filter((d) => d.attempts > 1);
        expect(retried.length).toBeGreaterThan(0);
        for (const d of retried) {
          const seen = b.got.filter((r) => r.headers['x-nucleon-event-id'] === d.eventId);
          expect(seen.length, d.eventId).toBe(d.attempts);
          expect(seen.at(-1)!.answered).toBe(200);
        }
        // Every event B delivered reached it with a 200 at least once.
        for (const d of done)
          expect(
            b.got.some((r) => r.headers['x-nucleon-event-id'] === d.eventId && r.answered === 200),
          ).toBe(true);
      },
      180_000,
    );

    it.skipIf(!available)(
      'refuses bad subscriptions with ValidationException and unknown ones with ResourceNotFoundException',
      async () => {
        await expect(
          call('CreateEventSubscription', { url: 'file:///etc/passwd' }),
        ).rejects.toMatchObject({
          name: 'ValidationException',
          message: expect.stringContaining('http:// or https://'),
        });
        await expect(
          call('CreateEventSubscription', { url: 'http://127.0.0.1:9/x', detailTypes: ['Nope'] }),
        ).rejects.toMatchObject({
          name: 'ValidationException',
          message: expect.stringContaining('Nope'),
        });
        await expect(
          call('CreateEventSubscription', { url: 'http://127.0.0.1:9/x', secret: 'short' }),
        ).rejects.toMatchObject({ name: 'ValidationException' });
        await expect(call('DeleteEventSubscription', { id: 'nope' })).rejects.toMatchObject({
          name: 'ResourceNotFoundException',
        });
        const { subscriptions } = (await call('ListEventSubscriptions', {})) as {
          subscriptions: Array<{ id: string }>;
        };
        await call('DeleteEventSubscription', { id: subscriptions[0]!.id });
        const after = (await call('ListEventSubscriptions', {})) as { subscriptions: unknown[] };
        expect(after.subscriptions).toHaveLength(subscriptions.length - 1);
      },
    );
  });
