import { mkdtempSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli, startUp } from './run-cli.js';

describe('nucleon up, keys and bundle push, as a user runs them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nucleon-cli-'));
  const dataDir = join(dir, '.nucleon');
  let child: ChildProcess;
  let url: string;
  let banner: string;
  const clientEnv = () => ({
    AWS_ENDPOINT_URL_PROTON: url,
    NUCLEON_DATA_DIR: dataDir,
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
    AWS_PROFILE: '',
  });

  beforeAll(async () => {
    assertBuilt();
    const started = await startUp(['--port', '0', '--data-dir', dataDir]);
    child = started.child;
    url = started.url;
    banner = started.output();
  });
  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the generated root key once and how to point the AWS tools at it', () => {
    expect(banner).toMatch(/aws_access_key_id\s+= AKIA[A-Z0-9]{16}/);
    expect(banner).toMatch(/aws_secret_access_key = \S{30,}/);
    expect(banner).toContain(`AWS_ENDPOINT_URL_PROTON=${url}`);
    expect(statSync(join(dataDir, 'credentials')).mode & 0o777).toBe(0o600);
  });

  it('keeps its data dir private: the folder 0700, nothing in it readable by others', () => {
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    const open: string[] = [];
    const walk = (path: string): void => {
      const info = statSync(path);
      if ((info.mode & 0o077) !== 0) open.push(`${path} ${(info.mode & 0o777).toString(8)}`);
      if (info.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
    };
    walk(dataDir);
    expect(readdirSync(dataDir)).toEqual(expect.arrayContaining(['credentials', 'master.key']));
    expect(open).toEqual([]);
  });

  it('refuses a second Nucleon on the same data dir at once, naming the holder', async () => {
    const second = await runCli(['up', '--port', '0', '--data-dir', dataDir]);
    expect(second.code).toBe(3);
    expect(second.stderr).toContain(`pid ${child.pid}`);
  });

  it('refuses `nucleon server` and `nucleon worker` on the embedded database, saying why', async () => {
    for (const role of ['server', 'worker']) {
      const r = await runCli([role, '--data-dir', join(dir, `${role}-data`)]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`\`nucleon ${role}\``);
      expect(r.stderr).toContain('PGlite allows one process only');
    }
  });

  it('creates, lists and deletes access keys with the credentials file', async () => {
    const created = await runCli(
      ['keys', 'create', '--description', 'ci', '-o', 'json'],
      clientEnv(),
    );
    expect(created.code).toBe(0);
    const key = JSON.parse(created.stdout) as { accessKeyId: string; secretAccessKey: string };
    expect(key.secretAccessKey.length).toBeGreaterThan(20);
    const listed = await runCli(['keys', 'list'], clientEnv());
    expect(listed.stdout).toContain(key.accessKeyId);
    expect(listed.stdout).not.toContain(key.secretAccessKey);
    // The new key works on its own.
    const withNewKey = await runCli(['keys', 'list', '-o', 'json'], {
      ...clientEnv(),
      AWS_ACCESS_KEY_ID: key.accessKeyId,
      AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
    });
    expect(withNewKey.code).toBe(0);
    const deleted = await runCli(['keys', 'delete', key.accessKeyId], clientEnv());
    expect(deleted.code).toBe(0);
    const refused = await runCli(['keys', 'list'], {
      ...clientEnv(),
      AWS_ACCESS_KEY_ID: key.accessKeyId,
      AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/UnrecognizedClientException/);
  });

  it('pushes a bundle folder and prints its S3 source as the last line', async () => {
    const bundle = join(dir, 'my-bundle');
    mkdirSync(join(bundle, 'schema'), { recursive: true });
    writeFileSync(
      join(bundle, 'schema', 'schema.yaml'),
      'schema:\n  format:\n    openapi: "3.0.0"\n',
    );
    const pushed = await runCli(
      ['bundle', 'push', bundle, '--key', 'my/bundle.tar.gz'],
      clientEnv(),
    );
    expect(pushed.code).toBe(0);
    const last = pushed.stdout.trim().split('\n').pop()!;
    expect(JSON.parse(last)).toEqual({
      s3: { bucket: 'nucleon-bundles', key: 'my/bundle.tar.gz' },
    });
  });

  it('explains unreachable endpoints and missing credentials', async () => {
    const down = await runCli(['keys', 'list'], {
      ...clientEnv(),
      AWS_ENDPOINT_URL_PROTON: 'http://127.0.0.1:1',
    });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/could not reach the Nucleon endpoint/);
    const nocreds = await runCli(
      ['keys', 'list'],
      { ...clientEnv(), NUCLEON_DATA_DIR: join(dir, 'nowhere'), HOME: dir },
      dir,
    );
    expect(nocreds.stderr).toMatch(/no credentials/);
  });

  it('prints help for every command', async () => {
    for (const args of [
      ['--help'],
      ['up', '--help'],
      ['keys', '--help'],
      ['bundle', 'push', '--help'],
    ]) {
      const r = await runCli(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Usage: nucleon/);
    }
  });

  it('stops gracefully on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
