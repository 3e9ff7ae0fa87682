import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer } from 'node:net';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  AcceptEnvironmentAccountConnectionCommand,
  CreateEnvironmentAccountConnectionCommand,
  CreateComponentCommand,
  CreateEnvironmentCommand,
  GetComponentCommand,
  ListComponentProvisionedResourcesCommand,
  waitUntilComponentDeployed,
  DeleteEnvironmentAccountConnectionCommand,
  GetEnvironmentAccountConnectionCommand,
  GetEnvironmentCommand,
  ListEnvironmentAccountConnectionsCommand,
  ListEnvironmentsCommand,
  ListEnvironmentOutputsCommand,
  ListEnvironmentProvisionedResourcesCommand,
  ListTagsForResourceCommand,
  ProtonClient,
  RejectEnvironmentAccountConnectionCommand,
  UpdateEnvironmentAccountConnectionCommand,
  UpdateEnvironmentCommand,
  waitUntilEnvironmentDeployed,
} from '@aws-sdk/client-proton';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { ProtonClient as NucleonProtonClient, extensionTargetPrefix } from '@nucleon/protocol';
import { requireOrSkip, startTestServer, waitFor, type TestServer } from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nucleonClient, publishFixture, sdkClient } from './helpers.js';

const MANAGEMENT = '123456789012'; // the test server's own account (NUCLEON_ACCOUNT_ID)
const WORKLOAD = '210987654321';
const STRANGER = '333333333333';
const ROLE = `arn:aws:iam::${WORKLOAD}:role/proton-provisioning`;
const SPEC = 'proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.7.0.0/16\n';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function motoMissing(): string | undefined {
  try {
    execFileSync('moto_server', ['--help'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'moto_server (Python moto) is not installed';
  }
}

/** boto3 as the other real client: request, list with the paginator, reject, delete. */
const BOTO3_SCRIPT = `
import json, sys, boto3
from botocore.exceptions import ClientError
a = json.loads(sys.argv[1])
def client(key):
    return boto3.client("proton", endpoint_url=a["url"], region_name="us-east-1",
                        aws_access_key_id=key["accessKeyId"], aws_secret_access_key=key["secretAccessKey"])
workload, management = client(a["workload"]), client(a["management"])
c = workload.create_environment_account_connection(
    managementAccountId=a["managementAccountId"], environmentName="boto-env", roleArn=a["roleArn"])["environmentAccountConnection"]
seen = [x["id"] for page in management.get_paginator("list_environment_account_connections").paginate(
    requestedBy="MANAGEMENT_ACCOUNT", environmentName="boto-env") for x in page["environmentAccountConnections"]]
r = management.reject_environment_account_connection(id=c["id"])["environmentAccountConnection"]
try:
    management.delete_environment_account_connection(id=c["id"])
    denied = None
except ClientError as e:
    denied = e.response["Error"]["Code"]
workload.delete_environment_account_connection(id=c["id"])
print(json.dumps({"status": c["status"], "requestedAt": c["requestedAt"].isoformat(), "seen": seen == [c["id"]],
                  "rejected": r["status"], "denied": denied}))
`;

/** The error name a rejected SDK call carries, with its message (so a failure shows both). */
async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
  return 'no error';
}

describe('environment account connections between a workload account and the management account', () => {
  const available = requireOrSkip(motoMissing());
  let moto: ChildProcess;
  let motoUrl: string;
  let server: TestServer;
  let management: ProtonClient;
  let workload: ProtonClient;
  let stranger: ProtonClient;
  let connectionId: string;
  const saved = { ...process.env };

  /** A Proton client signed with a new key of `accountId`, made by the root key. */
  async function clientOf(accountId: string, role?: string): Promise<ProtonClient> {
    const out = (await nucleonClient(server).send(`${extensionTargetPrefix}.CreateAccessKey`, {
      description: `key of ${accountId}`,
      accountId,
      role,
    })) as { accessKey: { accessKeyId: string; secretAccessKey: string; accountId: string } };
    expect(out.accessKey.accountId).toBe(accountId);
    const credentials = {
      accessKeyId: out.accessKey.accessKeyId,
      secretAccessKey: out.accessKey.secretAccessKey,
    };
    keys.set(accountId + (role ?? ''), credentials);
    return new ProtonClient({
      endpoint: server.url,
      region: server.region,
      credentials,
      maxAttempts: 1,
    });
  }
  const keys = new Map<string, { accessKeyId: string; secretAccessKey: string }>();

  /** CloudFormation as a principal of the workload account: STS AssumeRole of one of its roles. */
  async function workloadCloudFormation(): Promise<CloudFormationClient> {
    const sts = new STSClient({ region: 'us-east-1', endpoint: motoUrl });
    const c = (
      await sts.send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${WORKLOAD}:role/inspector`,
          RoleSessionName: 'inspector',
        }),
      )
    ).Credentials!;
    return new CloudFormationClient({
      region: 'us-east-1',
      endpoint: motoUrl,
      credentials: {
        accessKeyId: c.AccessKeyId!,
        secretAccessKey: c.SecretAccessKey!,
        sessionToken: c.SessionToken!,
      },
    });
  }

  async function settled(name: string) {
    return waitFor(
      async () => {
        const env = (await management.send(new GetEnvironmentCommand({ name }))).environment!;
        return env.deploymentStatus === 'IN_PROGRESS' ? undefined : env;
      },
      { timeoutMs: 60_000, what: `environment ${name} to settle` },
    );
  }

  beforeAll(async () => {
    if (!available) return;
    const port = await freePort();
    motoUrl = `http://127.0.0.1:${port}`;
    moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    await waitFor(() => fetch(`${motoUrl}/`).then(() => true), { what: 'moto_server' });
    // The engine uses the AWS SDK's standard chains, as in production; these are moto's default account.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_CLOUDFORMATION: motoUrl,
      AWS_ENDPOINT_URL_STS: motoUrl,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
    });
    server = await startTestServer({
      dialect: 'pglite',
      // The CodeBuild commands ask STS (here moto) who they are.
      env: { NUCLEON_CFN_POLL_MS: '100', NUCLEON_RUNNER_PASS_ENV: 'AWS_ENDPOINT_URL_STS' },
    });
    management = sdkClient(server);
    await publishFixture(server, { kind: 'ENVIRONMENT', template: 'cfn-env', fixture: 'env-cfn' });
    await publishFixture(server, {
      kind: 'ENVIRONMENT',
      template: 'cb-env',
      fixture: 'env-codebuild-account',
    });
    workload = await clientOf(WORKLOAD);
    stranger = await clientOf(STRANGER);
  });
  afterAll(async () => {
    await server?.stop();
    moto?.kill();
    process.env = saved;
  });

  it.skipIf(!available)(
    'a workload-account key requests a connection, which both accounts see as PENDING and no other account sees',
    async () => {
      const request = {
        managementAccountId: MANAGEMENT,
        environmentName: 'workload-env',
        roleArn: ROLE,
        codebuildRoleArn: `arn:aws:iam::${WORKLOAD}:role/proton-codebuild`,
        clientToken: 'request-1',
        tags: [{ key: 'team', value: 'payments' }],
      };
      const created = (await workload.send(new CreateEnvironmentAccountConnectionCommand(request)))
        .environmentAccountConnection!;
      connectionId = created.id!;
      expect(created).toMatchObject({
        status: 'PENDING',
        environmentAccountId: WORKLOAD,
        managementAccountId: MANAGEMENT,
        environmentName: 'workload-env',
        roleArn: ROLE,
        arn: `arn:aws:proton:us-east-1:${WORKLOAD}:environment-account-connection/${connectionId}`,
      });
      // The same client token and parameters answer the first result; other parameters are refused.
      const again = await workload.send(new CreateEnvironmentAccountConnectionCommand(request));
      expect(again.environmentAccountConnection!.id).toBe(connectionId);
      expect(
        await failure(
          workload.send(
            new CreateEnvironmentAccountConnectionCommand({ ...request, roleArn: `${ROLE}-2` }),
          ),
        ),
      ).toMatch(/^ValidationException: IdempotentParameterMismatch/);
      // One live connection per account, management account and environment.
      expect(
        await failure(
          workload.send(
            new CreateEnvironmentAccountConnectionCommand({ ...request, clientToken: 'request-2' }),
          ),
        ),
      ).toMatch(/^ConflictException: .*already has a PENDING connection/);

      const managementView = await management.send(
        new ListEnvironmentAccountConnectionsCommand({ requestedBy: 'MANAGEMENT_ACCOUNT' }),
      );
      expect(managementView.environmentAccountConnections!.map((c) => [c.id, c.status])).toEqual([
        [connectionId, 'PENDING'],
      ]);
      const workloadView = await workload.send(
        new ListEnvironmentAccountConnectionsCommand({
          requestedBy: 'ENVIRONMENT_ACCOUNT',
          environmentName: 'workload-env',
          statuses: ['PENDING'],
        }),
      );
      expect(workloadView.environmentAccountConnections!.map((c) => c.id)).toEqual([connectionId]);
      expect(
        (
          await workload.send(
            new ListEnvironmentAccountConnectionsCommand({ requestedBy: 'MANAGEMENT_ACCOUNT' }),
          )
        ).environmentAccountConnections,
      ).toEqual([]);
      expect(
        (await management.send(new GetEnvironmentAccountConnectionCommand({ id: connectionId })))
          .environmentAccountConnection!.status,
      ).toBe('PENDING');
      // A third account sees nothing of it.
      expect(
        await failure(
          stranger.send(new GetEnvironmentAccountConnectionCommand({ id: connectionId })),
        ),
      ).toMatch(/^ResourceNotFoundException/);
      for (const requestedBy of ['MANAGEMENT_ACCOUNT', 'ENVIRONMENT_ACCOUNT'] as const)
        expect(
          (await stranger.send(new ListEnvironmentAccountConnectionsCommand({ requestedBy })))
            .environmentAccountConnections,
        ).toEqual([]);
    },
  );

  it.skipIf(!available)(
    "keeps each account to its side: the workload account cannot accept, nor touch the management account's resources",
    async () => {
      expect(
        await failure(
          workload.send(new AcceptEnvironmentAccountConnectionCommand({ id: connectionId })),
        ),
      ).toMatch(/^AccessDeniedException: Only the management account 123456789012 can accept/);
      expect(
        await failure(
          stranger.send(new AcceptEnvironmentAccountConnectionCommand({ id: connectionId })),
        ),
      ).toMatch(/^ResourceNotFoundException/);
      expect(await failure(workload.send(new ListEnvironmentsCommand({})))).toMatch(
        /^AccessDeniedException: .*acts in account 210987654321/,
      );
      expect(
        await failure(
          workload.send(
            new CreateEnvironmentCommand({
              name: 'sneaky',
              templateName: 'cfn-env',
              templateMajorVersion: '1',
              spec: SPEC,
            }),
          ),
        ),
      ).toMatch(/^AccessDeniedException/);
      // The key's account shows in GetCallerAccess, with only the operations it may call.
      const me = (await new NucleonProtonClient({
        endpoint: server.url,
        region: server.region,
        credentials: keys.get(WORKLOAD)!,
      }).send(`${extensionTargetPrefix}.GetCallerAccess`, {})) as {
        accountId: string;
        operations: string[];
      };
      expect(me.accountId).toBe(WORKLOAD);
      expect(me.operations).toContain('AwsProton20200720.CreateEnvironmentAccountConnection');
      expect(me.operations).not.toContain('AwsProton20200720.ListEnvironments');
      // Roles apply within an account: a read-only key of the workload account lists but cannot request.
      const reader = await clientOf(WORKLOAD, 'read-only');
      expect(
        (
          await reader.send(
            new ListEnvironmentAccountConnectionsCommand({ requestedBy: 'ENVIRONMENT_ACCOUNT' }),
          )
        ).environmentAccountConnections!.map((c) => c.id),
      ).toEqual([connectionId]);
      expect(
        await failure(
          reader.send(
            new CreateEnvironmentAccountConnectionCommand({
              managementAccountId: MANAGEMENT,
              environmentName: 'read-only-env',
              roleArn: ROLE,
            }),
          ),
        ),
      ).toMatch(/^AccessDeniedException: .*may not perform environments:write/);
      // A pending connection cannot provision yet.
      expect(
        await failure(
          management.send(
            new CreateEnvironmentCommand({
              name: 'workload-env',
              templateName: 'cfn-env',
              templateMajorVersion: '1',
              spec: SPEC,
              environmentAccountConnectionId: connectionId,
            }),
          ),
        ),
      ).toMatch(/^ValidationException: .*PENDING, not CONNECTED/);
    },
  );

  it.skipIf(!available)(
    'the management account accepts, and an environment created with the connection deploys its stack into the workload account through the role',
    async () => {
      const accepted = await management.send(
        new AcceptEnvironmentAccountConnectionCommand({ id: connectionId }),
      );
      expect(accepted.environmentAccountConnection!.status).toBe('CONNECTED');
      // The audit log records the change under the connection's own ARN (the workload account's).
      const audit = (await nucleonClient(server).send(`${extensionTargetPrefix}.ListAuditEvents`, {
        resourceArn: accepted.environmentAccountConnection!.arn,
      })) as { events: Array<{ operation: string; outcome: string }> };
      expect(audit.events).toContainEqual(
        expect.objectContaining({
          operation: 'AcceptEnvironmentAccountConnection',
          outcome: 'SUCCEEDED',
        }),
      );
      expect(
        (await workload.send(new GetEnvironmentAccountConnectionCommand({ id: connectionId })))
          .environmentAccountConnection!.status,
      ).toBe('CONNECTED');
      // The connection is for one environment name, and replaces protonServiceRoleArn.
      const create = (name: string, extra: Record<string, string> = {}) =>
        management.send(
          new CreateEnvironmentCommand({
            name,
            templateName: 'cfn-env',
            templateMajorVersion: '1',
            spec: SPEC,
            environmentAccountConnectionId: connectionId,
            ...extra,
          }),
        );
      expect(await failure(create('other-env'))).toMatch(
        /^ValidationException: .*is for the environment workload-env, not other-env/,
      );
      expect(
        await failure(
          create('workload-env', { protonServiceRoleArn: `arn:aws:iam::${MANAGEMENT}:role/p` }),
        ),
      ).toMatch(
        /^ValidationException: Give either environmentAccountConnectionId or protonServiceRoleArn/,
      );

      const env = (await create('workload-env')).environment!;
      expect(env).toMatchObject({
        environmentAccountConnectionId: connectionId,
        environmentAccountId: WORKLOAD,
      });
      const w = { client: management, maxWaitTime: 60, minDelay: 1, maxDelay: 1 };
      expect((await waitUntilEnvironmentDeployed(w, { name: 'workload-env' })).state).toBe(
        'SUCCESS',
      );
      const got = (await management.send(new GetEnvironmentCommand({ name: 'workload-env' })))
        .environment!;
      expect(got.environmentAccountId).toBe(WORKLOAD);
      expect(got.environmentAccountConnectionId).toBe(connectionId);

      const stack = (
        await management.send(
          new ListEnvironmentProvisionedResourcesCommand({ environmentName: 'workload-env' }),
        )
      ).provisionedResources![0]!.name!;
      // The stack is in the workload account, seen with that account's credentials ...
      const described = await (
        await workloadCloudFormation()
      ).send(new DescribeStacksCommand({ StackName: stack }));
      expect(described.Stacks![0]!.StackId).toContain(`:${WORKLOAD}:stack/${stack}/`);
      expect(described.Stacks![0]!.StackStatus).toBe('CREATE_COMPLETE');
      // ... and not in the account of the server's own credentials.
      const own = new CloudFormationClient({ region: 'us-east-1', endpoint: motoUrl });
      expect(await failure(own.send(new DescribeStacksCommand({ StackName: stack })))).toMatch(
        /does not exist/,
      );
    },
  );

  it.skipIf(!available)(
    "CodeBuild commands of a connected environment run with the credentials of the connection's codebuildRoleArn, in the workload account",
    async () => {
      const c = (
        await workload.send(
          new CreateEnvironmentAccountConnectionCommand({
            managementAccountId: MANAGEMENT,
            environmentName: 'built-env',
            codebuildRoleArn: `arn:aws:iam::${WORKLOAD}:role/proton-codebuild`,
          }),
        )
      ).environmentAccountConnection!;
      await management.send(new AcceptEnvironmentAccountConnectionCommand({ id: c.id! }));
      await management.send(
        new CreateEnvironmentCommand({
          name: 'built-env',
          templateName: 'cb-env',
          templateMajorVersion: '1',
          spec: 'proton: EnvironmentSpec\nspec: {}\n',
          environmentAccountConnectionId: c.id!,
        }),
      );
      const env = await settled('built-env');
      expect([env.deploymentStatus, env.deploymentStatusMessage]).toEqual([
        'SUCCEEDED',
        expect.anything(),
      ]);
      const outputs = (
        await management.send(new ListEnvironmentOutputsCommand({ environmentName: 'built-env' }))
      ).outputs;
      expect(outputs).toEqual([{ key: 'Account', valueString: WORKLOAD }]);
    },
  );

  it.skipIf(!available)(
    'a connection in use cannot be rejected; only the workload account updates its roles or deletes it',
    async () => {
      expect(
        await failure(
          management.send(new RejectEnvironmentAccountConnectionCommand({ id: connectionId })),
        ),
      ).toMatch(/^ConflictException: .*used by the environment workload-env/);
      expect(
        await failure(
          management.send(
            new UpdateEnvironmentAccountConnectionCommand({ id: connectionId, roleArn: ROLE }),
          ),
        ),
      ).toMatch(/^AccessDeniedException: Only the environment account 210987654321 can update/);
      expect(
        await failure(
          management.send(new DeleteEnvironmentAccountConnectionCommand({ id: connectionId })),
        ),
      ).toMatch(/^AccessDeniedException: Only the environment account 210987654321 can delete/);
      const updated = await workload.send(
        new UpdateEnvironmentAccountConnectionCommand({
          id: connectionId,
          componentRoleArn: `arn:aws:iam::${WORKLOAD}:role/proton-components`,
        }),
      );
      expect(updated.environmentAccountConnection).toMatchObject({
        roleArn: ROLE,
        componentRoleArn: `arn:aws:iam::${WORKLOAD}:role/proton-components`,
        status: 'CONNECTED',
      });
      // The management account's list shows the new role.
      expect(
        (
          await management.send(
            new ListEnvironmentAccountConnectionsCommand({
              requestedBy: 'MANAGEMENT_ACCOUNT',
              statuses: ['CONNECTED'],
              environmentName: 'workload-env',
            }),
          )
        ).environmentAccountConnections!.map((c) => c.componentRoleArn),
      ).toEqual([`arn:aws:iam::${WORKLOAD}:role/proton-components`]);
    },
  );

  it.skipIf(!available)(
    "a directly defined component of a connected environment deploys with the connection's componentRoleArn, in the workload account",
    async () => {
      const manifest =
        'infrastructure:\n  templates:\n    - file: "cloudformation.yaml"\n      rendering_engine: jinja\n      template_language: cloudformation\n';
      const templateFile =
        'Resources:\n  Queue:\n    Type: AWS::SQS::Queue\nOutputs:\n  Account:\n    Value: !Ref AWS::AccountId\n';
      await management.send(
        new CreateComponentCommand({
          name: 'extra',
          environmentName: 'workload-env',
          manifest,
          templateFile,
        }),
      );
      const w = { client: management, maxWaitTime: 60, minDelay: 1, maxDelay: 1 };
      expect((await waitUntilComponentDeployed(w, { name: 'extra' })).state).toBe('SUCCESS');
      const stack = (
        await management.send(
          new ListComponentProvisionedResourcesCommand({ componentName: 'extra' }),
        )
      ).provisionedResources![0]!.name!;
      const described = await (
        await workloadCloudFormation()
      ).send(new DescribeStacksCommand({ StackName: stack }));
      expect(described.Stacks![0]!.StackId).toContain(`:${WORKLOAD}:stack/${stack}/`);
      const details = (await nucleonClient(server).send(
        `${extensionTargetPrefix}.GetDeploymentDetails`,
        {
          id: (await management.send(new GetComponentCommand({ name: 'extra' }))).component!
            .lastAttemptedDeploymentId,
        },
      )) as { events: Array<{ message: string }> };
      expect(details.events.map((e) => e.message).join('\n')).toContain(
        `assumed role arn:aws:iam::${WORKLOAD}:role/proton-components`,
      );
    },
  );

  it.skipIf(!available)(
    'a rejected connection is final: it cannot be accepted or used, and the workload account may request again',
    async () => {
      const c = (
        await workload.send(
          new CreateEnvironmentAccountConnectionCommand({
            managementAccountId: MANAGEMENT,
            environmentName: 'rejected-env',
            roleArn: ROLE,
          }),
        )
      ).environmentAccountConnection!;
      const rejected = await management.send(
        new RejectEnvironmentAccountConnectionCommand({ id: c.id! }),
      );
      expect(rejected.environmentAccountConnection!.status).toBe('REJECTED');
      expect(
        await failure(
          management.send(new AcceptEnvironmentAccountConnectionCommand({ id: c.id! })),
        ),
      ).toMatch(/^ConflictException: .*was rejected/);
      expect(
        await failure(
          management.send(
            new CreateEnvironmentCommand({
              name: 'rejected-env',
              templateName: 'cfn-env',
              templateMajorVersion: '1',
              spec: SPEC,
              environmentAccountConnectionId: c.id!,
            }),
          ),
        ),
      ).toMatch(/^ValidationException: .*REJECTED, not CONNECTED/);
      expect(
        (
          await workload.send(
            new ListEnvironmentAccountConnectionsCommand({
              requestedBy: 'ENVIRONMENT_ACCOUNT',
              statuses: ['REJECTED'],
            }),
          )
        ).environmentAccountConnections!.map((x) => x.id),
      ).toEqual([c.id]);
      const again = await workload.send(
        new CreateEnvironmentAccountConnectionCommand({
          managementAccountId: MANAGEMENT,
          environmentName: 'rejected-env',
          roleArn: ROLE,
        }),
      );
      expect(again.environmentAccountConnection!.status).toBe('PENDING');
      // Deleting is idempotent: the second delete answers nothing.
      const deleted = await workload.send(
        new DeleteEnvironmentAccountConnectionCommand({ id: c.id! }),
      );
      expect(deleted.environmentAccountConnection!.id).toBe(c.id);
      expect(
        (await workload.send(new DeleteEnvironmentAccountConnectionCommand({ id: c.id! })))
          .environmentAccountConnection,
      ).toBeUndefined();
      await workload.send(
        new DeleteEnvironmentAccountConnectionCommand({
          id: again.environmentAccountConnection!.id!,
        }),
      );
    },
  );

  it.skipIf(!available)(
    'deleting a connection in use stops its environment from deploying until a new accepted connection replaces it',
    async () => {
      await workload.send(new DeleteEnvironmentAccountConnectionCommand({ id: connectionId }));
      await management.send(
        new UpdateEnvironmentCommand({
          name: 'workload-env',
          deploymentType: 'CURRENT_VERSION',
          spec: SPEC,
        }),
      );
      const failed = await settled('workload-env');
      expect(failed.deploymentStatus).toBe('FAILED');
      expect(failed.deploymentStatusMessage).toMatch(
        /connection .* was deleted: Nucleon cannot manage its resources in account 210987654321/,
      );
      const replacement = (
        await workload.send(
          new CreateEnvironmentAccountConnectionCommand({
            managementAccountId: MANAGEMENT,
            environmentName: 'workload-env',
            roleArn: ROLE,
          }),
        )
      ).environmentAccountConnection!;
      await management.send(new AcceptEnvironmentAccountConnectionCommand({ id: replacement.id! }));
      // protonServiceRoleArn is not for connected environments.
      expect(
        await failure(
          management.send(
            new UpdateEnvironmentCommand({
              name: 'workload-env',
              deploymentType: 'NONE',
              protonServiceRoleArn: `arn:aws:iam::${MANAGEMENT}:role/p`,
            }),
          ),
        ),
      ).toMatch(/^ValidationException: The environment workload-env is provisioned through/);
      await management.send(
        new UpdateEnvironmentCommand({
          name: 'workload-env',
          deploymentType: 'CURRENT_VERSION',
          spec: SPEC,
          environmentAccountConnectionId: replacement.id!,
        }),
      );
      const redeployed = await settled('workload-env');
      expect(redeployed).toMatchObject({
        deploymentStatus: 'SUCCEEDED',
        environmentAccountConnectionId: replacement.id,
        environmentAccountId: WORKLOAD,
      });
    },
  );

  it.skipIf(!available)('an environment without a connection cannot be given one', async () => {
    await management.send(
      new CreateEnvironmentCommand({
        name: 'local-env',
        templateName: 'cfn-env',
        templateMajorVersion: '1',
        spec: SPEC,
      }),
    );
    const env = await settled('local-env');
    expect(env.deploymentStatus).toBe('SUCCEEDED');
    expect(env.environmentAccountId).toBeUndefined();
    const c = (
      await workload.send(
        new ListEnvironmentAccountConnectionsCommand({
          requestedBy: 'ENVIRONMENT_ACCOUNT',
          statuses: ['CONNECTED'],
        }),
      )
    ).environmentAccountConnections![0]!;
    expect(
      await failure(
        management.send(
          new UpdateEnvironmentCommand({
            name: 'local-env',
            deploymentType: 'NONE',
            environmentAccountConnectionId: c.id!,
          }),
        ),
      ),
    ).toMatch(/^ValidationException: The environment local-env is not provisioned through/);
  });

  it.skipIf(!available)(
    'boto3 requests, lists, rejects and deletes a connection as Proton clients did',
    async () => {
      // Asynchronously: the server answering boto3 runs in this process.
      const { stdout } = await promisify(execFile)('python3', [
        '-c',
        BOTO3_SCRIPT,
        JSON.stringify({
          url: server.url,
          workload: keys.get(WORKLOAD),
          management: server.credentials,
          managementAccountId: MANAGEMENT,
          roleArn: ROLE,
        }),
      ]);
      expect(JSON.parse(stdout)).toEqual({
        status: 'PENDING',
        requestedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        seen: true,
        rejected: 'REJECTED',
        denied: 'AccessDeniedException',
      });
    },
  );

  it.skipIf(!available)(
    'an environment account holds at most five connections, and tags follow connections of the own account',
    async () => {
      for (let i = 1; i <= 5; i++)
        await stranger.send(
          new CreateEnvironmentAccountConnectionCommand({
            managementAccountId: MANAGEMENT,
            environmentName: `env-${i}`,
            roleArn: `arn:aws:iam::${STRANGER}:role/p`,
          }),
        );
      expect(
        await failure(
          stranger.send(
            new CreateEnvironmentAccountConnectionCommand({
              managementAccountId: MANAGEMENT,
              environmentName: 'env-6',
              roleArn: `arn:aws:iam::${STRANGER}:role/p`,
            }),
          ),
        ),
      ).toMatch(/^ServiceQuotaExceededException: Account 333333333333 already has 5/);
      // A connection whose environment account is the installation's own is taggable like its other resources.
      const own = (
        await management.send(
          new CreateEnvironmentAccountConnectionCommand({
            managementAccountId: WORKLOAD,
            environmentName: 'reverse',
            roleArn: `arn:aws:iam::${MANAGEMENT}:role/p`,
            tags: [{ key: 'owner', value: 'platform' }],
          }),
        )
      ).environmentAccountConnection!;
      expect(
        (await management.send(new ListTagsForResourceCommand({ resourceArn: own.arn! }))).tags,
      ).toEqual([{ key: 'owner', value: 'platform' }]);
      // ... and its management account (the workload account here) accepts it.
      expect(
        (await workload.send(new AcceptEnvironmentAccountConnectionCommand({ id: own.id! })))
          .environmentAccountConnection!.status,
      ).toBe('CONNECTED');
    },
  );
});
