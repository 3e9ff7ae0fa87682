import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirLock, DataDirLockedError } from '../src/adapters/data-dir-lock.js';

describe('the data dir lock', () => {
  it('refuses a second holder while the first lives, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nucleon-lock-'));
    const first = DataDirLock.acquire(dir);
    try {
      expect(() => DataDirLock.acquire(dir)).toThrow(DataDirLockedError);
      expect(() => DataDirLock.acquire(dir)).toThrow(new RegExp(`pid ${process.pid}`));
    } finally {
      first.release();
    }
    DataDirLock.acquire(dir).release();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes over a lock left by a process that died', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nucleon-lock-'));
    const child = spawn(process.execPath, ['-e', '0']);
    const deadPid = await new Promise<number>((resolve) =>
      child.on('exit', () => resolve(child.pid!)),
    );
    writeFileSync(
      join(dir, 'nucleon.lock'),
      JSON.stringify({ pid: deadPid, hostname: hostname(), startedAt: 'earlier' }),
    );
    const lock = DataDirLock.acquire(dir);
    expect(
      (JSON.parse(readFileSync(join(dir, 'nucleon.lock'), 'utf8')) as { pid: number }).pid,
    ).toBe(process.pid);
    lock.release();
    rmSync(dir, { recursive: true, force: true });
  });
});
