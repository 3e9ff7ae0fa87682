import { startTestServer, type TestServer } from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli } from './run-cli.js';

describe('nucleon keys create --account and nucleon connections', () => {
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

  it('creates a key of another account, which lists with its account and reaches only account connections', async () => {
    const out = await runCli(['keys', 'create', '--account', '210987654321', '-o', 'json'], env());
    expect(out.code).toBe(0);
    const key = JSON.parse(out.stdout) as {
      accessKeyId: string;
      secretAccessKey: string;
      accountId: string;
    };
    expect(key.accountId).toBe('210987654321');
    const listed = JSON.parse(
      (await runCli(['keys', 'list', '-o', 'json'], env())).stdout,
    ) as Array<{
      accessKeyId: string;
      accountId: string;
    }>;
    expect(listed.find((k) => k.accessKeyId === key.accessKeyId)?.accountId).toBe('210987654321');
    // The installation's own keys keep their account (the test server's NUCLEON_ACCOUNT_ID).
    expect(listed.find((k) => k.accessKeyId === server.credentials.accessKeyId)?.accountId).toBe(
      '123456789012',
    );
    // A key of another account may not manage the installation's keys.
    const denied = await runCli(['keys', 'list'], env(key));
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/AccessDeniedException.*acts in account 210987654321/);
    const bad = await runCli(['keys', 'create', '--account', '12'], env());
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/accountId/);

    // The workload key requests a connection; the installation's key (the management account) accepts it.
    const requested = await runCli(
      [
        'connections',
        'request',
        '--management-account',
        '123456789012',
        '--env',
        'dev',
        '--role-arn',
        'arn:aws:iam::210987654321:role/proton',
        '-o',
        'json',
      ],
      env(key),
    );
    expect(requested.code).toBe(0);
    const [connection] = JSON.parse(requested.stdout) as Array<{ id: string; status: string }>;
    expect(connection!.status).toBe('PENDING');
    const pending = await runCli(['connections', 'list'], env());
    expect(pending.stdout).toMatch(
      new RegExp(`${connection!.id}\\s+PENDING\\s+dev\\s+210987654321\\s+123456789012`),
    );
    expect((await runCli(['connections', 'accept', connection!.id], env())).code).toBe(0);
    const mine = JSON.parse(
      (
        await runCli(
          ['connections', 'list', '--as', 'environment', '--status', 'CONNECTED', '-o', 'json'],
          env(key),
        )
      ).stdout,
    ) as Array<{ id: string }>;
    expect(mine.map((c) => c.id)).toEqual([connection!.id]);
    const refused = await runCli(['connections', 'delete', connection!.id], env());
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/AccessDeniedException.*Only the environment account/);
    expect((await runCli(['connections', 'delete', connection!.id], env(key))).code).toBe(0);
    expect(JSON.parse((await runCli(['connections', 'list', '-o', 'json'], env())).stdout)).toEqual(
      [],
    );
  }, 300_000);

  it('documents --account in --help', async () => {
    const out = await runCli(['keys', 'create', '--help'], {});
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/--account <id>/);
    expect((await runCli(['connections', '--help'], {})).stdout).toMatch(
      /request \[options\][\s\S]*accept[\s\S]*reject[\s\S]*delete/,
    );
    expect((await runCli(['envs', 'create', '--help'], {})).stdout).toMatch(/--connection <id>/);
  }, 60_000);
});
