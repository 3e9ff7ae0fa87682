import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  accessSync,
  appendFileSync,
  constants,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  CreateEnvironmentCommand,
  CreateServiceCommand,
  DeleteEnvironmentCommand,
  DeleteServiceCommand,
  GetEnvironmentCommand,
  GetServiceCommand,
  GetServiceInstanceCommand,
  GetServiceTemplateCommand,
  ListEnvironmentOutputsCommand,
  ListServiceInstanceOutputsCommand,
  ProtonClient,
  ResourceNotFoundException,
  UpdateServiceInstanceCommand,
  waitUntilEnvironmentDeployed,
  waitUntilServiceCreated,
  waitUntilServiceDeleted,
  waitUntilServiceInstanceDeployed,
} from '@aws-sdk/client-proton';
import { afterAll, beforeAll, describe, expect, it, test } from 'vitest';
import { assertBuilt, runCli, startUp } from './run-cli.js';

/**
 * `nucleon examples install` against a real `nucleon up`, then the local examples driven end
 * to end with the AWS SDK: the environment makes a state folder, each service instance runs a
 * real detached Node server that answers HTTP, updates restart it, deletes stop it. The
 * CloudFormation examples run too when moto_server is on PATH (required under CI=true).
 */

const examplesDir = fileURLToPath(new URL('../../../examples/', import.meta.url));
const w = (client: ProtonClient) => ({ client, maxWaitTime: 90, minDelay: 1, maxDelay: 1 });
const outputsMap = (list: Array<{ key?: string; valueString?: string }> | undefined) =>
  Object.fromEntries((list ?? []).map((o) => [o.key!, o.valueString!]));

function findExecutable(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        address !== null && typeof address === 'object'
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** A live (non-zombie) process: zombies of reparented processes may linger until reaped. */
function alive(pid: number): boolean {
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
      return state !== 'Z' && state !== 'X';
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Supervisors and servers of the local-web example whose command line mentions `marker`. */
function exampleProcesses(marker: string): number[] {
  if (process.platform !== 'linux') return [];
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.includes(marker) && /(supervisor|server)\.js/.test(cmd) && alive(Number(entry)))
        pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { headers: { connection: 'close' } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(100);
  }
}

async function waitDeleted(get: () => Promise<unknown>, what: string): Promise<void> {
  await eventually(
    async () =>
      get().then(
        () => false,
        (e: unknown) => e instanceof ResourceNotFoundException,
      ),
    what,
    60_000,
  );
}

interface Moto {
  endpoint: string;
  child: ChildProcess;
}

async function startMoto(executable: string): Promise<Moto> {
  const port = await freePort();
  const child = spawn(executable, ['-H', '127.0.0.1', '-p', String(port)], {
    detached: true,
    stdio: 'ignore',
  });
  const endpoint = `http://127.0.0.1:${port}`;
  await eventually(
    () =>
      fetch(`${endpoint}/moto-api/`).then(
        (r) => r.ok,
        () => false,
      ),
    'moto_server',
    60_000,
  );
  return { endpoint, child };
}

/** Reads SQS queue attributes from moto (it routes by the credential scope; the signature is not checked). */
async function queueAttributes(moto: Moto, queueName: string): Promise<Record<string, string>> {
  const response = await fetch(`${moto.endpoint}/`, {
    method: 'POST',
    headers: {
      authorization:
        'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0',
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'AmazonSQS.GetQueueAttributes',
    },
    body: JSON.stringify({
      QueueUrl: `${moto.endpoint}/123456789012/${queueName}`,
      AttributeNames: ['All'],
    }),
  });
  const body = (await response.json()) as { Attributes?: Record<string, string> };
  return body.Attributes ?? {};
}

const motoPath = findExecutable('moto_server');
if (motoPath === undefined) {
  if (process.env.CI === 'true') {
    test('moto_server must be on PATH under CI', () => {
      throw new Error(
        'moto_server was not found on PATH but CI=true: the CloudFormation examples must not be skipped in CI',
      );
    });
  } else {
    console.warn('skipping the CloudFormation examples: moto_server is not on PATH');
  }
}

describe('nucleon examples install, and the examples provisioning real things', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nucleon-examples-'));
  const dataDir = join(dir, '.nucleon');
  const home = join(dir, 'home');
  const stateRoot = join(home, '.nucleon-examples');
  const root = {
    accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64url'),
  };
  let nucleon: ChildProcess | undefined;
  let moto: Moto | undefined;
  let url: string;
  let proton: ProtonClient;
  const clientEnv = () => ({
    AWS_ENDPOINT_URL_PROTON: url,
    AWS_ACCESS_KEY_ID: root.accessKeyId,
    AWS_SECRET_ACCESS_KEY: root.secretAccessKey,
    AWS_SESSION_TOKEN: '',
    AWS_PROFILE: '',
    AWS_REGION: 'us-east-1',
    NUCLEON_DATA_DIR: dataDir,
  });
  const install = (...args: string[]) => runCli(['examples', 'install', ...args], clientEnv());

  beforeAll(async () => {
    assertBuilt();
    mkdirSync(home, { recursive: true });
    if (motoPath) moto = await startMoto(motoPath);
    const started = await startUp(['--port', '0', '--data-dir', dataDir], {
      HOME: home,
      NUCLEON_EXAMPLES_HOME: stateRoot,
      // The local examples keep state in $HOME and leave a server running after the deployment:
      // both are what the command sandbox forbids, so they need it off (README, "The command sandbox").
      NUCLEON_RUNNER_SANDBOX: 'off',
      NUCLEON_ROOT_ACCESS_KEY_ID: root.accessKeyId,
      NUCLEON_ROOT_SECRET_ACCESS_KEY: root.secretAccessKey,
      NUCLEON_CFN_POLL_MS: '100',
      // What the CloudFormation engine uses: moto, with dummy credentials.
      ...(moto
        ? {
            AWS_ENDPOINT_URL_CLOUDFORMATION: moto.endpoint,
            AWS_ACCESS_KEY_ID: 'test',
            AWS_SECRET_ACCESS_KEY: 'test',
            AWS_SESSION_TOKEN: '',
            AWS_PROFILE: '',
            AWS_REGION: 'us-east-1',
          }
        : {}),
    });
    nucleon = started.child;
    url = started.url;
    proton = new ProtonClient({ region: 'us-east-1', endpoint: url, credentials: root });
  });

  afterAll(async () => {
    // Safety net: no example server and no Nucleon may outlive the suite.
    for (const pid of exampleProcesses(dir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    if (nucleon && nucleon.exitCode === null && nucleon.signalCode === null) {
      const exited = new Promise((resolve) => nucleon!.once('exit', resolve));
      nucleon.kill('SIGTERM');
      await Promise.race([exited, delay(15_000)]);
      if (nucleon.exitCode === null && nucleon.signalCode === null) nucleon.kill('SIGKILL');
    }
    if (moto?.child.pid) {
      try {
        process.kill(-moto.child.pid, 'SIGTERM');
      } catch {
        // gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  describe('installing', () => {
    it('creates, registers and publishes every example template', async () => {
      const run = await install();
      expect(run.stderr).not.toMatch(/FAILED|Error/);
      expect(run.code).toBe(0);
      for (const name of ['local-env', 'local-web', 'vpc-env', 'queue-svc']) {
        expect(run.stdout).toMatch(
          new RegExp(
            `^${name} .* 1\\.0 +PUBLISHED +created template; pushed examples/${name}-[0-9a-f]{12}\\.tar\\.gz; created version 1\\.0; published 1\\.0$`,
            'm',
          ),
        );
      }
      expect(run.stdout).toContain(
        'aws proton create-environment --name local-dev --template-name local-env --template-major-version 1 --spec file://',
      );
      expect(run.stdout).toContain(
        'aws proton create-service --name hello --template-name local-web',
      );
      const svc = await proton.send(new GetServiceTemplateCommand({ name: 'local-web' }));
      expect(svc.serviceTemplate).toMatchObject({
        pipelineProvisioning: 'CUSTOMER_MANAGED',
        recommendedVersion: '1.0',
      });
    });

    it('changes nothing when run again, and says so', async () => {
      const run = await install();
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(
        'Nothing to do: all 4 example templates are installed and up to date.',
      );
      expect(run.stdout.match(/ up to date$/gm)).toHaveLength(4);
      const json = await install('--output', 'json');
      expect(JSON.parse(json.stdout)).toMatchObject({ changed: false });
    });

    it('registers a new minor version only when a bundle itself changes', async () => {
      const copy = join(dir, 'examples-copy');
      cpSync(examplesDir, copy, { recursive: true });
      appendFileSync(join(copy, 'services', 'local-web', 'README.md'), '\nA documentation edit.\n');
      writeFileSync(
        join(copy, 'services', 'local-web', 'spec', 'extra.yaml'),
        'proton: ServiceSpec\ninstances: []\n',
      );
      const docsOnly = await install('--examples-dir', copy, '--only', 'local');
      expect(docsOnly.stdout).toContain(
        'Nothing to do: all 2 example templates are installed and up to date.',
      );
      appendFileSync(
        join(copy, 'services', 'local-web', 'instance_infrastructure', 'server.js'),
        '\n// a template change\n',
      );
      const changed = await install('--examples-dir', copy, '--only', 'local', '--no-publish');
      expect(changed.code).toBe(0);
      expect(changed.stdout).toMatch(
        /^local-web .* 1\.1 +DRAFT +pushed examples\/local-web-[0-9a-f]{12}\.tar\.gz; created version 1\.1$/m,
      );
      expect(changed.stdout).toMatch(/^local-env .* 1\.0 +PUBLISHED +up to date$/m);
      // The draft holds the current bundle: the next run only publishes it.
      const published = await install('--examples-dir', copy, '--only', 'local');
      expect(published.stdout).toMatch(/^local-web .* 1\.1 +PUBLISHED +published 1\.1$/m);
      expect((await install('--examples-dir', copy, '--only', 'local')).stdout).toContain(
        'Nothing to do',
      );
    });

    it('lists the examples, and every bundle passes template lint', async () => {
      const listed = await runCli(['examples', 'list', '-o', 'json']);
      expect(listed.code).toBe(0);
      const rows = JSON.parse(listed.stdout) as Array<{ template: string; bundle: string }>;
      expect(rows.map((r) => r.template)).toEqual([
        'local-env',
        'local-web',
        'vpc-env',
        'queue-svc',
      ]);
      for (const row of rows) {
        const lint = await runCli(['template', 'lint', row.bundle], {}, process.cwd());
        expect(`${row.template}: ${lint.stderr}`).toBe(`${row.template}: `);
        expect(lint.code).toBe(0);
      }
    });

    it('refuses an unknown group', async () => {
      const run = await install('--only', 'terraform');
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('--only must be local or cloudformation');
    });
  });

  describe('the local examples', () => {
    let ports: [number, number];
    const pids: Record<string, number> = {};
    const instanceOutputs = async (name: string) =>
      outputsMap(
        (
          await proton.send(
            new ListServiceInstanceOutputsCommand({
              serviceName: 'hello',
              serviceInstanceName: name,
            }),
          )
        ).outputs,
      );

    it('creates the environment: a state folder with its registry', async () => {
      const spec = readFileSync(
        join(examplesDir, 'environments', 'local-env', 'spec', 'spec.yaml'),
        'utf8',
      );
      await proton.send(
        new CreateEnvironmentCommand({
          name: 'local-dev',
          templateName: 'local-env',
          templateMajorVersion: '1',
          spec,
        }),
      );
      expect((await waitUntilEnvironmentDeployed(w(proton), { name: 'local-dev' })).state).toBe(
        'SUCCESS',
      );
      const env = (await proton.send(new GetEnvironmentCommand({ name: 'local-dev' })))
        .environment!;
      expect(env.deploymentStatus).toBe('SUCCEEDED');
      const outputs = outputsMap(
        (await proton.send(new ListEnvironmentOutputsCommand({ environmentName: 'local-dev' })))
          .outputs,
      );
      const envDir = join(stateRoot, 'envs', 'local-dev');
      expect(outputs).toEqual({
        EnvironmentDir: envDir,
        RegistryFile: join(envDir, 'environment.json'),
        PortRangeStart: '18080',
        PortRangeEnd: '18179',
      });
      const registry: unknown = JSON.parse(readFileSync(join(envDir, 'environment.json'), 'utf8'));
      expect(registry).toMatchObject({
        kind: 'nucleon-example/local-env',
        name: 'local-dev',
        arn: env.arn,
        portRange: { start: 18080, end: 18179 },
      });
    });

    it('creates a service whose two instances are real HTTP servers', async () => {
      const a = await freePort();
      let b = await freePort();
      while (b === a) b = await freePort();
      ports = [a, b];
      const spec = `proton: ServiceSpec
instances:
  - name: web-a
    environment: local-dev
    spec:
      port: ${a}
      message: "hello from a"
  - name: web-b
    environment: local-dev
    spec:
      port: ${b}
`;
      await proton.send(
        new CreateServiceCommand({
          name: 'hello',
          templateName: 'local-web',
          templateMajorVersion: '1',
          spec,
        }),
      );
      expect((await waitUntilServiceCreated(w(proton), { name: 'hello' })).state).toBe('SUCCESS');
      expect((await proton.send(new GetServiceCommand({ name: 'hello' }))).service?.status).toBe(
        'ACTIVE',
      );
      for (const [name, port, message] of [
        ['web-a', a, 'hello from a'],
        ['web-b', b, 'Hello from Nucleon'],
      ] as const) {
        const outputs = await instanceOutputs(name);
        expect(outputs.Url).toBe(`http://127.0.0.1:${port}/`);
        expect(outputs.Port).toBe(String(port));
        pids[name] = Number(outputs.Pid);
        expect(alive(pids[name])).toBe(true);
        const answer = await getJson(outputs.Url!);
        expect(answer.status).toBe(200);
        expect(answer.body).toMatchObject({
          service: 'hello',
          instance: name,
          environment: 'local-dev',
          message,
          port,
          pid: Number(outputs.ServerPid),
        });
        expect((await getJson(`${outputs.Url}healthz`)).body).toMatchObject({
          status: 'ok',
          instance: name,
        });
      }
    });

    it('updates an instance: the server restarts with the new message on the same port', async () => {
      const before = await instanceOutputs('web-a');
      const spec =
        'proton: ServiceSpec\ninstances:\n  - name: web-a\n    environment: local-dev\n    spec:\n      port: "${Proton::CURRENT_VAL}"\n      message: "updated through Nucleon"\n';
      await proton.send(
        new UpdateServiceInstanceCommand({
          serviceName: 'hello',
          name: 'web-a',
          deploymentType: 'CURRENT_VERSION',
          spec,
        }),
      );
      await waitUntilServiceInstanceDeployed(w(proton), { serviceName: 'hello', name: 'web-a' });
      const instance = (
        await proton.send(new GetServiceInstanceCommand({ serviceName: 'hello', name: 'web-a' }))
      ).serviceInstance!;
      expect(instance.deploymentStatus).toBe('SUCCEEDED');
      const after = await instanceOutputs('web-a');
      expect(after.Url).toBe(before.Url);
      expect(after.Pid).not.toBe(before.Pid);
      expect(alive(Number(before.Pid))).toBe(false);
      expect(alive(Number(before.ServerPid))).toBe(false);
      pids['web-a'] = Number(after.Pid);
      const answer = await getJson(after.Url!);
      expect(answer.body).toMatchObject({
        instance: 'web-a',
        message: 'updated through Nucleon',
        port: ports[0],
      });
      // The other instance was not touched.
      expect((await getJson(`http://127.0.0.1:${ports[1]}/`)).body).toMatchObject({
        instance: 'web-b',
        message: 'Hello from Nucleon',
      });
    });

    it('deletes the service: the servers stop and their folders go', async () => {
      const serverPids = [
        Number((await instanceOutputs('web-a')).ServerPid),
        Number((await instanceOutputs('web-b')).ServerPid),
      ];
      await proton.send(new DeleteServiceCommand({ name: 'hello' }));
      expect((await waitUntilServiceDeleted(w(proton), { name: 'hello' })).state).toBe('SUCCESS');
      for (const port of ports) await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
      for (const pid of [...Object.values(pids), ...serverPids]) expect(alive(pid)).toBe(false);
      expect(existsSync(join(stateRoot, 'envs', 'local-dev', 'services', 'hello'))).toBe(false);
      expect(readdirSync(join(stateRoot, 'envs', 'local-dev', 'ports'))).toEqual([]);
    });

    it('deletes the environment and its folder', async () => {
      await proton.send(new DeleteEnvironmentCommand({ name: 'local-dev' }));
      await waitDeleted(
        () => proton.send(new GetEnvironmentCommand({ name: 'local-dev' })),
        'the environment to be deleted',
      );
      expect(existsSync(join(stateRoot, 'envs', 'local-dev'))).toBe(false);
      expect(exampleProcesses(dir)).toEqual([]);
    });
  });

  describe.runIf(motoPath !== undefined)('the CloudFormation examples on moto', () => {
    it('creates the environment from its spec file, with outputs from !Ref and !GetAtt', async () => {
      const spec = readFileSync(
        join(examplesDir, 'cloudformation', 'vpc-env', 'spec', 'spec.yaml'),
        'utf8',
      );
      await proton.send(
        new CreateEnvironmentCommand({
          name: 'cfn-dev',
          templateName: 'vpc-env',
          templateMajorVersion: '1',
          spec,
        }),
      );
      expect((await waitUntilEnvironmentDeployed(w(proton), { name: 'cfn-dev' })).state).toBe(
        'SUCCESS',
      );
      const outputs = outputsMap(
        (await proton.send(new ListEnvironmentOutputsCommand({ environmentName: 'cfn-dev' })))
          .outputs,
      );
      expect(outputs).toMatchObject({
        VpcId: expect.stringMatching(/^vpc-/),
        VpcCidr: '10.20.0.0/16',
        SubnetId: expect.stringMatching(/^subnet-/),
        ArtifactsBucketArn: expect.stringMatching(/^arn:aws:s3:::/),
        EventsTopicArn: expect.stringMatching(/:demo-cfn-dev-events$/),
        DeadLetterQueueArn: expect.stringMatching(
          /^arn:aws:sqs:us-east-1:\d{12}:demo-cfn-dev-dlq$/,
        ),
        ResourcePrefix: 'demo-cfn-dev',
      });
    });

    it('creates a queue per instance named from the environment outputs, and updates it', async () => {
      const spec = readFileSync(
        join(examplesDir, 'cloudformation', 'queue-svc', 'spec', 'spec.yaml'),
        'utf8',
      );
      await proton.send(
        new CreateServiceCommand({
          name: 'orders',
          templateName: 'queue-svc',
          templateMajorVersion: '1',
          spec,
        }),
      );
      expect((await waitUntilServiceCreated(w(proton), { name: 'orders' })).state).toBe('SUCCESS');
      const env = outputsMap(
        (await proton.send(new ListEnvironmentOutputsCommand({ environmentName: 'cfn-dev' })))
          .outputs,
      );
      const outputs = outputsMap(
        (
          await proton.send(
            new ListServiceInstanceOutputsCommand({
              serviceName: 'orders',
              serviceInstanceName: 'orders-dev',
            }),
          )
        ).outputs,
      );
      expect(outputs).toMatchObject({
        QueueName: 'demo-cfn-dev-orders-orders-dev',
        QueueArn: expect.stringMatching(/:demo-cfn-dev-orders-orders-dev$/),
        QueueUrl: expect.stringMatching(/\/demo-cfn-dev-orders-orders-dev$/),
        DeadLetterQueueArn: env.DeadLetterQueueArn,
      });
      const attributes = await queueAttributes(moto!, 'demo-cfn-dev-orders-orders-dev');
      expect(attributes.VisibilityTimeout).toBe('45');
      expect(JSON.parse(attributes.RedrivePolicy!)).toMatchObject({
        deadLetterTargetArn: env.DeadLetterQueueArn,
        maxReceiveCount: 3,
      });

      const update = readFileSync(
        join(examplesDir, 'cloudformation', 'queue-svc', 'spec', 'update-orders-dev.yaml'),
        'utf8',
      );
      await proton.send(
        new UpdateServiceInstanceCommand({
          serviceName: 'orders',
          name: 'orders-dev',
          deploymentType: 'CURRENT_VERSION',
          spec: update,
        }),
      );
      await waitUntilServiceInstanceDeployed(w(proton), {
        serviceName: 'orders',
        name: 'orders-dev',
      });
      expect(
        (await queueAttributes(moto!, 'demo-cfn-dev-orders-orders-dev')).VisibilityTimeout,
      ).toBe('120');
    });

    it('deletes the service and the environment, and their stacks', async () => {
      await proton.send(new DeleteServiceCommand({ name: 'orders' }));
      expect((await waitUntilServiceDeleted(w(proton), { name: 'orders' })).state).toBe('SUCCESS');
      expect(await queueAttributes(moto!, 'demo-cfn-dev-orders-orders-dev')).toEqual({});
      await proton.send(new DeleteEnvironmentCommand({ name: 'cfn-dev' }));
      await waitDeleted(
        () => proton.send(new GetEnvironmentCommand({ name: 'cfn-dev' })),
        'the environment to be deleted',
      );
    });
  });
});
