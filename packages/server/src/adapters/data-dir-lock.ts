import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** Thrown when another live Nucleon process holds the data dir. */
export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `the data dir ${dataDir} is in use by another Nucleon (pid ${holder.pid} on ${holder.hostname}, ` +
        `started ${holder.startedAt}). Stop that process first, or start this one with --data-dir <another dir>.`,
    );
    this.name = 'DataDirLockedError';
  }
}

interface LockHolder {
  pid: number;
  hostname: string;
  startedAt: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * An exclusive lock on a data dir, taken with O_EXCL before PGlite opens it: two processes on
 * one PGlite dir silently lose committed data (stack-findings §1). A lock left by a dead process
 * on this host is taken over; a live holder makes this call fail at once, naming the holder.
 */
export class DataDirLock {
  private constructor(private readonly path: string) {}

  static acquire(dataDir: string): DataDirLock {
    mkdirSync(dataDir, { recursive: true });
    const path = join(dataDir, 'nucleon.lock');
    const me: LockHolder = {
      pid: process.pid,
      hostname: hostname(),
      startedAt: new Date().toISOString(),
    };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx', 0o600);
        writeSync(fd, JSON.stringify(me));
        closeSync(fd);
        return new DataDirLock(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const holder = readHolder(path);
        if (holder && (holder.hostname !== me.hostname || alive(holder.pid))) {
          throw new DataDirLockedError(dataDir, holder);
        }
        unlinkSync(path); // stale: its process is gone
      }
    }
    throw new Error(`could not lock ${dataDir}`);
  }

  release(): void {
    try {
      unlinkSync(this.path);
    } catch {
      // already gone
    }
  }
}

function readHolder(path: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid === 'number') {
      return {
        pid: parsed.pid,
        hostname: parsed.hostname ?? 'unknown',
        startedAt: parsed.startedAt ?? 'unknown',
      };
    }
  } catch {
    // unreadable or half-written lock: treat as stale
  }
  return undefined;
}
