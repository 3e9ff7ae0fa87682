import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, postgresUnavailable, requireOrSkip } from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEstate, checkEstate, down, up, type Estate, type Running } from './care-fixtures.js';
import { assertBuilt, runCli } from './run-cli.js';

describe('backup, restore and master-key rotation on PostgreSQL with NUCLEON_MASTER_KEY', async () => {
  if (!requireOrSkip(await postgresUnavailable())) return;
  const dir = mkdtempSync(join(tmpdir(), 'nucleon-care-pg-'));
  const first = join(dir, 'first');
  const second = join(dir, 'second');
  const file = join(dir, 'pg.backup');
  const key1 = randomBytes(32).toString('base64');
  let source: Awaited<ReturnType<typeof createTestDatabase>>;
  let target: Awaited<ReturnType<typeof createTestDatabase>>;
  let running: Running | undefined;
  let estate: Estate;

  beforeAll(async () => {
    assertBuilt();
    source = await createTestDatabase();
    target = await createTestDatabase();
    running = await up(first, { DATABASE_URL: source.url, NUCLEON_MASTER_KEY: key1 });
    estate = await buildEstate(running.url, first);
  });
  afterAll(async () => {
    await down(running);
    await source?.drop();
    await target?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('backs up straight from the database while the server runs, leaving the key out', async () => {
    const out = await runCli(['backup', file, '--data-dir', first], {
      DATABASE_URL: source.url,
      NUCLEON_MASTER_KEY: key1,
    });
    expect(out.stderr).toBe('');
    expect(out.stdout).toMatch(
      /^Backed up \d+ rows of \d+ tables \(read directly from the database\) to .*pg\.backup; master key [0-9a-f]{16} NOT included \(it is NUCLEON_MASTER_KEY: keep it, the restore needs it\)\./,
    );
  });

  it('restores into an empty database only with the right key', async () => {
    const withoutKey = await runCli(['restore', file, '--data-dir', second], {
      DATABASE_URL: target.url,
      NUCLEON_MASTER_KEY: '',
    });
    expect(withoutKey.code).toBe(1);
    expect(withoutKey.stderr).toMatch(
      /the backup does not hold its master key .*set NUCLEON_MASTER_KEY to that key \(fingerprint [0-9a-f]{16}\)/,
    );
    const wrongKey = await runCli(['restore', file, '--data-dir', second], {
      DATABASE_URL: target.url,
      NUCLEON_MASTER_KEY: randomBytes(32).toString('base64'),
    });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toMatch(/but the backup's secrets are sealed with [0-9a-f]{16}/);
    expect(existsSync(join(second, 'master.key'))).toBe(false);

    const restored = await runCli(['restore', file, '--data-dir', second], {
      DATABASE_URL: target.url,
      NUCLEON_MASTER_KEY: key1,
    });
    expect(restored.stderr).toBe('');
    expect(restored.stdout).toMatch(
      /^Restored \d+ rows of \d+ tables into the PostgreSQL database; 4 secrets open with master key/,
    );
    await down(running);
    running = await up(second, { DATABASE_URL: target.url, NUCLEON_MASTER_KEY: key1 });
    expect(await checkEstate(running.url, second, estate)).toEqual({
      envStatus: 'SUCCEEDED',
      sameArn: true,
      userKeyWorks: true,
      webhook: 202,
    });
    // Restoring twice into the same database is refused.
    const again = await runCli(['restore', file, '--data-dir', join(dir, 'third')], {
      DATABASE_URL: target.url,
      NUCLEON_MASTER_KEY: key1,
    });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('the target PostgreSQL database is not empty');
  });

  it('rotates a NUCLEON_MASTER_KEY: prints the new key once; with it everything works', async () => {
    await down(running);
    running = undefined;
    const rotated = await runCli(['keys', 'rotate-master', '--data-dir', second], {
      DATABASE_URL: target.url,
      NUCLEON_MASTER_KEY: key1,
    });
    expect(rotated.stderr).toBe('');
    const printed = /Set NUCLEON_MASTER_KEY=(\S+) on every server and worker/.exec(rotated.stdout);
    expect(rotated.stdout).toMatch(
      /^Re-encrypted 4 secrets: master key [0-9a-f]{16} → [0-9a-f]{16}\./,
    );
    const key2 = printed![1]!;
    expect(Buffer.from(key2, 'base64')).toHaveLength(32);
    expect(key2).not.toBe(key1);
    running = await up(second, { DATABASE_URL: target.url, NUCLEON_MASTER_KEY: key2 });
    expect(await checkEstate(running.url, second, estate)).toEqual({
      envStatus: 'SUCCEEDED',
      sameArn: true,
      userKeyWorks: true,
      webhook: 202,
    });
  });
});
