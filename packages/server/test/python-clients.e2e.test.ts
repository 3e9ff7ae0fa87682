import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { requireOrSkip, startTestServer, type TestServer } from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushFixture } from './helpers.js';

const run = promisify(execFile);

async function missing(command: string, args: string[]): Promise<string | undefined> {
  try {
    await run(command, args);
    return undefined;
  } catch (error) {
    return `${command} ${args.join(' ')} failed: ${(error as Error).message.split('\n')[0]}`;
  }
}

const BOTO3_SCRIPT = `
import json, sys, boto3
from botocore.exceptions import ClientError
args = json.loads(sys.argv[1])
p = boto3.client("proton", endpoint_url=args["url"], region_name="us-east-1",
                 aws_access_key_id=args["key"], aws_secret_access_key=args["secret"])
p.create_environment_template(name="boto-env", displayName="From boto3")
v = p.create_environment_template_version(templateName="boto-env", source={"s3": args["source"]})
assert v["environmentTemplateVersion"]["status"] == "REGISTRATION_IN_PROGRESS"
p.get_waiter("environment_template_version_registered").wait(
    templateName="boto-env", majorVersion="1", minorVersion="0", WaiterConfig={"Delay": 1, "MaxAttempts": 30})
p.update_environment_template_version(templateName="boto-env", majorVersion="1", minorVersion="0", status="PUBLISHED")
t = p.get_environment_template(name="boto-env")["environmentTemplate"]
names = [x["name"] for page in p.get_paginator("list_environment_templates").paginate() for x in page["templates"]]
try:
    p.get_environment_template(name="nope")
    err = None
except ClientError as e:
    err = e.response["Error"]["Code"]
print(json.dumps({"recommended": t["recommendedVersion"], "created": t["createdAt"].isoformat(), "names": names, "error": err}))
`;

describe('boto3 and the AWS CLI as clients', async () => {
  const python = requireOrSkip(await missing('python3', ['-c', 'import boto3']));
  const awsCli = requireOrSkip(await missing('aws', ['--version']));
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ dialect: 'pglite' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it.skipIf(!python)('boto3 registers, waits for, publishes and lists a template', async () => {
    const source = await pushFixture(server, 'env-cfn');
    const { stdout } = await run('python3', [
      '-c',
      BOTO3_SCRIPT,
      JSON.stringify({
        url: server.url,
        key: server.credentials.accessKeyId,
        secret: server.credentials.secretAccessKey,
        source,
      }),
    ]);
    const out = JSON.parse(stdout) as {
      recommended: string;
      created: string;
      names: string[];
      error: string;
    };
    expect(out).toMatchObject({
      recommended: '1.0',
      names: ['boto-env'],
      error: 'ResourceNotFoundException',
    });
    expect(new Date(out.created).getFullYear()).toBeGreaterThanOrEqual(2026);
  });

  it.skipIf(!awsCli)('the AWS CLI reaches Nucleon through AWS_ENDPOINT_URL_PROTON', async () => {
    const env = {
      ...process.env,
      AWS_ENDPOINT_URL_PROTON: server.url,
      AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_PROFILE: '',
    };
    delete (env as Record<string, string | undefined>).AWS_PROFILE;
    const created = await run(
      'aws',
      [
        'proton',
        'create-service-template',
        '--name',
        'cli-svc',
        '--pipeline-provisioning',
        'CUSTOMER_MANAGED',
        '--output',
        'json',
      ],
      { env },
    );
    expect(
      (JSON.parse(created.stdout) as { serviceTemplate: unknown }).serviceTemplate,
    ).toMatchObject({ name: 'cli-svc', pipelineProvisioning: 'CUSTOMER_MANAGED' });
    const listed = await run('aws', ['proton', 'list-service-templates', '--output', 'json'], {
      env,
    });
    expect(
      (JSON.parse(listed.stdout) as { templates: Array<{ name: string }> }).templates.map(
        (t) => t.name,
      ),
    ).toEqual(['cli-svc']);
    const failed = await run('aws', ['proton', 'get-service-template', '--name', 'missing'], {
      env,
    }).catch((e: { stderr: string; code: number }) => e);
    expect((failed as { stderr: string }).stderr).toMatch(/ResourceNotFoundException/);
  });
});
