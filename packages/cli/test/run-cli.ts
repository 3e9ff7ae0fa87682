import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const cliPath = fileURLToPath(new URL('../bin/nucleon.js', import.meta.url));
const built = fileURLToPath(new URL('../dist/index.js', import.meta.url));

export function assertBuilt(): void {
  if (!existsSync(built))
    throw new Error('the CLI is not built: run `npm run build` first (npm test does it)');
}

/** Runs the built nucleon binary to completion. */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  cwd?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      env: { ...process.env, ...env },
      cwd,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts `nucleon up` and resolves once it prints the URL it listens on. */
export function startUp(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, 'up', ...args], {
      env: { ...process.env, NUCLEON_LOG_LEVEL: 'warn', ...env },
    });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`nucleon up did not start:\n${out}`)), 90_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /Nucleon is running at (http:\/\/\S+)/.exec(out);
      if (m && out.includes('Point your tools at it')) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, output: () => out });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nucleon up exited with ${code}:\n${out}`));
    });
  });
}

/** Starts `nucleon <command>` and resolves once its output matches `ready` (its first group: the URL). */
export function startProcess(
  command: 'server' | 'worker',
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, command, ...args], {
      env: { ...process.env, NUCLEON_LOG_LEVEL: 'warn', ...env },
    });
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`nucleon ${command} did not start:\n${out}`)),
      90_000,
    );
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] ?? '', output: () => out });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nucleon ${command} exited with ${code}:\n${out}`));
    });
  });
}
