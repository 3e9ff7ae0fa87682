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
import { nucleonClient } from './helpers.js';
import { createFleet } from './rollout-fixtures.js';

interface Entry {
  kind: string;
  name: string;
  engine?: string;
  drifted: boolean;
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
      const cfn = new CloudFormationClient({ endpoint, region: 'us-east-1' });
      const stackName = (await cfn.send(new ListStacksCommand({}))).StackSummaries!.find(
        (s) => s.StackStatus !== 'DELETE_COMPLETE',
      )!.StackName!;
      const body = (await cfn.send(new GetTemplateCommand({ StackName: stackName }))).TemplateBody!;
      await cfn.send(
        new UpdateStackCommand({
          StackName: stackName,
          TemplateBody: body.replace(
            'Outputs:',
            '  Extra:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: out-of-band\nOutputs:',
          ),
        }),
      );
      cfn.destroy();
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
});
