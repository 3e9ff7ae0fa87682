import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { startTestServer, type TestServer } from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli } from './run-cli.js';

describe('nucleon repos webhook', () => {
  let server: TestServer;
  const dir = mkdtempSync(join(tmpdir(), 'nucleon-cli-webhook-'));
  const env = () => ({
    AWS_ENDPOINT_URL_PROTON: server.url,
    AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
    AWS_PROFILE: '',
  });
  beforeAll(async () => {
    assertBuilt();
    execFileSync('git', ['init', '--quiet', '--bare', join(dir, 'r.git')]);
    server = await startTestServer({ dialect: 'pglite', env: { NUCLEON_SYNC_POLL_SECONDS: '0' } });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const parse = (stdout: string) => ({
    url: /^url: (\S+)$/m.exec(stdout)?.[1],
    secret: /^secret: (\S+)$/m.exec(stdout)?.[1],
  });

  it('prints a webhook URL and secret that a signed delivery is accepted with, and sets or rotates the secret', async () => {
    const link = await runCli(['repos', 'link', 'github', 'acme/app', join(dir, 'r.git')], env());
    expect(link.code).toBe(0);
    const first = await runCli(['repos', 'webhook', 'github', 'acme/app'], env());
    expect(first.code).toBe(0);
    const hook = parse(first.stdout);
    expect(hook.url).toMatch(/\/webhooks\/repositories\/[0-9a-f-]{36}$/);
    expect(hook.secret).toMatch(/^[0-9a-f]{48}$/);
    // Asking again shows the URL but not the secret; --secret replaces it, --rotate makes a new one.
    const again = await runCli(['repos', 'webhook', 'github', 'acme/app'], env());
    expect(again.stdout).toContain(`url: ${hook.url}\nsecret: (set; shown only when set`);
    expect(again.stdout).not.toContain(hook.secret);
    const set = await runCli(
      ['repos', 'webhook', 'github', 'acme/app', '--secret', 'a-secret-of-our-own'],
      env(),
    );
    expect(parse(set.stdout)).toEqual({ url: hook.url, secret: 'a-secret-of-our-own' });
    const body = JSON.stringify({ ref: 'refs/heads/main' });
    const sign = (secret: string) =>
      `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    const deliver = (secret: string) =>
      fetch(hook.url!, {
        method: 'POST',
        headers: { 'x-hub-signature-256': sign(secret) },
        body,
      }).then((r) => r.status);
    expect(await deliver('a-secret-of-our-own')).toBe(202);
    expect(await deliver(hook.secret!)).toBe(403);
    const rotated = parse(
      (await runCli(['repos', 'webhook', 'github', 'acme/app', '--rotate'], env())).stdout,
    );
    expect(rotated.secret).not.toBe('a-secret-of-our-own');
    expect(await deliver('a-secret-of-our-own')).toBe(403);
    expect(await deliver(rotated.secret!)).toBe(202);
  });
});
