import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateEnvironmentCommand,
  GetEnvironmentCommand,
  waitUntilEnvironmentDeployed,
} from '@aws-sdk/client-proton';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { extensionTargetPrefix } from '@nucleon/protocol';
import { requireOrSkip, startTestServer, waitFor, type TestServer } from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findExecutable, startMotoServer, type MotoServer } from './engines/helpers.js';
import { nucleonClient, publishFixture, sdkClient } from './helpers.js';

interface Delivery {
  eventId: string;
  detailType: string;
  status: string;
  attempts: number;
  lastError?: string;
}

interface BusEvent {
  id: string;
  source: string;
  'detail-type': string;
  time: string;
  resources: string[];
  detail: { status?: string; previousStatus?: string } & Record<string, unknown>;
}

/**
 * EventBridge subscriptions against moto_server's EventBridge and SQS: a rule on the bus sends
 * matching events to an SQS queue (moto delivers PutEvents to SQS targets), read back with the
 * SDK. The server finds moto through AWS_ENDPOINT_URL_EVENTBRIDGE, as it would any endpoint.
 */
describe('events: EventBridge subscriptions send every status change with PutEvents', () => {
  const moto = findExecutable('moto_server');
  const available = requireOrSkip(moto ? undefined : 'moto_server (Python moto) is not installed');
  let server: TestServer;
  let aws: MotoServer;
  const saved = { ...process.env };
  const region = 'us-east-1';
  let eb: EventBridgeClient;
  let sqs: SQSClient;
  const call = (op: string, input: Record<string, unknown>) =>
    nucleonClient(server).send(`${extensionTargetPrefix}.${op}`, input) as Promise<
      Record<string, unknown>
    >;

  /** A bus with a rule sending events of `source` to a new SQS queue; returns the queue URL. */
  async function busToQueue(bus: string, source: string) {
    await eb.send(new CreateEventBusCommand({ Name: bus }));
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${bus}-q` }))).QueueUrl!;
    const queueArn = (
      await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
      )
    ).Attributes!.QueueArn!;
    await eb.send(
      new PutRuleCommand({
        Name: `${bus}-all`,
        EventBusName: bus,
        EventPattern: JSON.stringify({ source: [source] }),
      }),
    );
    await eb.send(
      new PutTargetsCommand({
        Rule: `${bus}-all`,
        EventBusName: bus,
        Targets: [{ Id: 'queue', Arn: queueArn }],
      }),
    );
    return queueUrl;
  }

  const received: Record<string, BusEvent[]> = {};
  async function drain(queueUrl: string) {
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
    );
    const got = (received[queueUrl] ??= []);
    for (const m of out.Messages ?? []) got.push(JSON.parse(m.Body!) as BusEvent);
    return got;
  }

  const deliveries = async (subscriptionId: string) =>
    ((await call('ListEventDeliveries', { subscriptionId })) as { deliveries: Delivery[] })
      .deliveries;

  beforeAll(async () => {
    if (!available) return;
    aws = await startMotoServer(moto!);
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_EVENTBRIDGE: aws.endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
    });
    eb = new EventBridgeClient({ endpoint: aws.endpoint, region });
    sqs = new SQSClient({ endpoint: aws.endpoint, region });
    server = await startTestServer({ dialect: 'pglite' });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await aws?.stop();
    process.env = saved;
  });

  it.skipIf(!available)(
    'delivers each event to the bus, and retries a bus that does not exist yet until it does',
    async () => {
      const fleetQueue = await busToQueue('nucleon-fleet', 'nucleon.proton');
      const good = (
        (await call('CreateEventSubscription', { eventBus: 'nucleon-fleet' })) as {
          subscription: Record<string, string>;
        }
      ).subscription;
      // No secret for EventBridge (the SDK signs with AWS credentials); the defaults are shown.
      expect(good).toMatchObject({
        eventBus: 'nucleon-fleet',
        eventBusRegion: server.region,
        source: 'nucleon.proton',
      });
      expect(good.secret).toBeUndefined();
      // Proton's own source works on an emulator (AWS refuses `aws.` sources for custom events).
      const late = (
        (await call('CreateEventSubscription', {
          eventBus: `arn:aws:events:${region}:123456789012:event-bus/created-later`,
          source: 'aws.proton',
          detailTypes: ['AWS Proton Environment Status Change'],
        })) as { subscription: Record<string, string> }
      ).subscription;
      expect(late.eventBusRegion).toBe(region);

      await publishFixture(server, {
        kind: 'ENVIRONMENT',
        template: 'eb-env',
        fixture: 'env-rollout',
      });
      const proton = sdkClient(server);
      await proton.send(
        new CreateEnvironmentCommand({
          name: 'eb-dev',
          templateName: 'eb-env',
          templateMajorVersion: '1',
          spec: 'proton: EnvironmentSpec\nspec: {}\n',
        }),
      );
      await waitUntilEnvironmentDeployed(
        { client: proton, maxWaitTime: 120, minDelay: 1, maxDelay: 1 },
        { name: 'eb-dev' },
      );
      const env = (await proton.send(new GetEnvironmentCommand({ name: 'eb-dev' }))).environment!;

      // Every event of the good subscription is DELIVERED and arrived in the queue, once each.
      const done = await waitFor(
        async () => {
          const ds = await deliveries(good.id!);
          return ds.length >= 7 && ds.every((d) => d.status === 'DELIVERED') ? ds : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 250, what: 'every delivery to nucleon-fleet' },
      );
      const events = await waitFor(
        async () => {
          const got = await drain(fleetQueue);
          return got.length >= done.length ? got : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 100, what: 'the events in the SQS queue' },
      );
      // One message per delivered event (the details differ by type and status).
      expect(
        new Set(events.map((e) => `${e['detail-type']} ${JSON.stringify(e.detail)}`)).size,
      ).toBe(done.length);
      expect(events.every((e) => e.source === 'nucleon.proton')).toBe(true);
      const envEvents = events.filter(
        (e) => e['detail-type'] === 'AWS Proton Environment Status Change',
      );
      expect(envEvents.map((e) => [e.detail.previousStatus, e.detail.status])).toEqual(
        expect.arrayContaining([
          [undefined, 'IN_PROGRESS'],
          ['IN_PROGRESS', 'SUCCEEDED'],
        ]),
      );
      expect(envEvents.find((e) => e.detail.status === 'SUCCEEDED')).toMatchObject({
        resources: [env.arn],
        detail: { name: 'eb-dev', status: 'SUCCEEDED', previousStatus: 'IN_PROGRESS' },
      });
      expect(
        events.find(
          (e) =>
            e['detail-type'] === 'Nucleon Deployment Status Change' &&
            e.detail.status === 'SUCCEEDED',
        )?.detail,
      ).toMatchObject({ id: env.lastSucceededDeploymentId, targetName: 'eb-dev' });
      expect(
        events
          .filter(
            (e) => e['detail-type'] === 'AWS Proton Environment Template Version Status Change',
          )
          .map((e) => e.detail.status),
      ).toEqual(expect.arrayContaining(['REGISTRATION_IN_PROGRESS', 'DRAFT', 'PUBLISHED']));

      // The other bus does not exist: PutEvents fails, and the deliveries say so and are retried.
      const failing = await waitFor(
        async () => {
          const ds = await deliveries(late.id!);
          return ds.length === 2 && ds.some((d) => d.attempts >= 2) ? ds : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 250, what: 'retried deliveries to the missing bus' },
      );
      for (const d of failing) {
        expect(d.status).toBe('PENDING');
        expect(d.lastError).toMatch(/created-later.*ResourceNotFoundException/);
      }

      // Once the bus exists, the next retries deliver the same events there.
      const lateQueue = await busToQueue('created-later', 'aws.proton');
      const delivered = await waitFor(
        async () => {
          const ds = await deliveries(late.id!);
          return ds.every((d) => d.status === 'DELIVERED') ? ds : undefined;
        },
        { timeoutMs: 90_000, intervalMs: 500, what: 'the retried deliveries to the new bus' },
      );
      const lateEvents = await waitFor(
        async () => {
          const got = await drain(lateQueue);
          return got.length >= 2 ? got : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 100, what: 'the retried events in the SQS queue' },
      );
      expect(lateEvents.map((e) => [e.source, e.detail.status]).sort()).toEqual([
        ['aws.proton', 'IN_PROGRESS'],
        ['aws.proton', 'SUCCEEDED'],
      ]);
      expect(delivered.every((d) => d.attempts >= 2)).toBe(true);
    },
    240_000,
  );

  it.skipIf(!available)('refuses EventBridge subscriptions it cannot honour', async () => {
    const refused = (input: Record<string, unknown>, message: RegExp) =>
      expect(call('CreateEventSubscription', input)).rejects.toMatchObject({
        name: 'ValidationException',
        message: expect.stringMatching(message),
      });
    await refused({ eventBus: 'bus', url: 'http://127.0.0.1:9/x' }, /either url .* or eventBus/);
    await refused({}, /either url .* or eventBus/);
    await refused({ eventBus: 'no spaces allowed' }, /neither an event bus name/);
    await refused({ eventBus: 'bus', secret: 'a-secret-of-sixteen' }, /AWS credentials/);
    await refused(
      { eventBus: 'arn:aws:events:eu-west-1:123456789012:event-bus/b', eventBusRegion: region },
      /differs from the region/,
    );
    await refused({ url: 'http://127.0.0.1:9/x', source: 'x' }, /EventBridge subscriptions/);
  });
});
