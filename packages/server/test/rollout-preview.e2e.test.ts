import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import {
  CloudFormationClient,
  DescribeStackResourcesCommand,
  ListChangeSetsCommand,
  ListStacksCommand,
} from '@aws-sdk/client-cloudformation';
import {
  CreateEnvironmentCommand,
  UpdateServiceInstanceCommand,
  waitUntilEnvironmentDeployed,
  waitUntilServiceInstanceDeployed,
} from '@aws-sdk/client-proton';
import { extensionTargetPrefix } from '@nucleon/protocol';
import { requireOrSkip, startTestServer, type TestServer } from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nucleonClient, publishFixture, sdkClient } from './helpers.js';
import {
  createFleet,
  publishEnvMinor,
  publishMinor,
  rolloutCall,
  w,
  waitRollout,
} from './rollout-fixtures.js';

interface Preview {
  previewHash: string;
  resources: Array<{
    environmentName: string;
    serviceName: string;
    serviceInstanceName: string;
    engine?: string;
    currentVersion?: string;
    files?: Array<{ path: string; change: string; diff?: string; before?: string; after?: string }>;
    inputChanges?: Array<{ name: string; before?: string; after?: string }>;
    changeSet?: {
      status: string;
      changes: Array<{
        action: string;
        logicalResourceId: string;
        resourceType: string;
        stateful?: boolean;
        destroysData?: boolean;
        replacement?: string;
      }>;
      summary: { adds: number; modifications: number; removals: number; replacements: number };
      statefulReplacements?: string[];
    };
    changeSetNote?: string;
    error?: string;
  }>;
}

const preview = async (server: TestServer, input: Record<string, unknown>) =>
  (await nucleonClient(server).send(`${extensionTargetPrefix}.PreviewRollout`, input)) as Preview;

describe('the impact preview of a CodeBuild template version, and rollouts started with its hash', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ dialect: 'pglite' });
    await createFleet(server, 'preview-svc', ['app'], {}, ['dev', 'prod']);
    await publishMinor(server, 'preview-svc', 'svc-rollout-1_1');
    await publishMinor(server, 'preview-svc', 'svc-rollout-1_2');
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('shows each instance’s files before and after with a unified diff and its input changes; the hash is stable', async () => {
    const input = { templateName: 'preview-svc', targetMajorVersion: '1', targetMinorVersion: '1' };
    const p = await preview(server, input);
    expect(p.previewHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(p.resources.map((r) => r.serviceInstanceName)).toEqual(['app-dev', 'app-prod']);
    const dev = p.resources[0]!;
    expect(dev).toMatchObject({ engine: 'codebuild', currentVersion: '1.0' });
    // The codebuild input diff: 1.1 adds the input replicas (default 2).
    expect(dev.inputChanges).toEqual([{ name: 'replicas', after: '2' }]);
    const inputs = dev.files!.find((f) => f.path === 'proton-inputs.json')!;
    expect(inputs.change).toBe('MODIFIED');
    expect(inputs.diff).toContain('--- a/proton-inputs.json');
    expect(inputs.diff).toMatch(/^\+\s+"replicas": 2/m);
    const manifest = dev.files!.find((f) => f.path === 'instance_infrastructure/manifest.yaml')!;
    expect(manifest.change).toBe('MODIFIED');
    expect(manifest.diff).toContain('-          - node provision.js 1.0');
    expect(manifest.diff).toContain('+          - node provision.js 1.1');
    expect(dev.files!.find((f) => f.path === 'instance_infrastructure/provision.js')!.change).toBe(
      'UNCHANGED',
    );
    // Content-addressed: the same question gives the same hash; another version another one.
    expect((await preview(server, input)).previewHash).toBe(p.previewHash);
    expect((await preview(server, { ...input, targetMinorVersion: '2' })).previewHash).not.toBe(
      p.previewHash,
    );

    const r = await rolloutCall(server, 'StartRollout', { ...input, previewHash: p.previewHash });
    const done = await waitRollout(
      server,
      r.rolloutId,
      (x) => x.status !== 'IN_PROGRESS',
      'rollout',
    );
    expect(done).toMatchObject({ status: 'SUCCEEDED' });
  }, 300_000);

  it('refuses a rollout whose preview hash is stale', async () => {
    const input = { templateName: 'preview-svc', targetMajorVersion: '1', targetMinorVersion: '2' };
    const p = await preview(server, input);
    // Something changes after the preview: app-dev is redeployed (its inputs change too).
    const proton = sdkClient(server);
    await proton.send(
      new UpdateServiceInstanceCommand({
        serviceName: 'app',
        name: 'app-dev',
        deploymentType: 'CURRENT_VERSION',
        spec: 'proton: ServiceSpec\ninstances:\n  - name: app-dev\n    environment: dev\n    spec:\n      fail_on: never\n  - name: app-prod\n    environment: prod\n    spec:\n      fail_on: none\n',
      }),
    );
    await waitUntilServiceInstanceDeployed(w(proton), { serviceName: 'app', name: 'app-dev' });
    await expect(
      rolloutCall(server, 'StartRollout', { ...input, previewHash: p.previewHash }),
    ).rejects.toMatchObject({
      name: 'ConflictException',
      message: expect.stringContaining(`The preview ${p.previewHash} is stale`),
    });
    await expect(
      rolloutCall(server, 'StartRollout', { ...input, previewHash: 'sha256:0' }),
    ).rejects.toMatchObject({ name: 'ConflictException' });
    // Previewed again, the new hash is accepted.
    const again = await preview(server, input);
    expect(again.previewHash).not.toBe(p.previewHash);
    expect(again.resources[0]!.inputChanges).toContainEqual({ name: 'tier', after: '"gold"' });
    const r = await rolloutCall(server, 'StartRollout', {
      ...input,
      previewHash: again.previewHash,
    });
    expect(r.status).toBe('IN_PROGRESS');
    await waitRollout(server, r.rolloutId, (x) => x.status !== 'IN_PROGRESS', 'rollout');
  }, 300_000);
});

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
 * The preview of a CloudFormation template version asks CloudFormation itself: a change set is
 * created on the instance's stack, described and deleted. Against moto_server (5.2), which
 * models change sets' Add/Modify/Remove but not `Replacement` (real CloudFormation says whether a
 * Modify replaces the resource, e.g. a renamed bucket) nor physical ids, so here the stateful
 * callout is exercised by a removed DynamoDB table; the replacement rule is covered in core's
 * unit tests (assessStackChanges).
 */
describe('the impact preview of a CloudFormation template version against moto_server', () => {
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
    server = await startTestServer({ dialect: 'pglite', env: { NUCLEON_CFN_POLL_MS: '100' } });
    await createFleet(server, 'cfn-preview', ['orders'], {}, ['dev'], 'svc-cfn-preview-1_0');
    await publishMinor(server, 'cfn-preview', 'svc-cfn-preview-1_1');
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
    moto?.kill();
    process.env = saved;
  });

  it.skipIf(!available)(
    'lists the change set’s adds, modifications and removals, calls out the stateful removal, and leaves no change set behind',
    async () => {
      const p = await preview(server, {
        templateName: 'cfn-preview',
        targetMajorVersion: '1',
        targetMinorVersion: '1',
      });
      const r = p.resources[0]!;
      expect(r.engine).toBe('cloudformation');
      expect(r.error).toBeUndefined();
      const cs = r.changeSet!;
      const byId = Object.fromEntries(cs.changes.map((c) => [c.logicalResourceId, c]));
      expect(byId.Topic).toMatchObject({
        action: 'Add',
        resourceType: 'AWS::SNS::Topic',
        stateful: false,
      });
      expect(byId.Sessions).toMatchObject({
        action: 'Remove',
        resourceType: 'AWS::DynamoDB::Table',
        stateful: true,
        destroysData: true,
      });
      expect(byId.Queue).toMatchObject({ action: 'Modify', resourceType: 'AWS::SQS::Queue' });
      expect(byId.Data).toMatchObject({
        action: 'Modify',
        resourceType: 'AWS::S3::Bucket',
        stateful: true,
      });
      expect(cs.summary).toMatchObject({ adds: 1, removals: 1 });
      expect(cs.statefulReplacements).toContain(
        'Sessions (AWS::DynamoDB::Table) would be removed: its data would be lost',
      );
      const file = r.files!.find((f) => f.path === 'cloudformation.yaml')!;
      expect(file.change).toBe('MODIFIED');
      expect(file.diff).toContain('+  Topic:');
      expect(file.diff).toContain('-  Sessions:');

      // Nothing was executed: the change set is gone and the stack still has its table.
      const cfn = new CloudFormationClient({ endpoint, region: 'us-east-1' });
      const stacks = (await cfn.send(new ListStacksCommand({}))).StackSummaries ?? [];
      const stack = stacks.find((s) => s.StackStatus !== 'DELETE_COMPLETE')!;
      expect(
        (await cfn.send(new ListChangeSetsCommand({ StackName: stack.StackName }))).Summaries ?? [],
      ).toEqual([]);
      const resources =
        (await cfn.send(new DescribeStackResourcesCommand({ StackName: stack.StackName })))
          .StackResources ?? [];
      expect(resources.map((x) => x.LogicalResourceId).sort()).toEqual([
        'Data',
        'Queue',
        'Sessions',
      ]);
      cfn.destroy();
    },
  );

  it.skipIf(!available)(
    'previews an environment template version with the change set of the environment’s stack',
    async () => {
      const proton = sdkClient(server);
      await publishFixture(server, {
        kind: 'ENVIRONMENT',
        template: 'cfn-env-preview',
        fixture: 'env-cfn',
      });
      await proton.send(
        new CreateEnvironmentCommand({
          name: 'cfn-net',
          templateName: 'cfn-env-preview',
          templateMajorVersion: '1',
          spec: 'proton: EnvironmentSpec\nspec: {}\n',
        }),
      );
      await waitUntilEnvironmentDeployed(w(proton), { name: 'cfn-net' });
      await publishEnvMinor(server, 'cfn-env-preview', 'env-cfn-preview-1_1');
      const p = await preview(server, {
        templateName: 'cfn-env-preview',
        targetMajorVersion: '1',
        targetMinorVersion: '1',
      });
      expect(p.resources).toHaveLength(1);
      const r = p.resources[0]!;
      expect(r).toMatchObject({ environmentName: 'cfn-net', engine: 'cloudformation' });
      expect(r.changeSet!.changes).toEqual([
        expect.objectContaining({
          action: 'Add',
          logicalResourceId: 'Alarms',
          resourceType: 'AWS::SNS::Topic',
        }),
      ]);
      expect(r.files!.find((f) => f.path === 'cloudformation.yaml')!.diff).toContain('+  Alarms:');
    },
  );
});
