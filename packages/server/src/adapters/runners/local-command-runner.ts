import { execFile } from 'node:child_process';
import {
  chown,
  lchown,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type {
  CommandRunRequest,
  CommandRunResult,
  CommandRunner,
} from '../../ports/command-runner.js';
import type { CommandSandbox } from './command-sandbox.js';
import { runProcessGroup, type ProcessGroupResult } from './process-group.js';

/** Options of {@link LocalCommandRunner.create}. Everything has a safe default. */
export interface LocalCommandRunnerOptions {
  /**
   * Parent of the private per-run folders that hold the driver script and the command list.
   * Defaults to the OS temp dir. It is deliberately outside `workdir`, so templates that zip,
   * upload or `terraform`-scan their workdir never see Nucleon's files, and cannot edit them.
   */
  scratchDir?: string;
  /** The bash to run; default `bash`, looked up on the run's PATH. Needs bash ≥ 3.2. */
  bashPath?: string;
  /** Time between SIGTERM and SIGKILL on timeout or cancel. Default 5 s. */
  killGraceMs?: number;
  /** Longer output lines are cut and marked. Default 64 KiB. */
  maxLineBytes?: number;
  /** PATH used when the request's environment has none. */
  defaultPath?: string;
  /** How commands are isolated (see detectCommandSandbox). Default: not at all. */
  sandbox?: CommandSandbox;
}

const NO_SANDBOX: CommandSandbox = {
  kind: 'none',
  notice: 'commands run without a sandbox',
  wrap: (run) => ({ file: run.file, args: [...run.args] }),
};

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The constant driver script. Commands arrive as data (a NUL-separated file) and only each
 * command's own text is ever evaluated, so inputs, names and paths never become shell text.
 * All commands share one shell (`cd` and `export` carry over, as in CodeBuild); each exit
 * status is checked and the first failure ends the run with that status. The status file
 * records which command was running, so even `exit` or `set -e` inside a command is attributed.
 */
const DRIVER_SCRIPT = `# Nucleon command driver (generated; constant text)
# Lifeline: fd 3 reads EOF only when the Nucleon worker dies; then the whole group is ended.
# Started via a subshell so it is no job of this shell (a command's bare \`wait\` ignores it).
if { : <&3; } 2>/dev/null; then
  ( ( IFS= read -r -u 3 __nucleon_x; builtin kill -TERM -- -$$ ) </dev/null >/dev/null 2>&1 & )
  exec 3<&-
fi
__nucleon_status=$2
__nucleon_cmds=()
while IFS= read -r -d '' __nucleon_cmd; do
  __nucleon_cmds+=("$__nucleon_cmd")
done < "$1"
unset __nucleon_cmd
set --
__nucleon_i=0
while [ "$__nucleon_i" -lt "\${#__nucleon_cmds[@]}" ]; do
  builtin printf 'started %s\\n' "$__nucleon_i" >| "$__nucleon_status"
  eval "\${__nucleon_cmds[$__nucleon_i]}"
  __nucleon_rc=$?
  if [ "$__nucleon_rc" -ne 0 ]; then
    builtin exit "$__nucleon_rc"
  fi
  __nucleon_i=$((__nucleon_i + 1))
done
builtin printf 'done\\n' >| "$__nucleon_status"
builtin exit 0
`;

/**
 * Runs a deployment's CodeBuild-style commands with bash on this machine, each run in its own
 * process group so a timeout or cancel terminates everything the commands started, and with
 * a lifeline so the group also ends when the worker process itself dies (even by SIGKILL).
 * At-most-once: nothing is retried here, and a crash mid-run leaves whatever the commands did.
 */
export class LocalCommandRunner implements CommandRunner {
  readonly kind = 'local';
  readonly remote = false;

  private constructor(
    private readonly scratchDir: string,
    private readonly bashPath: string,
    private readonly killGraceMs: number,
    private readonly maxLineBytes: number,
    private readonly defaultPath: string,
    private readonly sandbox: CommandSandbox,
  ) {}

  /** How commands are isolated, in one line for the deployment log. */
  get sandboxNotice(): string {
    return this.sandbox.notice;
  }

  /** Checks that bash can be started and the scratch dir exists, so misconfiguration fails at boot. */
  static async create(options: LocalCommandRunnerOptions = {}): Promise<LocalCommandRunner> {
    const scratchDir = options.scratchDir ?? tmpdir();
    const bashPath = options.bashPath ?? 'bash';
    const defaultPath = options.defaultPath ?? DEFAULT_PATH;
    const info = await stat(scratchDir).catch(() => undefined);
    if (!info?.isDirectory()) {
      throw new Error(`LocalCommandRunner: scratch dir ${scratchDir} is not a directory`);
    }
    try {
      await promisify(execFile)(bashPath, ['-c', 'builtin printf %s "$BASH_VERSION"'], {
        env: { PATH: defaultPath },
        timeout: 10_000,
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(
        `LocalCommandRunner: cannot run ${bashPath} (${reason}); install bash or set bashPath`,
      );
    }
    return new LocalCommandRunner(
      scratchDir,
      bashPath,
      options.killGraceMs ?? 5_000,
      options.maxLineBytes ?? 64 * 1024,
      defaultPath,
      options.sandbox ?? NO_SANDBOX,
    );
  }

  async run(request: CommandRunRequest): Promise<CommandRunResult> {
    const started = Date.now();
    const early = await this.precheck(request);
    if (early !== undefined) return { ...early, durationMs: Date.now() - started };
    if (this.sandbox.refusal !== undefined) {
      return {
        outcome: 'FAILED',
        exitCode: null,
        signal: null,
        message: this.sandbox.refusal,
        durationMs: Date.now() - started,
      };
    }
    const runDir = await mkdtemp(join(this.scratchDir, 'nucleon-run-'));
    try {
      // What the commands may write (their HOME, the status file) is apart from the driver files.
      const rwDir = join(runDir, 'rw');
      await mkdir(rwDir, { mode: 0o700 });
      const driver = join(runDir, 'driver.sh');
      const commandsFile = join(runDir, 'commands.nul');
      const statusFile = join(rwDir, 'status');
      await writeFile(driver, DRIVER_SCRIPT, { mode: 0o600 });
      await writeFile(commandsFile, request.commands.map((c) => `${c}\0`).join(''), {
        mode: 0o600,
      });
      const env = await this.environment(request.env, rwDir);
      const owner = this.sandbox.owner;
      if (owner !== undefined) {
        await chownTree(runDir, owner.uid, owner.gid);
        await chownTree(request.workdir, owner.uid, owner.gid);
      }
      const command = this.sandbox.wrap({
        file: this.bashPath,
        args: ['--noprofile', '--norc', driver, commandsFile, statusFile],
        workdir: request.workdir,
        runDir,
        rwDir,
      });
      const result = await runProcessGroup({
        ...command,
        cwd: request.workdir,
        env,
        timeoutMs: request.timeoutMs,
        signal: request.signal,
        killGraceMs: this.killGraceMs,
        // In a PID namespace the group is invisible from inside; bwrap's --die-with-parent ends it.
        lifeline: this.sandbox.kind !== 'bwrap',
        maxLineBytes: this.maxLineBytes,
        onLine: (line) => request.onOutput(line),
      });
      const status = await readFile(statusFile, 'utf8').catch(() => '');
      return describeRun(request, result, parseStatus(status), this.bashPath);
    } finally {
      await rm(runDir, { recursive: true, force: true });
    }
  }

  /** Answers requests that must not start a shell at all. */
  private async precheck(
    request: CommandRunRequest,
  ): Promise<Omit<CommandRunResult, 'durationMs'> | undefined> {
    if (!Number.isFinite(request.timeoutMs) || request.timeoutMs <= 0) {
      throw new RangeError(`timeoutMs must be a positive number, got ${request.timeoutMs}`);
    }
    const none = { exitCode: null, signal: null };
    if (request.signal?.aborted) {
      return { ...none, outcome: 'CANCELLED', message: 'cancelled before any command started' };
    }
    const bad = request.commands.findIndex((command) => command.includes('\0'));
    if (bad !== -1) {
      return {
        ...none,
        outcome: 'FAILED',
        failedCommandIndex: bad,
        message: `command[${bad}] contains a NUL byte`,
      };
    }
    const info = await stat(request.workdir).catch(() => undefined);
    if (!info?.isDirectory()) {
      return {
        ...none,
        outcome: 'FAILED',
        message: `workdir ${request.workdir} is not a directory`,
      };
    }
    if (request.commands.length === 0) {
      return { outcome: 'SUCCEEDED', exitCode: 0, signal: null, message: 'no commands to run' };
    }
    return undefined;
  }

  private async environment(
    given: Readonly<Record<string, string>>,
    rwDir: string,
  ): Promise<Record<string, string>> {
    const env: Record<string, string> = { ...given };
    env.PATH ??= this.defaultPath;
    env.LANG ??= 'C.UTF-8';
    // Sandboxed commands cannot reach the server's HOME: they always get their own.
    if (env.HOME === undefined || this.sandbox.kind !== 'none') {
      // A private, empty HOME: tools that write caches or credentials there never touch ours.
      env.HOME = join(rwDir, 'home');
      await mkdir(env.HOME, { mode: 0o700 });
    }
    return env;
  }
}

/** Hands a folder and everything in it (links themselves, never their targets) to `uid`. */
async function chownTree(path: string, uid: number, gid: number): Promise<void> {
  await chown(path, uid, gid);
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) await chownTree(child, uid, gid);
    else await lchown(child, uid, gid);
  }
}

type RunStatus = { kind: 'done' } | { kind: 'started'; index: number } | { kind: 'unknown' };

function parseStatus(text: string): RunStatus {
  const line = text.trim();
  if (line === 'done') return { kind: 'done' };
  const match = /^started (\d+)$/.exec(line);
  return match?.[1] !== undefined
    ? { kind: 'started', index: Number(match[1]) }
    : { kind: 'unknown' };
}

function describeRun(
  request: CommandRunRequest,
  result: ProcessGroupResult,
  status: RunStatus,
  bashPath: string,
): CommandRunResult {
  const base = { exitCode: result.exitCode, signal: result.signal, durationMs: result.durationMs };
  const total = request.commands.length;
  const index = status.kind === 'started' ? status.index : undefined;
  const at = index === undefined ? undefined : { failedCommandIndex: index };
  const which =
    index === undefined
      ? 'the shell'
      : `command[${index}] of ${total} (${preview(request.commands[index])})`;
  switch (result.ending) {
    case 'SPAWN_FAILED':
      return {
        ...base,
        outcome: 'FAILED',
        message: `could not start ${bashPath}: ${result.error?.message ?? 'unknown error'}`,
      };
    case 'CANCELLED':
      return {
        ...base,
        ...at,
        outcome: 'CANCELLED',
        message: `cancelled while ${which} was running; its process group was terminated`,
      };
    case 'TIMED_OUT':
      return {
        ...base,
        ...at,
        outcome: 'TIMED_OUT',
        message: `timed out after ${request.timeoutMs} ms while ${which} was running; its process group was terminated`,
      };
    case 'EXITED':
      break;
  }
  if (result.exitCode === 0) {
    // Status 0 is success even when a command ended the shell early with `exit 0`.
    const message =
      status.kind === 'done'
        ? `all ${total} commands succeeded`
        : `${which} exited the shell with status 0; later commands did not run`;
    return { ...base, outcome: 'SUCCEEDED', message };
  }
  const how =
    result.exitCode === null
      ? `was killed by ${result.signal ?? 'a signal'}`
      : `failed with exit status ${result.exitCode}`;
  return { ...base, ...at, outcome: 'FAILED', message: `${which} ${how}` };
}

function preview(command: string | undefined): string {
  const firstLine = (command ?? '').trim().split('\n', 1)[0] ?? '';
  const cut = firstLine.length > 80 ? `${firstLine.slice(0, 80)}…` : firstLine;
  return JSON.stringify(cut);
}
