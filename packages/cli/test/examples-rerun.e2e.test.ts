import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultExamplesDir } from '../src/commands/examples-catalog.js';
import { assertBuilt, runCli } from './run-cli.js';

/**
 * `nucleon examples install` run again after someone registered their own newer minor of an
 * example template: nothing to do while the example's bundle is unchanged, and no failed
 * version left behind when its new content cannot join that major.
 */
describe('nucleon examples install, rerun after a hand-registered minor', () => {
  let server: TestServer;
  let dir: string;
  let examples: string;
  const cli = (...args: string[]) =>
    runCli(args, {
      AWS_ENDPOINT_URL_PROTON: server.url,
      AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
      AWS_PROFILE: '',
      AWS_REGION: '',
    });
  const install = () => cli('examples', 'install', '--only', 'local', '--examples-dir', examples);
  const versions = async () =>
    (await cli('templates', 'show', 'local-env')).stdout
      .split('\n')
      .filter((l) => /^\d+\.\d+\s/.test(l))
      .map((l) => l.split(/\s+/).slice(0, 2).join(' '));

  beforeAll(async () => {
    assertBuilt();
    server = await startTestServer({ dialect: 'pglite' });
    dir = mkdtempSync(join(tmpdir(), 'nucleon-examples-rerun-'));
    examples = join(dir, 'examples');
    cpSync(defaultExamplesDir(), examples, { recursive: true });
  });
  afterAll(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('says "Nothing to do" and exits 0 while the example bundle is unchanged', async () => {
    const first = await install();
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^local-env .* 1\.0 +PUBLISHED /m);

    // A platform engineer adds an input in their own 1.1 of local-env.
    const mine = join(dir, 'my-local-env');
    cpSync(join(examples, 'environments', 'local-env'), mine, { recursive: true });
    const schema = join(mine, 'schema', 'schema.yaml');
    writeFileSync(
      schema,
      readFileSync(schema, 'utf8') +
        '        team:\n          type: string\n          default: core\n',
    );
    const registered = await cli('templates', 'register', 'local-env', mine, '--publish', '--wait');
    expect(registered.code, registered.stderr).toBe(0);
    expect(registered.stdout).toContain('registered local-env:1.1 (DRAFT)');

    const again = await install();
    expect(again.stderr).not.toMatch(/FAILED/);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain('Nothing to do: all 2 example templates are installed');
    expect(await versions()).toEqual(['1.0 PUBLISHED', '1.1 PUBLISHED']);
  });

  it('deletes the version again when the changed example cannot join that major, and says what to do', async () => {
    appendFileSync(
      join(examples, 'environments', 'local-env', 'infrastructure', 'manifest.yaml'),
      '# a template change\n',
    );
    const run = await install();
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).toMatch(
      /1\.2 failed to register and was deleted again: .*not backward compatible/,
    );
    expect(run.stdout + run.stderr).toContain('--new-major');
    expect(await versions()).toEqual(['1.0 PUBLISHED', '1.1 PUBLISHED']);
  });
});
