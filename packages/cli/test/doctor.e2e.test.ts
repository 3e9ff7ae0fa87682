import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { down, up, type Running } from './care-fixtures.js';
import { assertBuilt, runCli } from './run-cli.js';

/** `status name` of each line of the report. */
const statuses = (report: string) =>
  Object.fromEntries(
    report
      .split('\n')
      .map((l) => /^ {2}(ok|warn|FAIL) +(\S+(?: cli| dir)?) /.exec(l))
      .filter((m) => m !== null)
      .map((m) => [m[2]!, m[1]!]),
  );

describe('nucleon doctor', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nucleon-doctor-'));
  const dataDir = join(dir, 'data');
  let running: Running | undefined;

  beforeAll(async () => {
    assertBuilt();
    running = await up(dataDir);
  });
  afterAll(async () => {
    await down(running);
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves an embedded database a server holds to that server', async () => {
    const out = await runCli(['doctor', '--data-dir', dataDir]);
    expect(out.stdout).toContain(
      `ok    database   the embedded database is held by a running Nucleon (pid ${running!.child.pid}); its own checks: GET /readyz`,
    );
    expect(out.code).toBe(0);
  });

  it('finds a healthy installation healthy', async () => {
    await down(running);
    running = undefined;
    const out = await runCli(['doctor', '--data-dir', dataDir]);
    expect(out.stderr).toBe('');
    const found = statuses(out.stdout);
    expect(found).toMatchObject({
      versions: 'ok',
      'data dir': 'ok',
      database: 'ok',
      migrations: 'ok',
      secrets: 'ok',
      sandbox: 'ok',
      runner: 'ok',
      git: 'ok',
    });
    expect(out.stdout).toMatch(/secrets +1 sealed secrets open with master key [0-9a-f]{16}/);
    expect(out.stdout).toMatch(/migrations +all \d+ applied/);
    expect(out.stdout).toMatch(/^Everything needed is in order/m);
    expect(out.code).toBe(0);
  });

  it('says what to fix on a broken one: permissions, sandbox, git, the master key', async () => {
    // A PATH whose bwrap and setpriv fail (as they do without user namespaces), and no git.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    for (const tool of ['bwrap', 'setpriv'])
      writeFileSync(
        join(bin, tool),
        `#!/bin/sh\necho "${tool}: No permissions to create new namespace" >&2\nexit 1\n`,
        { mode: 0o755 },
      );
    chmodSync(dataDir, 0o755);
    try {
      const out = await runCli(['doctor', '--data-dir', dataDir], {
        PATH: bin,
        NUCLEON_RUNNER_SANDBOX: 'required',
        NUCLEON_MASTER_KEY: randomBytes(32).toString('base64'),
      });
      expect(out.code).toBe(1);
      expect(statuses(out.stdout)).toMatchObject({
        'data dir': 'FAIL',
        database: 'ok',
        secrets: 'FAIL',
        sandbox: 'FAIL',
        git: 'FAIL',
      });
      expect(out.stdout).toContain(`fix: chmod 700 ${dataDir}`);
      expect(out.stdout).toMatch(
        /sandbox .*NUCLEON_RUNNER_SANDBOX=required but no sandbox is available \(bubblewrap \(.*\/bin\/bwrap\) does not work here/,
      );
      expect(out.stdout).toContain('fix: install bubblewrap (apt-get install bubblewrap)');
      expect(out.stdout).toContain('fix: install git (apt-get install git) or put it on PATH');
      expect(out.stdout).toMatch(/secrets +1 of 1 secrets do not open with master key/);
      expect(out.stdout).toMatch(/^4 problems to fix/m);
    } finally {
      chmodSync(dataDir, 0o700);
    }
  });
});
