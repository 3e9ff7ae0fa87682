import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer } from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli } from './run-cli.js';

const bundles = fileURLToPath(new URL('../../server/test/fixtures/bundles/', import.meta.url));

/**
 * `nucleon templates register` run again adds a minor to the newest major, as Proton's console
 * does, and finds a service version's compatible environments without --compatible.
 */
describe('nucleon templates register: which version it makes', () => {
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
  const register = async (...args: string[]) => {
    const r = await cli('templates', 'register', ...args, '--wait');
    expect(r.code, r.stderr).toBe(0);
    return r.stdout;
  };

  beforeAll(async () => {
    assertBuilt();
    server = await startTestServer({ dialect: 'pglite' });
    dir = mkdtempSync(join(tmpdir(), 'nucleon-register-'));
  });
  afterAll(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('makes 1.0 first, then a new minor of the newest major; --new-major makes the next major', async () => {
    expect(await register('r-env', `${bundles}env-codebuild`, '--publish')).toContain(
      'registered r-env:1.0 (DRAFT)',
    );
    expect(await register('r-env', `${bundles}env-codebuild`, '--publish')).toContain(
      'registered r-env:1.1 (DRAFT)',
    );
    expect(await register('r-env', `${bundles}env-codebuild`, '--new-major')).toContain(
      'registered r-env:2.0 (DRAFT)',
    );
    expect(await register('r-env', `${bundles}env-codebuild`, '--major', '1')).toContain(
      'registered r-env:1.2 (DRAFT)',
    );
    const both = await cli(
      'templates',
      'register',
      'r-env',
      `${bundles}env-codebuild`,
      '--major',
      '1',
      '--new-major',
    );
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('--major and --new-major contradict each other');
  });

  it("takes a service version's compatible environments from the previous minor, or from the bundle", async () => {
    const first = await register(
      'r-svc',
      `${bundles}svc-codebuild`,
      '--no-pipeline',
      '--compatible',
      'r-env:1',
      '--publish',
    );
    expect(first).toContain('registered r-svc:1.0 (DRAFT)');

    const again = await register('r-svc', `${bundles}svc-codebuild`, '--publish');
    expect(again).toContain(
      'created version r-svc:1.1 (REGISTRATION_IN_PROGRESS), compatible with r-env:1 (from r-svc:1.0)',
    );
    expect(again).toContain('registered r-svc:1.1 (DRAFT)');

    const declared = join(dir, 'svc-declared');
    cpSync(`${bundles}svc-codebuild`, declared, { recursive: true });
    writeFileSync(
      join(declared, '.template-registration.yaml'),
      'compatible_environments:\n  - r-env:1\n  - r-env:2\n',
    );
    const fromBundle = await register('r-svc', declared);
    expect(fromBundle).toContain(
      "compatible with r-env:1, r-env:2 (from the bundle's .template-registration.yaml)",
    );
    expect(fromBundle).toContain('registered r-svc:1.2 (DRAFT)');
    const shown = await cli('templates', 'show', 'r-svc');
    expect(shown.stdout).toMatch(/^1\.2\s+DRAFT\s+r-env:1 r-env:2\s/m);
  });

  it('asks for --compatible when nothing names the environments, before creating the template', async () => {
    const r = await cli(
      'templates',
      'register',
      'r-new',
      `${bundles}svc-codebuild`,
      '--no-pipeline',
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('a service template version needs the environment templates');
    expect(r.stderr).toMatch(/hint: pass --compatible <environment-template>:<major>/);
    expect((await cli('templates', 'show', 'r-new')).stderr).toContain('no template named r-new');
  });
});
