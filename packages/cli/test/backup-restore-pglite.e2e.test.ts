import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildEstate,
  checkEstate,
  client,
  cliEnv,
  deliver,
  deployed,
  down,
  proton,
  rootOf,
  up,
  type Estate,
  type Running,
} from './care-fixtures.js';
import { assertBuilt, runCli } from './run-cli.js';

describe('backup, restore and master-key rotation of an embedded data dir', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nucleon-care-'));
  const original = join(dir, 'original');
  const restored = join(dir, 'restored');
  const file = join(dir, 'nucleon.backup');
  let running: Running | undefined;
  let estate: Estate;
  let backupOutput: string;

  beforeAll(async () => {
    assertBuilt();
    running = await up(original);
    estate = await buildEstate(running.url, original);
    // Taken while the server runs (it holds the embedded database, so it takes the snapshot).
    const backup = await runCli(
      ['backup', file, '--data-dir', original],
      cliEnv(running.url, original),
    );
    backupOutput = backup.stdout + backup.stderr;
    if (backup.code !== 0) throw new Error(`backup failed: ${backupOutput}`);
    await down(running);
    running = undefined;
  });
  afterAll(async () => {
    await down(running);
    rmSync(dir, { recursive: true, force: true });
  });

  it('backs up a running server into a private file that names its master key', () => {
    expect(backupOutput).toMatch(
      /^Backed up \d+ rows of \d+ tables \(taken by the running server at http:\/\/127\.0\.0\.1:\d+\) to .*nucleon\.backup; master key [0-9a-f]{16} included\./,
    );
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('restores into a fresh data dir: every resource and secret is back, keys authenticate', async () => {
    const out = await runCli(['restore', file, '--data-dir', restored]);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    // Access keys (root, user) and the repository's token and webhook secret: 4 sealed secrets.
    expect(out.stdout).toMatch(
      new RegExp(
        `^Restored \\d+ rows of \\d+ tables into ${restored}; 4 secrets open with master key [0-9a-f]{16}\\.`,
      ),
    );
    expect(readFileSync(join(restored, 'master.key'), 'utf8')).toBe(
      readFileSync(join(original, 'master.key'), 'utf8'),
    );
    expect(rootOf(restored)).toEqual(rootOf(original));

    running = await up(restored);
    expect(await checkEstate(running.url, restored, estate)).toEqual({
      envStatus: 'SUCCEEDED',
      sameArn: true,
      userKeyWorks: true,
      webhook: 202,
    });
    expect(await deliver(running.url, estate.webhookPath, 'not-the-secret')).not.toBe(202);
    // New work after the restore: ids keep counting (sequences restored), the engine runs again.
    const api = client(running.url, rootOf(restored));
    const versions = (await api.send(proton('ListEnvironmentTemplateVersions'), {
      templateName: 'diag',
    })) as { templateVersions: Array<{ status: string }> };
    expect(versions.templateVersions.map((v) => v.status)).toEqual(['PUBLISHED']);
    await api.send(proton('UpdateEnvironment'), {
      name: 'prod',
      deploymentType: 'CURRENT_VERSION',
      spec: 'proton: EnvironmentSpec\nspec:\n  mode: ok\n',
    });
    expect(await deployed(api, 'prod')).toBe('SUCCEEDED');
  });

  it('refuses to restore over a data dir that has a database', async () => {
    await down(running);
    running = undefined;
    const again = await runCli(['restore', file, '--data-dir', restored]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already has a database: restore into a fresh data dir');
  });

  it('rotates the master key: every secret re-encrypted, every key and secret still works', async () => {
    const before = readFileSync(join(restored, 'master.key'), 'utf8');
    const rotated = await runCli(['keys', 'rotate-master', '--data-dir', restored]);
    expect(rotated.stderr).toBe('');
    expect(rotated.stdout).toMatch(
      /^Re-encrypted 4 secrets: master key ([0-9a-f]{16}) → (?!\1)[0-9a-f]{16}\.\n$/,
    );
    const after = readFileSync(join(restored, 'master.key'), 'utf8');
    expect(after).not.toBe(before);
    expect(statSync(join(restored, 'master.key')).mode & 0o777).toBe(0o600);
    expect(existsSync(join(restored, 'master.key.next'))).toBe(false);

    running = await up(restored);
    expect(await checkEstate(running.url, restored, estate)).toEqual({
      envStatus: 'SUCCEEDED',
      sameArn: true,
      userKeyWorks: true,
      webhook: 202,
    });
  });

  it('refuses to rotate while a server holds the data dir', async () => {
    const refused = await runCli(['keys', 'rotate-master', '--data-dir', restored]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`is in use by another Nucleon (pid ${running!.child.pid}`);
  });
});
