import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import type { CommandOutputLine } from '../../ports/command-runner.js';
import { LineSplitter } from './line-splitter.js';

/**
 * Spawning of one child in its own process group, shared by every adapter that runs a CLI
 * (the local command runner, the Terraform executor). Templates start background jobs and
 * tools fork helpers; killing only the direct child would leave them running, so timeouts and
 * cancels always hit the whole group: SIGTERM first, SIGKILL after a grace period.
 */
export interface ProcessGroupSpec {
  file: string;
  args: readonly string[];
  cwd: string;
  /** The complete environment; nothing is inherited from this process. */
  env: Readonly<Record<string, string>>;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Time between the stop signal and SIGKILL. */
  killGraceMs: number;
  /**
   * The polite signal for timeout and cancel; default SIGTERM. Terraform wants SIGINT: it is
   * what Ctrl-C sends, Terraform then stops gracefully and saves state, and its provider
   * plugins ignore SIGINT (they would die on SIGTERM mid-operation).
   */
  stopSignal?: 'SIGTERM' | 'SIGINT';
  /**
   * Gives the child a "lifeline" on fd 3: a socket whose other end only this process holds.
   * It reads EOF when this process dies, even by SIGKILL, so the child can end its group
   * instead of living on as an orphan (detached groups get no SIGHUP).
   */
  lifeline?: boolean;
  maxLineBytes: number;
  onLine(line: CommandOutputLine): void;
}

/** How the child ended: by itself, or stopped by us. */
export type ProcessEnding = 'EXITED' | 'TIMED_OUT' | 'CANCELLED' | 'SPAWN_FAILED';

export interface ProcessGroupResult {
  ending: ProcessEnding;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The child's pid, which is also its process-group id. */
  pid?: number;
  /** Set when `ending` is SPAWN_FAILED. */
  error?: Error;
  durationMs: number;
}

/** setTimeout's ceiling; longer timeouts would fire at once. */
const MAX_TIMER_MS = 2_147_483_647;
/** How long to wait for pipes to close once the group is gone (an escaped daemon may hold them). */
const STREAM_DRAIN_MS = 2_000;
const POLL_MS = 50;

/**
 * Runs `file args` detached (its own session and process group, no stdin) and resolves when it
 * has exited, everything left in its group has been terminated, and its output has been
 * delivered. Never rejects: a spawn failure is reported as `SPAWN_FAILED`.
 */
export async function runProcessGroup(spec: ProcessGroupSpec): Promise<ProcessGroupResult> {
  const started = Date.now();
  const elapsed = (): number => Date.now() - started;
  if (spec.signal?.aborted) {
    return { ending: 'CANCELLED', exitCode: null, signal: null, durationMs: 0 };
  }
  let child: ChildProcess;
  try {
    child = spawn(spec.file, [...spec.args], {
      cwd: spec.cwd,
      env: { ...spec.env },
      detached: true,
      stdio:
        spec.lifeline === true ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    return spawnFailed(error, elapsed());
  }
  const exited = waitForExit(child);
  const streams = [pump(child.stdout, 'stdout', spec), pump(child.stderr, 'stderr', spec)];
  const pid = child.pid;
  let stopped: 'TIMED_OUT' | 'CANCELLED' | undefined;
  let termination: Promise<void> | undefined;
  const stop = (reason: 'TIMED_OUT' | 'CANCELLED'): void => {
    if (stopped !== undefined || pid === undefined) return;
    stopped = reason;
    termination = terminateProcessGroup(pid, spec.killGraceMs, spec.stopSignal);
  };
  const timer = setTimeout(
    () => stop('TIMED_OUT'),
    Math.min(Math.max(spec.timeoutMs, 1), MAX_TIMER_MS),
  );
  const onAbort = (): void => stop('CANCELLED');
  spec.signal?.addEventListener('abort', onAbort, { once: true });
  const exit = await exited;
  clearTimeout(timer);
  spec.signal?.removeEventListener('abort', onAbort);
  if ('error' in exit) {
    streams.forEach((stream) => stream.finish());
    child.stdio[3]?.destroy();
    return spawnFailed(exit.error, elapsed());
  }
  // Leftovers (background jobs) are cleaned up after a normal exit too, as CodeBuild does when
  // the build container goes away.
  await (termination ?? terminateProcessGroup(exit.pid, spec.killGraceMs, spec.stopSignal));
  await Promise.race([Promise.all(streams.map((stream) => stream.done)), delay(STREAM_DRAIN_MS)]);
  streams.forEach((stream) => stream.finish());
  child.stdio[3]?.destroy();
  return {
    ending: stopped ?? 'EXITED',
    exitCode: exit.code,
    signal: exit.signal,
    pid: exit.pid,
    durationMs: elapsed(),
  };
}

function spawnFailed(error: unknown, durationMs: number): ProcessGroupResult {
  const cause = error instanceof Error ? error : new Error(String(error));
  return { ending: 'SPAWN_FAILED', exitCode: null, signal: null, error: cause, durationMs };
}

type ExitInfo =
  { code: number | null; signal: NodeJS.Signals | null; pid: number } | { error: Error };

function waitForExit(child: ChildProcess): Promise<ExitInfo> {
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      if (child.pid !== undefined) resolve({ code, signal, pid: child.pid });
    });
    // After a successful spawn, 'error' only reports failed kill() calls; ignore those.
    child.once('error', (error) => {
      if (child.pid === undefined) resolve({ error });
    });
  });
}

interface Pump {
  done: Promise<void>;
  /** Stops reading (if the pipe is still open) and flushes the partial last line. */
  finish(): void;
}

function pump(stream: Readable | null, name: 'stdout' | 'stderr', spec: ProcessGroupSpec): Pump {
  if (stream === null) return { done: Promise.resolve(), finish: () => undefined };
  const splitter = new LineSplitter(spec.maxLineBytes, (text) => {
    try {
      spec.onLine({ stream: name, text, at: new Date() });
    } catch {
      // A failing listener must not crash the process from inside a stream event; the run
      // itself goes on and its outcome is still reported.
    }
  });
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    splitter.end();
  };
  stream.on('data', (chunk: Buffer) => {
    if (!ended) splitter.push(chunk);
  });
  stream.once('end', end);
  const done = new Promise<void>((resolve) => {
    stream.once('close', resolve);
    stream.once('error', resolve);
  });
  return {
    done,
    finish: () => {
      stream.destroy();
      end();
    },
  };
}

/**
 * Ends every process in group `pgid`: `signal` (plus SIGCONT, so stopped processes can act on
 * it), then SIGKILL if any member is still alive after `graceMs`. Resolves once the group is
 * empty or SIGKILL has been sent (SIGKILL cannot be caught, so nothing survives it).
 */
export async function terminateProcessGroup(
  pgid: number,
  graceMs: number,
  signal: 'SIGTERM' | 'SIGINT' = 'SIGTERM',
): Promise<void> {
  if (!isProcessGroupAlive(pgid)) return;
  signalGroup(pgid, signal);
  signalGroup(pgid, 'SIGCONT');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await delay(Math.min(POLL_MS, Math.max(deadline - Date.now(), 1)));
    if (!isProcessGroupAlive(pgid)) return;
  }
  signalGroup(pgid, 'SIGKILL');
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/**
 * True while group `pgid` has a live member. `kill(-pgid, 0)` alone also counts zombies, which
 * linger until an init process reaps them (seconds on some container inits, forever on none),
 * so on Linux a positive answer is confirmed by looking for a non-zombie member in /proc.
 */
export function isProcessGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return process.platform === 'linux' ? hasLiveMemberInProc(pgid) : true;
}

function hasLiveMemberInProc(pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // "pid (comm) state ppid pgrp ...": comm may contain spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = fields[0];
    if (Number(fields[2]) === pgid && state !== 'Z' && state !== 'X') return true;
  }
  return false;
}
