import { startTestServer, type TestServer } from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli } from './run-cli.js';

describe('nucleon users, grants, keys and audit', () => {
  let server: TestServer;
  const env = (key?: { accessKeyId: string; secretAccessKey: string }) => ({
    AWS_ENDPOINT_URL_PROTON: server.url,
    AWS_ACCESS_KEY_ID: (key ?? server.credentials).accessKeyId,
    AWS_SECRET_ACCESS_KEY: (key ?? server.credentials).secretAccessKey,
    AWS_PROFILE: '',
  });

  beforeAll(async () => {
    assertBuilt();
    server = await startTestServer({ dialect: 'pglite' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('manages users, grants and keys with roles, and shows the audit log', async () => {
    const created = await runCli(['users', 'create', 'dana', '--role', 'developer'], env());
    expect(created).toMatchObject({ code: 0, stdout: 'created user dana (developer)\n' });
    expect(
      (await runCli(['grants', 'add', '--user', 'dana', '--template', 'web-*'], env())).code,
    ).toBe(0);
    expect(
      (await runCli(['grants', 'add', '--user', 'dana', '--environment', 'dev-*'], env())).code,
    ).toBe(0);
    const grants = JSON.parse(
      (await runCli(['grants', 'list', '--user', 'dana', '-o', 'json'], env())).stdout,
    ) as unknown[];
    expect(grants).toEqual([
      { userName: 'dana', kind: 'environment', pattern: 'dev-*' },
      { userName: 'dana', kind: 'template', pattern: 'web-*' },
    ]);
    expect(
      (await runCli(['grants', 'remove', '--user', 'dana', '--environment', 'dev-*'], env())).code,
    ).toBe(0);
    expect(JSON.parse((await runCli(['grants', 'list', '-o', 'json'], env())).stdout)).toHaveLength(
      1,
    );

    const keyOut = await runCli(['keys', 'create', '--user', 'dana', '--output', 'json'], env());
    expect(keyOut.code).toBe(0);
    const key = JSON.parse(keyOut.stdout) as {
      accessKeyId: string;
      secretAccessKey: string;
      role: string;
      userName: string;
    };
    expect(key).toMatchObject({
      accessKeyId: expect.stringMatching(/^AKIA/),
      secretAccessKey: expect.any(String),
      userName: 'dana',
      role: 'developer',
    });
    const ro = JSON.parse(
      (await runCli(['keys', 'create', '--role', 'read-only', '-o', 'json'], env())).stdout,
    ) as { accessKeyId: string; secretAccessKey: string };
    const listed = JSON.parse(
      (await runCli(['keys', 'list', '-o', 'json'], env())).stdout,
    ) as Array<{ accessKeyId: string; role: string; userName?: string }>;
    expect(listed.find((k) => k.accessKeyId === ro.accessKeyId)).toMatchObject({
      role: 'read-only',
    });
    expect((await runCli(['keys', 'list'], env())).stdout).toMatch(
      /ACCESSKEYID\s+ROOT\s+USERNAME\s+ROLE/,
    );

    // The developer's key is refused what a developer may not do, with the action and resource named.
    const refused = await runCli(['users', 'list'], env(key));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /AccessDeniedException: user dana .* may not perform access:read/,
    );
    const rootDelete = await runCli(['keys', 'delete', server.credentials.accessKeyId], env(key));
    expect(rootDelete.stderr).toMatch(/AccessDeniedException/);
    const badRole = await runCli(['keys', 'create', '--role', 'owner'], env());
    expect(badRole.code).not.toBe(0);
    expect(badRole.stderr).toMatch(/Allowed choices are admin, platform, developer, read-only/);

    const users = JSON.parse(
      (await runCli(['users', 'list', '-o', 'json'], env())).stdout,
    ) as Array<{ userName: string; role: string; accessKeyIds: string[] }>;
    expect(users).toEqual([
      expect.objectContaining({
        userName: 'dana',
        role: 'developer',
        accessKeyIds: [key.accessKeyId],
      }),
    ]);

    const audit = JSON.parse((await runCli(['audit', '--output', 'json'], env())).stdout) as Array<{
      principal: string;
      operation: string;
      resourceArn: string;
      outcome: string;
    }>;
    expect(audit[0]).toMatchObject({
      principal: 'dana',
      operation: 'DeleteAccessKey',
      outcome: 'DENIED',
    });
    expect(audit).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          principal: 'dana',
          operation: 'ListUsers',
          resourceArn: '*',
          outcome: 'DENIED',
        }),
        expect.objectContaining({
          principal: 'dana',
          operation: 'DeleteAccessKey',
          outcome: 'DENIED',
          resourceArn: `arn:aws:proton:us-east-1:123456789012:nucleon-access-key/${server.credentials.accessKeyId}`,
        }),
        expect.objectContaining({
          principal: server.credentials.accessKeyId,
          operation: 'CreateUser',
          outcome: 'SUCCEEDED',
          resourceArn: 'arn:aws:proton:us-east-1:123456789012:nucleon-user/dana',
        }),
      ]),
    );
    const onlyDana = JSON.parse(
      (await runCli(['audit', '--principal', 'dana', '-o', 'json'], env())).stdout,
    ) as Array<{ principal: string }>;
    expect(onlyDana.map((e) => e.principal)).toEqual(['dana', 'dana']);
    expect(
      JSON.parse((await runCli(['audit', '--limit', '1', '-o', 'json'], env())).stdout),
    ).toHaveLength(1);
    expect((await runCli(['audit'], env())).stdout).toMatch(
      /TIME\s+PRINCIPAL\s+OPERATION\s+OUTCOME\s+RESOURCEARN/,
    );

    expect((await runCli(['users', 'delete', 'dana'], env())).code).toBe(0);
    expect((await runCli(['keys', 'list'], env(key))).code).toBe(1);
  }, 600_000);

  it('documents the commands in --help', async () => {
    for (const [args, text] of [
      [['users', '--help'], /create \[options\] <name>/],
      [
        ['users', 'create', '--help'],
        /--role <role>[\s\S]*choices: "admin", "platform",\s+"developer", "read-only"/,
      ],
      [['grants', '--help'], /add \[options\]/],
      [['keys', 'create', '--help'], /--user <name>/],
      [['audit', '--help'], /--principal <nameOrKey>/],
    ] as Array<[string[], RegExp]>) {
      const out = await runCli(args, {});
      expect(out.code).toBe(0);
      expect(out.stdout).toMatch(text);
    }
  }, 300_000);
});
