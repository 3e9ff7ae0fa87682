import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormation } from '@aws-sdk/client-cloudformation';
import {
  CreateEnvironmentCommand,
  GetEnvironmentCommand,
  ListEnvironmentOutputsCommand,
  type Environment,
  type ProtonClient,
} from '@aws-sdk/client-proton';
import { silentLogger } from '@nucleon/core';
import { createNucleon, loadConfig, type Nucleon } from '@nucleon/server';
import {
  createTestDatabase,
  postgresUnavailable,
  requireOrSkip,
  TEST_ROOT_KEY,
  testDialects,
  waitFor,
  type TestServer,
} from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishFixture, sdkClient } from './helpers.js';

/**
 * A graceful stop during a CloudFormation deployment (the worker hands the job back with a
 * JobInterruptedError) must leave the stack alone: no DeleteStack, no CancelUpdateStack. After a
 * restart on the same database the next attempt takes the stack over and the deployment
 * succeeds with its outputs. moto_server completes every stack operation inside the API call,
 * so a small proxy in front of it shows the stack as CREATE_IN_PROGRESS (as real CloudFormation
 * would for a while) until the test lets CloudFormation "finish".
 */

function motoMissing(): string | undefined {
  try {
    execFileSync('moto_server', ['--help'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'moto_server (Python moto) is not installed';
  }
}

/** Forwards to moto_server, counting calls by action; while `slow`, creates look unfinished. */
class SlowCloudFormation {
  readonly calls: string[] = [];
  slow = true;
  private readonly server: Server;

  constructor(private readonly upstream: string) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const target = String(req.headers['x-amz-target'] ?? '');
        const action =
          /(?:^|&)Action=(\w+)/.exec(body.toString())?.[1] ?? target.split('.').pop() ?? '';
        this.calls.push(action);
        const headers = Object.fromEntries(
          Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'content-length'),
        ) as Record<string, string>;
        fetch(`${this.upstream}${req.url ?? '/'}`, {
          method: req.method,
          headers,
          body: body.length ? body : undefined,
        })
          .then(async (answer) => {
            let text = await answer.text();
            if (this.slow && action === 'DescribeStacks') {
              text = text.replace(/CREATE_COMPLETE/g, 'CREATE_IN_PROGRESS');
            }
            res.writeHead(answer.status, {
              'content-type': answer.headers.get('content-type') ?? 'text/xml',
            });
            res.end(text);
          })
          .catch((error: unknown) => {
            res.writeHead(502);
            res.end(String(error));
          });
      });
    });
  }

  listen(): Promise<string> {
    return new Promise((resolve) =>
      this.server.listen(0, '127.0.0.1', () => {
        const { port } = this.server.address() as { port: number };
        resolve(`http://127.0.0.1:${port}`);
      }),
    );
  }

  count(action: string): number {
    return this.calls.filter((c) => c === action).length;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function startNucleon(
  env: Record<string, string>,
): Promise<{ nucleon: Nucleon; server: TestServer }> {
  const config = loadConfig({
    NUCLEON_PORT: '0',
    NUCLEON_ACCOUNT_ID: '123456789012',
    NUCLEON_ROOT_ACCESS_KEY_ID: TEST_ROOT_KEY.accessKeyId,
    NUCLEON_ROOT_SECRET_ACCESS_KEY: TEST_ROOT_KEY.secretAccessKey,
    NUCLEON_STRICT_WIRE: 'true',
    ...env,
  });
  const nucleon = await createNucleon(config, { logger: silentLogger });
  const { url } = await nucleon.start();
  return {
    nucleon,
    server: { url, region: 'us-east-1', credentials: TEST_ROOT_KEY } as TestServer,
  };
}

async function settled(proton: ProtonClient, name: string): Promise<Environment> {
  return waitFor(
    async () => {
      const env = (await proton.send(new GetEnvironmentCommand({ name }))).environment;
      return env && !['QUEUED', 'IN_PROGRESS'].includes(env.deploymentStatus!) ? env : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 250, what: `environment ${name} to settle` },
  );
}

describe('a CloudFormation deployment interrupted by a graceful stop', () => {
  const available = requireOrSkip(motoMissing());
  let moto: ChildProcess;
  let motoUrl: string;
  let proxy: SlowCloudFormation;
  const saved = { ...process.env };

  beforeAll(async () => {
    if (!available) return;
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    motoUrl = `http://127.0.0.1:${port}`;
    await waitFor(
      () =>
        fetch(`${motoUrl}/`).then(
          () => true,
          () => undefined,
        ),
      {
        timeoutMs: 30_000,
        what: 'moto_server to listen',
      },
    );
    proxy = new SlowCloudFormation(motoUrl);
    // The engine uses the AWS SDK's standard chains, as in production.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_CLOUDFORMATION: await proxy.listen(),
      AWS_ENDPOINT_URL_STS: motoUrl,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
    });
  });
  afterAll(async () => {
    await proxy?.close();
    moto?.kill();
    process.env = saved;
  });

  for (const dialect of testDialects())
    it.skipIf(!available)(
      `leaves the stack being created alone, and the next start takes it over and succeeds (${dialect})`,
      async () => {
        if (dialect === 'postgres' && !requireOrSkip(await postgresUnavailable())) return;
        const dataDir = mkdtempSync(join(tmpdir(), 'nucleon-cfn-stop-'));
        const db = dialect === 'postgres' ? await createTestDatabase() : undefined;
        const env = {
          NUCLEON_DATA_DIR: dataDir,
          NUCLEON_SHUTDOWN_GRACE_MS: '300',
          NUCLEON_CFN_POLL_MS: '100',
          ...(db ? { DATABASE_URL: db.url } : {}),
        };
        const name = `held-${dialect}`;
        const cfn = new CloudFormation({ region: 'us-east-1', endpoint: motoUrl });
        let current: Nucleon | undefined;
        try {
          proxy.slow = true;
          proxy.calls.length = 0;
          const first = await startNucleon(env);
          current = first.nucleon;
          await publishFixture(first.server, {
            kind: 'ENVIRONMENT',
            template: 'cfn-env',
            fixture: 'env-cfn',
          });
          await sdkClient(first.server).send(
            new CreateEnvironmentCommand({
              name,
              templateName: 'cfn-env',
              templateMajorVersion: '1',
              spec: 'proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.2.0.0/16\n',
            }),
          );
          // The stack was created and the engine is polling it, still "in progress".
          await waitFor(
            () =>
              Promise.resolve(
                proxy.count('CreateStack') === 1 && proxy.count('DescribeStacks') >= 3
                  ? true
                  : undefined,
              ),
            { timeoutMs: 60_000, what: 'the engine to wait on the new stack' },
          );
          await current.stop();
          current = undefined;

          expect(proxy.count('DeleteStack')).toBe(0);
          expect(proxy.count('CancelUpdateStack')).toBe(0);
          const left = (await cfn.describeStacks({})).Stacks ?? [];
          expect(left).toHaveLength(1);
          const stackId = left[0]!.StackId;

          proxy.slow = false; // CloudFormation finishes the create
          const second = await startNucleon(env);
          current = second.nucleon;
          const proton = sdkClient(second.server);
          const done = await settled(proton, name);
          expect(done.deploymentStatus, done.deploymentStatusMessage).toBe('SUCCEEDED');
          const outputs =
            (await proton.send(new ListEnvironmentOutputsCommand({ environmentName: name })))
              .outputs ?? [];
          expect(outputs.find((o) => o.key === 'VpcId')?.valueString).toMatch(/^vpc-/);
          expect(proxy.count('CreateStack')).toBe(1);
          expect(proxy.count('DeleteStack')).toBe(0);
          const stacks = (await cfn.describeStacks({})).Stacks ?? [];
          expect(stacks.map((s) => [s.StackId, s.StackStatus])).toEqual([
            [stackId, expect.stringMatching(/^(CREATE|UPDATE)_COMPLETE$/)],
          ]);
          await cfn.deleteStack({ StackName: stackId });
        } finally {
          await current?.stop();
          cfn.destroy();
          await db?.drop();
          rmSync(dataDir, { recursive: true, force: true });
        }
      },
      180_000,
    );
});
