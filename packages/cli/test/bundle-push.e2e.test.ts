import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultExamplesDir } from '../src/commands/examples-catalog.js';
import { assertBuilt, runCli } from './run-cli.js';

/** `nucleon bundle push` of a folder pushes what registration reads, and says what it left out. */
describe('nucleon bundle push of a bundle folder with docs and specs beside it', () => {
  let server: TestServer;
  let dir: string;
  const cli = (...args: string[]) =>
    runCli(args, {
      AWS_ENDPOINT_URL_PROTON: server.url,
      AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
      AWS_PROFILE: '',
      AWS_REGION: '',
    });

  beforeAll(async () => {
    assertBuilt();
    server = await startTestServer({ dialect: 'pglite' });
    dir = mkdtempSync(join(tmpdir(), 'nucleon-bundle-push-'));
  });
  afterAll(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('pushes only schema/ and the infrastructure folders, and names what it left out', async () => {
    const example = join(defaultExamplesDir(), 'environments', 'local-env');
    const full = join(dir, 'full', 'local-env');
    cpSync(example, full, { recursive: true });
    mkdirSync(join(full, 'test'));
    writeFileSync(join(full, 'test', 'cases.yaml'), 'cases: []\n');
    const bare = join(dir, 'bare', 'local-env');
    for (const part of ['schema', 'infrastructure'])
      cpSync(join(example, part), join(bare, part), { recursive: true });

    const pushed = await cli('bundle', 'push', full);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.stderr).toContain(
      'left out what is not part of a bundle (registration reads only schema/ and the infrastructure folders): README.md, spec/, test/',
    );
    const reference = await cli('bundle', 'push', bare);
    expect(reference.code, reference.stderr).toBe(0);
    expect(reference.stderr).not.toContain('left out');
    // The default key carries the sha256 of what was pushed: the same bytes as the bare bundle.
    const key = (out: string) =>
      (JSON.parse(out.trim().split('\n').at(-1)!) as { s3: { key: string } }).s3.key;
    expect(key(pushed.stdout)).toMatch(/^local-env-[0-9a-f]{12}\.tar\.gz$/);
    expect(key(pushed.stdout)).toBe(key(reference.stdout));
  });

  it('registers the pushed example as a template version that passes registration', async () => {
    const pushed = await cli(
      'bundle',
      'push',
      join(defaultExamplesDir(), 'environments', 'local-env'),
    );
    expect(pushed.code, pushed.stderr).toBe(0);
    const registered = await cli(
      'templates',
      'register',
      'push-env',
      join(defaultExamplesDir(), 'environments', 'local-env'),
      '--wait',
    );
    expect(registered.code, registered.stderr).toBe(0);
    expect(registered.stdout).toContain('left out what is not part of a bundle: README.md, spec/');
    expect(registered.stdout).toContain('registered push-env:1.0 (DRAFT)');
  });
});
