import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LocalCommandRunner } from '../../src/adapters/runners/local-command-runner.js';
import { isProcessGroupAlive } from '../../src/adapters/runners/process-group.js';
import { readProtonOutputsFile } from '../../src/adapters/runners/proton-outputs-file.js';
import type { CommandOutputLine, CommandRunRequest } from '../../src/ports/command-runner.js';
import { eventually, processState } from './helpers.js';

/** LocalCommandRunner with real bash processes. */

describe('LocalCommandRunner', () => {
  let root: string;
  let scratch: string;
  let workdir: string;
  let runner: LocalCommandRunner;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'nucleon-runner-test-'));
    scratch = join(root, 'scratch');
    workdir = join(root, 'work');
    await import('node:fs/promises').then(async (fs) => {
      await fs.mkdir(scratch);
      await fs.mkdir(workdir);
    });
    runner = await LocalCommandRunner.create({ scratchDir: scratch, killGraceMs: 2_000 });
  });

  afterAll(async () => {
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  function run(commands: string[], extra: Partial<CommandRunRequest> = {}) {
    const lines: CommandOutputLine[] = [];
    const done = runner.run({
      workdir,
      commands,
      env: {},
      timeoutMs: 20_000,
      onOutput: (line) => lines.push(line),
      ...extra,
    });
    return { lines, done };
  }

  const text = (lines: CommandOutputLine[], stream: 'stdout' | 'stderr' = 'stdout') =>
    lines.filter((l) => l.stream === stream).map((l) => l.text);

  test('runs all commands in one shell, so cd and export carry over, and streams both outputs', async () => {
    const { lines, done } = run([
      'mkdir -p sub && cd sub',
      'export STAGE=two',
      'echo "in $(basename "$PWD") at $STAGE"',
      'echo warning >&2',
      'printf "no newline at the end"',
    ]);
    const result = await done;

    expect(result).toMatchObject({
      outcome: 'SUCCEEDED',
      exitCode: 0,
      signal: null,
      message: 'all 5 commands succeeded',
    });
    expect(text(lines)).toEqual(['in sub at two', 'no newline at the end']);
    expect(text(lines, 'stderr')).toEqual(['warning']);
    expect(lines.every((l) => l.at instanceof Date)).toBe(true);
  });

  test('stops at the first failing command and names it with its exit status', async () => {
    const { lines, done } = run(['echo one', 'test -f missing-file', 'echo never']);
    const result = await done;

    expect(result).toMatchObject({ outcome: 'FAILED', exitCode: 1, failedCommandIndex: 1 });
    expect(result.message).toBe(
      'command[1] of 3 ("test -f missing-file") failed with exit status 1',
    );
    expect(text(lines)).toEqual(['one']);
  });

  test('attributes an exit inside a command to that command', async () => {
    const result = await run(['true', 'set -e', 'false; echo unreachable', 'echo never']).done;

    expect(result).toMatchObject({ outcome: 'FAILED', exitCode: 1, failedCommandIndex: 2 });
    const early = await run(['echo a', 'exit 0', 'echo never']).done;
    expect(early).toMatchObject({ outcome: 'SUCCEEDED', exitCode: 0 });
    expect(early.message).toBe(
      'command[1] of 3 ("exit 0") exited the shell with status 0; later commands did not run',
    );
  });

  test('passes exactly the given environment, plus safe PATH, HOME and LANG when absent', async () => {
    const { lines, done } = run(['env'], {
      env: { RESOURCE_ARN: 'arn:aws:proton:::environment/dev' },
    });
    await done;
    const env = Object.fromEntries(
      text(lines).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );

    expect(env.RESOURCE_ARN).toBe('arn:aws:proton:::environment/dev');
    expect(env.PATH).toBe('/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
    expect(env.LANG).toBe('C.UTF-8');
    expect(env.HOME).toMatch(new RegExp(`^${scratch}/nucleon-run-[^/]+/rw/home$`));
    expect(Object.keys(env).sort()).toEqual([
      'HOME',
      'LANG',
      'PATH',
      'PWD',
      'RESOURCE_ARN',
      'SHLVL',
      '_',
    ]);
  });

  test('treats values as data: inputs with shell syntax are never executed', async () => {
    const hostile = '$(touch pwned) `touch pwned2`; touch pwned3 "\' \\';
    const { lines, done } = run(['printf "%s\\n" "$NAME"', 'ls'], { env: { NAME: hostile } });
    const result = await done;

    expect(result.outcome).toBe('SUCCEEDED');
    expect(text(lines)).toEqual([hostile, 'sub']);
  });

  test('keeps its driver files outside the workdir and removes them afterwards', async () => {
    const { lines, done } = run(['ls -A']);
    await done;

    expect(text(lines)).toEqual(['sub']);
    expect(await readdir(scratch)).toEqual([]);
  });

  test('cancel terminates the whole process group, background children included', async () => {
    const controller = new AbortController();
    const pids: Record<string, number> = {};
    const { done } = run(['sleep 1000 & echo "child=$!"', 'echo "group=$$"; sleep 1000'], {
      signal: controller.signal,
      onOutput: (line) => {
        const match = /^(child|group)=(\d+)$/.exec(line.text);
        if (match?.[1] !== undefined) pids[match[1]] = Number(match[2]);
        if (pids.child !== undefined && pids.group !== undefined) controller.abort();
      },
    });
    const result = await done;
    const group = pids.group ?? 0;

    expect(result).toMatchObject({
      outcome: 'CANCELLED',
      exitCode: null,
      signal: 'SIGTERM',
      failedCommandIndex: 1,
    });
    expect(result.message).toMatch(
      /^cancelled while command\[1\] of 2 .* was running; its process group was terminated$/,
    );
    // Nothing of the group is alive once run() resolves (zombies may wait for init to reap them)…
    expect(isProcessGroupAlive(group)).toBe(false);
    expect(['Z', undefined]).toContain(processState(pids.child ?? 0));
    // …and once they are reaped, kill(-pgid, 0) finds no process at all.
    const gone = await eventually(() => {
      try {
        process.kill(-group, 0);
        return false;
      } catch (error) {
        return (error as NodeJS.ErrnoException).code === 'ESRCH';
      }
    }, 10_000);
    expect(gone).toBe(true);
  });

  test('a command that ignores SIGTERM is killed with SIGKILL after the grace period, as a timeout', async () => {
    const quick = await LocalCommandRunner.create({ scratchDir: scratch, killGraceMs: 300 });
    const started = Date.now();
    const result = await quick.run({
      workdir,
      commands: ["trap '' TERM; echo ready; sleep 1000"],
      env: {},
      timeoutMs: 300,
      onOutput: () => undefined,
    });

    expect(result).toMatchObject({
      outcome: 'TIMED_OUT',
      signal: 'SIGKILL',
      failedCommandIndex: 0,
    });
    expect(result.message).toMatch(/^timed out after 300 ms while command\[0\]/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test('background processes left behind by a successful run are cleaned up', async () => {
    const { lines, done } = run(['sleep 1000 & echo "child=$!"']);
    const result = await done;
    const child = Number(text(lines)[0]?.split('=')[1]);

    expect(result.outcome).toBe('SUCCEEDED');
    expect(['Z', undefined]).toContain(processState(child));
  });

  test('caps a huge single line and streams large output without holding it', async () => {
    const { lines, done } = run(['head -c 200000 /dev/zero | tr "\\0" x; echo', 'seq 1 20000']);
    const result = await done;

    expect(result.outcome).toBe('SUCCEEDED');
    const [huge, ...numbers] = text(lines);
    expect(huge).toBe(
      `${'x'.repeat(65536)} …[line truncated: ${200000 - 65536} more bytes dropped]`,
    );
    expect(numbers).toHaveLength(20000);
    expect(numbers.at(-1)).toBe('20000');
  });

  test('answers without starting a shell when already cancelled or the workdir is missing', async () => {
    const controller = new AbortController();
    controller.abort();
    expect(await run(['echo hi'], { signal: controller.signal }).done).toMatchObject({
      outcome: 'CANCELLED',
      exitCode: null,
    });
    expect(await run(['echo hi'], { workdir: join(root, 'nope') }).done).toMatchObject({
      outcome: 'FAILED',
      message: `workdir ${join(root, 'nope')} is not a directory`,
    });
    expect(await run([]).done).toMatchObject({
      outcome: 'SUCCEEDED',
      message: 'no commands to run',
    });
  });

  test('a command can leave proton-outputs.json for readProtonOutputsFile', async () => {
    const out = join(root, 'outputs');
    await import('node:fs/promises').then((fs) => fs.mkdir(out));
    const result = await run(
      [
        `cat > proton-outputs.json <<'EOF'\n[{"key": "VpcId", "valueString": "vpc-123"}, {"key": "Subnets", "valueString": ["a", "b"]}]\nEOF`,
      ],
      { workdir: out },
    ).done;

    expect(result.outcome).toBe('SUCCEEDED');
    expect(await readProtonOutputsFile(out)).toEqual({ VpcId: 'vpc-123', Subnets: '["a","b"]' });
    await writeFile(join(out, 'proton-outputs.json'), '{"a": 1}');
    expect(await readProtonOutputsFile(out)).toEqual({ a: '1' });
  });
});

describe('LocalCommandRunner lifeline', () => {
  test('a run does not outlive its worker: killing the worker with SIGKILL ends the group', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/run-forever.ts', import.meta.url));
    // A killed worker cannot remove its run folder: give it one this test cleans up.
    const scratch = await mkdtemp(join(tmpdir(), 'nucleon-lifeline-'));
    const worker = spawn(process.execPath, ['--import', 'tsx', fixture, scratch], {
      cwd: dirname(fixture), // so `--import tsx` resolves from the repository's node_modules
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const pids: Record<string, number> = {};
    await new Promise<void>((resolve, reject) => {
      worker.once('exit', () => reject(new Error('the fixture worker exited early')));
      worker.stdout?.on('data', (chunk: Buffer) => {
        for (const match of chunk.toString().matchAll(/^(child|group)=(\d+)$/gm)) {
          pids[match[1] ?? ''] = Number(match[2]);
        }
        if (pids.child !== undefined && pids.group !== undefined) resolve();
      });
    });
    const group = pids.group ?? 0;
    expect(isProcessGroupAlive(group)).toBe(true);

    worker.kill('SIGKILL');
    try {
      expect(await eventually(() => !isProcessGroupAlive(group), 10_000)).toBe(true);
      expect(['Z', undefined]).toContain(processState(pids.child ?? 0));
    } finally {
      try {
        process.kill(-group, 'SIGKILL'); // never leak the sleepers, even when the test fails
      } catch {
        // already gone
      }
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
