import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { requireOrSkip, startTestServer, type TestServer } from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishFixture } from './helpers.js';

const run = promisify(execFile);

async function missingBoto3(): Promise<string | undefined> {
  try {
    await run('python3', ['-c', 'import boto3']);
    return undefined;
  } catch (error) {
    return `python3 with boto3 is needed: ${(error as Error).message.split('\n')[0]}`;
  }
}

/**
 * Creates every kind of resource twice with boto3 and prints the error code of each call
 * (or "ok"): Proton answers ConflictException for a name in use, whatever the spec, and a
 * schema-invalid request gets its ValidationException before any conflict check.
 */
const BOTO3_SCRIPT = `
import json, sys, boto3
from botocore.exceptions import ClientError
args = json.loads(sys.argv[1])
p = boto3.client("proton", endpoint_url=args["url"], region_name="us-east-1",
                 aws_access_key_id=args["key"], aws_secret_access_key=args["secret"])
w = {"Delay": 1, "MaxAttempts": 60}
def code(f, **kw):
    try:
        f(**kw)
        return "ok"
    except ClientError as e:
        return e.response["Error"]["Code"] + ": " + e.response["Error"]["Message"]
out = {}
env_spec = "proton: EnvironmentSpec\\nspec:\\n  greeting: hi\\n"
env = dict(name="dup-env", templateName="dup-env-t", templateMajorVersion="1", spec=env_spec)
out["env1"] = code(p.create_environment, **env)
p.get_waiter("environment_deployed").wait(name="dup-env", WaiterConfig=w)
out["env_same"] = code(p.create_environment, **env)
out["env_other"] = code(p.create_environment, **dict(env, spec="proton: EnvironmentSpec\\nspec:\\n  greeting: bye\\n"))
out["env_invalid"] = code(p.create_environment, **dict(env, spec="proton: EnvironmentSpec\\nspec:\\n  greeting: [1]\\n"))
svc_spec = "proton: ServiceSpec\\ninstances:\\n  - name: one\\n    environment: dup-env\\n    spec: {}\\n"
svc = dict(name="dup-svc", templateName="dup-svc-t", templateMajorVersion="1", spec=svc_spec)
out["svc1"] = code(p.create_service, **svc)
p.get_waiter("service_created").wait(name="dup-svc", WaiterConfig=w)
out["svc_same"] = code(p.create_service, **svc)
out["svc_invalid"] = code(p.create_service, **dict(svc, spec=svc_spec.replace("spec: {}", "spec: {port: nope}")))
out["etmpl"] = code(p.create_environment_template, name="dup-env-t")
out["stmpl"] = code(p.create_service_template, name="dup-svc-t")
print(json.dumps(out))
`;

describe('creating a resource whose name is in use', async () => {
  const python = requireOrSkip(await missingBoto3());
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ dialect: 'pglite' });
    await publishFixture(server, {
      kind: 'ENVIRONMENT',
      template: 'dup-env-t',
      fixture: 'env-codebuild',
    });
    await publishFixture(server, {
      kind: 'SERVICE',
      template: 'dup-svc-t',
      fixture: 'svc-codebuild',
      compatible: [{ templateName: 'dup-env-t', majorVersion: '1' }],
      pipeline: false,
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it.skipIf(!python)(
    'answers boto3 with ConflictException, after any ValidationException the request earns',
    async () => {
      const { stdout } = await run('python3', [
        '-c',
        BOTO3_SCRIPT,
        JSON.stringify({
          url: server.url,
          key: server.credentials.accessKeyId,
          secret: server.credentials.secretAccessKey,
        }),
      ]);
      const out = JSON.parse(stdout) as Record<string, string>;
      expect(out.env1).toBe('ok');
      expect(out.env_same).toMatch(
        /^ConflictException: An environment named dup-env already exists/,
      );
      expect(out.env_other).toMatch(/^ConflictException: /);
      expect(out.env_invalid).toMatch(/^ValidationException: .*greeting/);
      expect(out.svc1).toBe('ok');
      expect(out.svc_same).toMatch(/^ConflictException: A service named dup-svc already exists/);
      expect(out.svc_invalid).toMatch(/^ValidationException: .*port/);
      expect(out.etmpl).toMatch(/^ConflictException: An environment template named dup-env-t/);
      expect(out.stmpl).toMatch(/^ConflictException: A service template named dup-svc-t/);
    },
    120_000,
  );
});
