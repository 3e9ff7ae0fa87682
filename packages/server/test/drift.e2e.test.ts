import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import {
  CloudFormationClient,
  GetTemplateCommand,
  ListStacksCommand,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import { extensionTargetPrefix } from '@nucleon/protocol';
import { requireOrSkip, startTestServer, waitFor, type TestServer } from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetServiceInstanceCommand, UpdateServiceInstanceCommand } from '@aws-sdk/client-proton';
import { runCli } from '../../cli/test/run-cli.js';
import { nucleonClient, sdkClient } from './helpers.js';
import { createFleet } from './rollout-fixtures.js';

interface Entry {
  kind: string;
  name: string;
  engine?: string;
  drifted: boolean;
  status?: string;
  driftFingerprint?: string;
  acceptance?: { acceptedBy: string; driftFingerprint: string };
  renderedChanges?: Array<{ path: string; diff?: string }>;
  stack?: {
    stackName?: string;
    templateDiff?: string;
    detectionNote?: string;
    detection?: unknown;
  };
  actions?: string[];
}
const report = async (server: TestServer, input: Record<string, unknown> = {}) =>
  (
    (await nucleonClient(server).send(`${extensionTargetPrefix}.GetDriftReport`, input)) as {
      resources: Entry[];
    }
  ).resources;

function motoMissing(): string | undefined {
  try {
    execFileSync('moto_server', ['--help'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'moto_server (Python moto) is not installed';
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Drift against moto_server. moto (5.2) has no DetectStackDrift at all: the report says so in
 * `detectionNote`, and the drift shown comes from comparing the stack's current template
 * (GetTemplate) with the template Nucleon deployed, and from rendering each resource again.
 */
describe('the drift report', () => {
  const available = requireOrSkip(motoMissing());
  let moto: ChildProcess;
  let server: TestServer;
  let endpoint = '';
  const saved = { ...process.env };
  let stackName = '';
  const editStack = async (edit: (body: string) => string) => {
    const cfn = new CloudFormationClient({ endpoint, region: 'us-east-1' });
    stackName ||= (await cfn.send(new ListStacksCommand({}))).StackSummaries!.find(
      (s) => s.StackStatus !== 'DELETE_COMPLETE',
    )!.StackName!;
    const body = (await cfn.send(new GetTemplateCommand({ StackName: stackName }))).TemplateBody!;
    await cfn.send(new UpdateStackCommand({ StackName: stackName, TemplateBody: edit(body) }));
    cfn.destroy();
  };
  const topic = (name: string) => (body: string) =>
    body.replace(
      'Outputs:',
      `  ${name}:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: ${name}\nOutputs:`,
    );
  const cliEnv = () => ({
    AWS_ENDPOINT_URL_PROTON: server.url,
    AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
    AWS_PROFILE: '',
  });
  const accept = (input: Record<string, unknown>) =>
    nucleonClient(server).send(`${extensionTargetPrefix}.AcceptDrift`, input) as Promise<{
      resource: Entry;
    }>;
  const orders = async () =>
    (await report(server, { templateName: 'drift-svc' })).find((e) => e.name === 'orders-dev')!;

  beforeAll(async () => {
    if (!available) return;
    const port = await freePort();
    endpoint = `http://127.0.0.1:${port}`;
    moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      if (
        await fetch(`${endpoint}/`).then(
          () => true,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_CLOUDFORMATION: endpoint,
      AWS_ENDPOINT_URL_STS: endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
    });
    server = await startTestServer({
      dialect: 'pglite',
      // The scheduled drift check runs every 2 seconds here (ADR 0023).
      env: { NUCLEON_CFN_POLL_MS: '100', NUCLEON_DRIFT_INTERVAL_SECONDS: '2' },
    });
    await createFleet(server, 'drift-svc', ['orders'], {}, ['dev'], 'svc-cfn-preview-1_0');
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
    moto?.kill();
    process.env = saved;
  });

  it.skipIf(!available)(
    'reports nothing drifted after deployment, then a stack edited out of band',
    async () => {
      const clean = await report(server);
      expect(clean.map((e) => [e.kind, e.name, e.drifted])).toEqual([
        ['ENVIRONMENT', 'dev', false],
        ['SERVICE_INSTANCE', 'orders-dev', false],
      ]);

      // Someone edits the stack behind Nucleon's back.
      await editStack(topic('Extra'));
      const editedAt = Date.now();

      const drifted = await report(server, { templateName: 'drift-svc', detectStackDrift: true });
      expect(drifted).toHaveLength(1);
      const entry = drifted[0]!;
      expect(entry).toMatchObject({ name: 'orders-dev', engine: 'cloudformation', drifted: true });
      expect(entry.stack!.stackName).toBe(stackName);
      expect(entry.stack!.templateDiff).toContain('+  Extra:');
      expect(entry.stack!.detectionNote).toContain('drift detection is not available');
      expect(entry.renderedChanges).toEqual([]);
      expect(entry.actions![0]).toContain('redeploy to converge');

      // The scheduled check finds it by itself and stores its report; GetDriftReport (and
      // `nucleon drift`) show it.
      const scheduled = await waitFor(
        async () => {
          const out = (await nucleonClient(server)
            .send(`${extensionTargetPrefix}.GetDriftReport`, { lastScheduled: true })
            .catch(() => undefined)) as { resources: Entry[]; checkedAt: number } | undefined;
          // Nucleon's client hands timestamps over as they travel: epoch seconds.
          return out && out.checkedAt * 1000 > editedAt ? out : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 250, what: 'a scheduled drift check after the edit' },
      );
      expect(scheduled.resources.map((e) => [e.kind, e.name, e.drifted])).toEqual([
        ['ENVIRONMENT', 'dev', false],
        ['SERVICE_INSTANCE', 'orders-dev', true],
      ]);
      expect(scheduled.resources[1]!.stack!.templateDiff).toContain('+  Extra:');
      const now = (await nucleonClient(server).send(`${extensionTargetPrefix}.GetDriftReport`, {
        templateName: 'drift-svc',
      })) as { lastScheduledCheck: { driftedCount: number; resourceCount: number } };
      expect(now.lastScheduledCheck).toMatchObject({ resourceCount: 2, driftedCount: 1 });
    },
  );

  it.skipIf(!available)(
    'accepts drift as observed until it drifts further or a deployment converges it',
    async () => {
      const first = await orders();
      expect(first).toMatchObject({ status: 'DRIFTED', drifted: true });
      expect(first.driftFingerprint).toMatch(/^[0-9a-f]{64}$/);

      // Refused: a stale fingerprint, a resource not drifted, a resource that does not exist.
      await expect(
        accept({
          serviceName: 'orders',
          serviceInstanceName: 'orders-dev',
          driftFingerprint: '0'.repeat(64),
        }),
      ).rejects.toMatchObject({
        name: 'ConflictException',
        message: expect.stringContaining('re-run the drift report') as unknown,
      });
      await expect(
        accept({ environmentName: 'dev', driftFingerprint: first.driftFingerprint }),
      ).rejects.toMatchObject({ name: 'ValidationException' });
      await expect(
        accept({ environmentName: 'nowhere', driftFingerprint: first.driftFingerprint }),
      ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });

      const acceptedAt = Date.now();
      const { resource } = await accept({
        serviceName: 'orders',
        serviceInstanceName: 'orders-dev',
        driftFingerprint: first.driftFingerprint,
      });
      expect(resource).toMatchObject({ status: 'ACCEPTED', drifted: false });
      expect(await orders()).toMatchObject({
        status: 'ACCEPTED',
        drifted: false,
        acceptance: { driftFingerprint: first.driftFingerprint },
      });
      const clean = await runCli(['drift', '--template', 'drift-svc'], cliEnv());
      expect(clean.stdout).toContain('ACCEPTED');
      expect(clean.code).toBe(0);
      // The scheduled check honours it the next time it runs.
      await waitFor(
        async () => {
          const out = (await nucleonClient(server).send(`${extensionTargetPrefix}.GetDriftReport`, {
            lastScheduled: true,
          })) as { resources: Entry[]; checkedAt: number };
          return out.checkedAt * 1000 > acceptedAt &&
            out.resources.find((e) => e.name === 'orders-dev')?.status === 'ACCEPTED'
            ? out
            : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 250, what: 'a scheduled drift check after accepting' },
      );

      // It drifts further: drifted again, with a new fingerprint, which the CLI accepts.
      await editStack(topic('Further'));
      const further = await orders();
      expect(further).toMatchObject({ status: 'DRIFTED', drifted: true });
      expect(further.driftFingerprint).not.toBe(first.driftFingerprint);
      const dirty = await runCli(['drift', '--template', 'drift-svc'], cliEnv());
      expect(dirty.code).toBe(1);
      expect(dirty.stdout).toContain(
        `nucleon drift accept orders/orders-dev --fingerprint ${further.driftFingerprint}`,
      );
      const stale = await runCli(
        ['drift', 'accept', 'orders/orders-dev', '--fingerprint', first.driftFingerprint!],
        cliEnv(),
      );
      expect(stale.code).not.toBe(0);
      expect(stale.stderr).toContain('ConflictException');
      const ok = await runCli(
        ['drift', 'accept', 'orders/orders-dev', '--fingerprint', further.driftFingerprint!],
        cliEnv(),
      );
      expect(ok.stdout).toContain('Accepted the drift of service instance orders/orders-dev');
      expect(ok.code).toBe(0);
      expect((await orders()).status).toBe('ACCEPTED');

      // A deployment converges it and ends the acceptance: the same edit made again is drift.
      const proton = sdkClient(server);
      const observed = (
        await new CloudFormationClient({ endpoint, region: 'us-east-1' }).send(
          new GetTemplateCommand({ StackName: stackName }),
        )
      ).TemplateBody!;
      await proton.send(
        new UpdateServiceInstanceCommand({
          serviceName: 'orders',
          name: 'orders-dev',
          deploymentType: 'CURRENT_VERSION',
        }),
      );
      await waitFor(
        async () => {
          const { serviceInstance } = await proton.send(
            new GetServiceInstanceCommand({ serviceName: 'orders', name: 'orders-dev' }),
          );
          return serviceInstance?.deploymentStatus === 'SUCCEEDED' ? true : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 250, what: 'the redeployment' },
      );
      expect((await orders()).status).toBe('IN_SYNC');
      await editStack(() => observed);
      const again = await orders();
      expect(again.driftFingerprint).toBe(further.driftFingerprint);
      expect(again).toMatchObject({ status: 'DRIFTED', drifted: true });
      expect(again.acceptance).toBeUndefined();
      proton.destroy();
    },
    240_000,
  );
});
