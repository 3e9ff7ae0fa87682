import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  AccessDeniedException,
  CreateEnvironmentCommand,
  ProtonClient as SdkClient,
  waitUntilEnvironmentDeployed,
} from '@aws-sdk/client-proton';
import {
  ProtonApiError,
  ProtonClient,
  extensionTargetPrefix,
  type NucleonAuditEvent,
} from '@nucleon/protocol';
import type { TestServer } from '@nucleon/test-utils';
import { publishFixture } from './helpers.js';

export const run = promisify(execFile);
export const X = (op: string) => `${extensionTargetPrefix}.${op}`;
export type Key = { accessKeyId: string; secretAccessKey: string };

export const serviceSpec = (environment: string) =>
  `proton: ServiceSpec\ninstances:\n  - name: one\n    environment: ${environment}\n    spec:\n      port: 8080\n`;

export async function denied(call: Promise<unknown>): Promise<string> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error instanceof AccessDeniedException) return error.message;
  if (error instanceof ProtonApiError && error.type === 'AccessDeniedException')
    return error.message;
  throw new Error(
    `expected AccessDeniedException, got ${error === undefined ? 'success' : error instanceof Error ? `${error.name}: ${error.message}` : JSON.stringify(error)}`,
  );
}

export const BOTO3_SCRIPT = `
import json, sys, boto3
from botocore.exceptions import ClientError
args = json.loads(sys.argv[1])
def client(key):
    return boto3.client("proton", endpoint_url=args["url"], region_name="us-east-1",
                        aws_access_key_id=key["accessKeyId"], aws_secret_access_key=key["secretAccessKey"])
def code(fn):
    try:
        fn()
        return "OK"
    except ClientError as e:
        return e.response["Error"]["Code"] + ": " + e.response["Error"]["Message"]
dev, ro, plat = client(args["dev"]), client(args["ro"]), client(args["plat"])
spec = "proton: ServiceSpec\\ninstances:\\n  - name: one\\n    environment: %s\\n    spec:\\n      port: 8080\\n"
print(json.dumps({
  "devTemplate": code(lambda: dev.create_environment_template(name="boto-dev-env")),
  "devPublish": code(lambda: dev.update_service_template_version(templateName="web-svc", majorVersion="1", minorVersion="0", status="PUBLISHED")),
  "devProd": code(lambda: dev.create_service(name="boto-prod", templateName="web-svc", templateMajorVersion="1", spec=spec % "prod-1")),
  "devList": code(lambda: dev.list_service_templates()),
  "roList": code(lambda: ro.list_environments()),
  "roDelete": code(lambda: ro.delete_environment(name="dev-1")),
  "platTemplate": code(lambda: plat.create_service_template(name="boto-plat-svc", pipelineProvisioning="CUSTOMER_MANAGED")),
  "platService": code(lambda: plat.create_service(name="boto-plat", templateName="web-svc", templateMajorVersion="1", spec=spec % "dev-1")),
}))
`;

export async function pythonMissing(): Promise<string | undefined> {
  try {
    await run('python3', ['-c', 'import boto3']);
    return undefined;
  } catch (error) {
    return `python3 with boto3 is missing: ${(error as Error).message.split('\n')[0]}`;
  }
}

/**
 * Publishes an environment and a service template, deploys environments dev-1 and prod-1, and
 * makes users plat (platform), dev (developer, granted web-* templates and dev-* environments),
 * ro (read-only) and boss (admin), each with one key. Returns the keys by user (and root).
 */
export async function setUpRoles(server: TestServer): Promise<Record<string, Key>> {
  const keys: Record<string, Key> = { root: server.credentials };
  const rootSdk = new SdkClient({
    endpoint: server.url,
    region: server.region,
    credentials: server.credentials,
    maxAttempts: 1,
  });
  const root = new ProtonClient({
    endpoint: server.url,
    region: server.region,
    credentials: server.credentials,
  });
  await publishFixture(server, { kind: 'ENVIRONMENT', template: 'base', fixture: 'env-codebuild' });
  await publishFixture(server, {
    kind: 'SERVICE',
    template: 'web-svc',
    fixture: 'svc-codebuild',
    compatible: [{ templateName: 'base', majorVersion: '1' }],
  });
  const spec = 'proton: EnvironmentSpec\nspec:\n  greeting: hi\n';
  for (const name of ['dev-1', 'prod-1']) {
    await rootSdk.send(
      new CreateEnvironmentCommand({ name, templateName: 'base', templateMajorVersion: '1', spec }),
    );
  }
  const waiter = { client: rootSdk, maxWaitTime: 60, minDelay: 1, maxDelay: 1 };
  for (const name of ['dev-1', 'prod-1']) await waitUntilEnvironmentDeployed(waiter, { name });
  for (const [userName, role] of [
    ['plat', 'platform'],
    ['dev', 'developer'],
    ['ro', 'read-only'],
    ['boss', 'admin'],
  ] as Array<[string, string]>) {
    await root.send(X('CreateUser'), { userName, role });
    const out = (await root.send(X('CreateAccessKey'), {
      userName,
      description: `${userName}'s key`,
    })) as { accessKey: Key };
    keys[userName] = out.accessKey;
  }
  await root.send(X('AddGrant'), { userName: 'dev', kind: 'template', pattern: 'web-*' });
  await root.send(X('AddGrant'), { userName: 'dev', kind: 'environment', pattern: 'dev-*' });
  return keys;
}

/** Every audit event matching `filter`, walking the pages five at a time (newest first). */
export async function allAuditEvents(
  client: ProtonClient,
  filter: Record<string, unknown>,
): Promise<NucleonAuditEvent[]> {
  const events: NucleonAuditEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = (await client.send(X('ListAuditEvents'), {
      ...filter,
      maxResults: 5,
      ...(nextToken ? { nextToken } : {}),
    })) as {
      events: NucleonAuditEvent[];
      nextToken?: string;
    };
    events.push(...page.events);
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}
