import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireOrSkip } from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  detectCommandSandbox,
  type CommandSandbox,
} from '../../src/adapters/runners/command-sandbox.js';
import { LocalCommandRunner } from '../../src/adapters/runners/local-command-runner.js';
import type { CommandOutputLine, CommandRunRequest } from '../../src/ports/command-runner.js';
import { eventually } from './helpers.js';

/** The local runner in each sandbox this machine offers, with real bwrap, setpriv and bash. */

const serverUid = process.getuid?.() ?? -1;
const PATH = '/usr/local/bin:/usr/bin:/bin';

function missing(tool: string, why: string): string | undefined {
  try {
    execFileSync(tool, ['--version'], { stdio: 'ignore' });
    return serverUid === 0 ? undefined : `${why}: the tests must run as root`;
  } catch {
    return `${why}: ${tool} is not installed`;
  }
}

/** Live (non-zombie) processes whose command line contains `needle`. */
function livePidsWith(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
      if (cmdline.includes(needle) && state !== 'Z' && state !== 'X') pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

function suite(kind: 'bwrap' | 'setpriv', reason: string | undefined): void {
  describe(`LocalCommandRunner in the ${kind} sandbox`, () => {
    const available = requireOrSkip(reason);
    let root: string;
    let workdir: string;
    let secretDir: string;
    let sandbox: CommandSandbox;
    let runner: LocalCommandRunner;

    beforeAll(async () => {
      if (!available) return;
      root = await mkdtemp(join(tmpdir(), `nucleon-${kind}-test-`));
      // As the server makes its workspace root: others may pass through, not list it.
      await chmod(root, 0o711);
      await mkdir(join(root, 'scratch'));
      workdir = join(root, 'work');
      await mkdir(workdir);
      // Stands for the data dir: private to the server's user.
      secretDir = join(root, 'data');
      await mkdir(secretDir, { mode: 0o700 });
      await writeFile(join(secretDir, 'master.key'), 'server-secret', { mode: 0o600 });
      sandbox = await detectCommandSandbox({
        policy: 'required',
        path: PATH,
        serverUid,
        ...(kind === 'setpriv' ? { bwrap: null } : {}),
      });
      runner = await LocalCommandRunner.create({
        scratchDir: join(root, 'scratch'),
        killGraceMs: 1_000,
        sandbox,
      });
    });
    afterAll(async () => {
      if (root !== undefined) await rm(root, { recursive: true, force: true });
    });

    function run(commands: string[], extra: Partial<CommandRunRequest> = {}) {
      const lines: CommandOutputLine[] = [];
      const done = runner.run({
        workdir,
        commands,
        env: { PATH },
        timeoutMs: 30_000,
        onOutput: (line) => lines.push(line),
        ...extra,
      });
      return {
        lines,
        done,
        stdout: () => lines.filter((l) => l.stream === 'stdout').map((l) => l.text),
      };
    }

    test.skipIf(!available)('is chosen and says so', () => {
      expect(sandbox.kind).toBe(kind);
      expect(sandbox.refusal).toBeUndefined();
      expect(runner.sandboxNotice).toMatch(/^commands run (in a bubblewrap sandbox )?as uid 65534/);
    });

    test.skipIf(!available)(
      'runs the commands as the unprivileged uid, writing only the workspace and its own HOME',
      async () => {
        const r = run([
          'id -u',
          'echo made > in-workspace && cat in-workspace',
          'echo "$HOME" > home-path && touch "$HOME/cache" && echo home-ok',
          'node -e "console.log(process.version.startsWith(\'v\'))"',
        ]);
        const result = await r.done;
        expect(result).toMatchObject({ outcome: 'SUCCEEDED' });
        expect(r.stdout()).toEqual(['65534', 'made', 'home-ok', 'true']);
        expect(readFileSync(join(workdir, 'in-workspace'), 'utf8')).toBe('made\n');
      },
    );

    test.skipIf(!available)(
      "cannot read the server's files or environment, nor signal it",
      async () => {
        const r = run([
          `cat ${join(secretDir, 'master.key')} || echo no-data-dir`,
          `tr '\\0' '\\n' < /proc/${process.pid}/environ || echo no-environ`,
          `kill -0 ${process.pid} || echo no-kill`,
          'touch /usr/nucleon-was-here || echo no-system-write',
        ]);
        expect((await r.done).outcome).toBe('SUCCEEDED');
        expect(r.stdout()).toEqual(['no-data-dir', 'no-environ', 'no-kill', 'no-system-write']);
        expect(existsSync('/usr/nucleon-was-here')).toBe(false);
      },
    );

    test.skipIf(!available)('cancel ends every process the commands started', async () => {
      const controller = new AbortController();
      const token = `1000.${kind === 'bwrap' ? 11 : 12}${process.pid}`;
      const r = run([`sleep ${token} & echo started`, `sleep ${token}`], {
        signal: controller.signal,
        onOutput: (line) => {
          if (line.text === 'started') controller.abort();
        },
      });
      const result = await r.done;
      expect(result.outcome).toBe('CANCELLED');
      expect(result.message).toMatch(
        /^cancelled while command\[\d\] of 2 .* was running; its process group was terminated$/,
      );
      expect(livePidsWith(`sleep ${token}`)).toEqual([]);
    });

    test.skipIf(!available)(
      'a command that ignores SIGTERM gets its grace period, then everything is killed',
      async () => {
        const token = `1000.${kind === 'bwrap' ? 21 : 22}${process.pid}`;
        const result = await run([`trap '' TERM; sleep ${token} & echo ready; sleep ${token}`], {
          timeoutMs: 500,
        }).done;
        expect(result).toMatchObject({
          outcome: 'TIMED_OUT',
          signal: 'SIGKILL',
          failedCommandIndex: 0,
        });
        expect(livePidsWith(`sleep ${token}`)).toEqual([]);
      },
    );

    test.skipIf(!available)(
      'a run does not outlive its worker: killing the worker with SIGKILL ends the sandbox',
      async () => {
        const fixture = fileURLToPath(new URL('./fixtures/run-forever.ts', import.meta.url));
        const scratch = await mkdtemp(join(tmpdir(), 'nucleon-lifeline-'));
        await chmod(scratch, 0o711);
        const worker = spawn(process.execPath, ['--import', 'tsx', fixture, scratch, kind], {
          cwd: dirname(fixture),
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        const needle = `sleep 1000.${worker.pid}`;
        try {
          await new Promise<void>((resolve, reject) => {
            worker.once('exit', () => reject(new Error('the fixture worker exited early')));
            worker.stdout?.on('data', (chunk: Buffer) => {
              if (/^group=/m.test(chunk.toString())) resolve();
            });
          });
          // Both sleepers run (the second starts just after `group=` is printed).
          expect(await eventually(() => livePidsWith(needle).length === 2, 10_000)).toBe(true);
          worker.kill('SIGKILL');
          expect(await eventually(() => livePidsWith(needle).length === 0, 10_000)).toBe(true);
        } finally {
          for (const pid of livePidsWith(needle)) process.kill(pid, 'SIGKILL');
          await rm(scratch, { recursive: true, force: true });
        }
      },
    );

    if (kind === 'bwrap') {
      test.skipIf(!available)(
        'sees only its own processes, a private /tmp and no other workspace',
        async () => {
          await writeFile(join(tmpdir(), `nucleon-host-tmp-${process.pid}`), 'host');
          const r = run([
            'ls /proc | grep -cE "^[0-9]+$"',
            `test -e /tmp/nucleon-host-tmp-${process.pid} && echo host-tmp || echo private-tmp`,
            `ls ${root}`,
            'curl --version >/dev/null 2>&1; getent hosts localhost >/dev/null && echo network-config',
          ]);
          const result = await r.done;
          await rm(join(tmpdir(), `nucleon-host-tmp-${process.pid}`), { force: true });
          expect(result.outcome).toBe('SUCCEEDED');
          const [count, tmp, ...rest] = r.stdout();
          expect(Number(count)).toBeLessThan(10);
          expect(tmp).toBe('private-tmp');
          // The workspace's parent holds the workspace alone (and the run's own folder, if there).
          expect(rest.slice(0, -1)).toEqual(expect.arrayContaining(['work']));
          expect(rest.slice(0, -1)).not.toContain('data');
          expect(rest.at(-1)).toBe('network-config');
        },
      );
    }
  });
}

suite('bwrap', missing('bwrap', 'the bubblewrap sandbox'));
suite('setpriv', missing('setpriv', 'the setpriv fallback'));

describe('the command sandbox when none is available', () => {
  test('auto runs the commands anyway, with a warning for the logs', async () => {
    const sandbox = await detectCommandSandbox({
      policy: 'auto',
      path: PATH,
      serverUid,
      bwrap: null,
      setpriv: null,
    });
    expect(sandbox.kind).toBe('none');
    expect(sandbox.refusal).toBeUndefined();
    expect(sandbox.notice).toMatch(
      /^WARNING: template commands run WITHOUT a sandbox, as the server's own user \(uid \d+\)/,
    );
    expect(sandbox.notice).toContain('bubblewrap (bwrap) is not installed');
  });

  test('required refuses to run them: the run fails with a message that says what to install', async () => {
    const sandbox = await detectCommandSandbox({
      policy: 'required',
      path: PATH,
      serverUid,
      bwrap: null,
      setpriv: null,
    });
    const work = await mkdtemp(join(tmpdir(), 'nucleon-required-'));
    try {
      const runner = await LocalCommandRunner.create({ sandbox });
      const result = await runner.run({
        workdir: work,
        commands: ['touch ran'],
        env: {},
        timeoutMs: 10_000,
        onOutput: () => undefined,
      });
      expect(result).toMatchObject({ outcome: 'FAILED', exitCode: null });
      expect(result.message).toMatch(
        /^not run: NUCLEON_RUNNER_SANDBOX=required and no command sandbox is available on this machine \(.*\); install bubblewrap/,
      );
      expect(existsSync(join(work, 'ran'))).toBe(false);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });

  test('off never sandboxes, even where bubblewrap works, and warns', async () => {
    const sandbox = await detectCommandSandbox({ policy: 'off', path: PATH, serverUid });
    expect(sandbox.kind).toBe('none');
    expect(sandbox.notice).toContain('NUCLEON_RUNNER_SANDBOX=off');
  });
});
