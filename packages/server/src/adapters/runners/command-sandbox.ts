import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, chown, lstat, mkdtemp, readlink, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, isAbsolute, join, sep } from 'node:path';
import { promisify } from 'node:util';

/** `NUCLEON_RUNNER_SANDBOX`: must commands be sandboxed, may they be, or never. */
export type SandboxPolicy = 'required' | 'auto' | 'off';

/** How commands are isolated: bubblewrap namespaces, only another uid, or not at all. */
export type SandboxKind = 'bwrap' | 'setpriv' | 'none';

/** What one run needs from the sandbox: the command, and the paths it may see. */
export interface SandboxRun {
  file: string;
  args: readonly string[];
  /** The deployment's workspace: the only path the commands may write (besides `rwDir`). */
  workdir: string;
  /** Nucleon's private per-run folder (driver, command list): visible read-only. */
  runDir: string;
  /** A folder inside `runDir` the commands may write (their HOME, the status file). */
  rwDir: string;
}

/**
 * The isolation chosen at start for every run of the local runner. `wrap` turns a command into
 * the one that runs it inside the sandbox; `owner` is who must own what the commands write.
 */
export interface CommandSandbox {
  readonly kind: SandboxKind;
  /** One line for the start log and every deployment log; starts with WARNING when unsafe. */
  readonly notice: string;
  /** Set when commands must not run at all (policy `required` and no sandbox available). */
  readonly refusal?: string | undefined;
  readonly owner?: { uid: number; gid: number } | undefined;
  wrap(run: SandboxRun): { file: string; args: string[] };
}

export interface DetectSandboxOptions {
  policy: SandboxPolicy;
  /** The commands' PATH: where bwrap and setpriv are looked for, and tool folders to expose. */
  path: string;
  /** The unprivileged uid/gid commands run as when the server is root. Default 65534 (nobody). */
  uid?: number;
  gid?: number;
  /** This process's uid (`process.getuid()`); adapters don't read process globals. */
  serverUid: number;
  /** Where bwrap and setpriv are; default: looked up on `path`. `null`: treat as missing. */
  bwrap?: string | null;
  setpriv?: string | null;
}

/** Read-only system folders every sandbox sees (absent ones are skipped, symlinks kept). */
const SYSTEM_PATHS = [
  '/usr',
  '/bin',
  '/sbin',
  '/lib',
  '/lib32',
  '/lib64',
  '/libx32',
  '/etc',
  '/opt',
];
const SEARCH_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const ENV = '/usr/bin/env';
const NOBODY = 65534;

/**
 * Picks the strongest isolation this machine offers, proving each candidate by running `true`
 * through it: bubblewrap (as root: namespaces, then `setpriv` to an unprivileged uid inside),
 * else `setpriv` alone when the server is root, else none (or a refusal under `required`).
 */
export async function detectCommandSandbox(options: DetectSandboxOptions): Promise<CommandSandbox> {
  if (options.policy === 'off') {
    return unsandboxed('NUCLEON_RUNNER_SANDBOX=off', options.serverUid);
  }
  const uid = options.uid ?? NOBODY;
  const gid = options.gid ?? uid;
  const root = options.serverUid === 0;
  const search = `${options.path}${delimiter}${SEARCH_PATH}`;
  const bwrap =
    options.bwrap === null ? undefined : (options.bwrap ?? (await findExecutable('bwrap', search)));
  const found =
    options.setpriv === null
      ? undefined
      : (options.setpriv ?? (await findExecutable('setpriv', search)));
  const setpriv = root ? found : undefined;
  const problems: string[] = [];
  if (bwrap !== undefined) {
    const sandbox = await bwrapSandbox(
      bwrap,
      setpriv,
      root ? { uid, gid } : undefined,
      options.path,
    );
    const failure = await probe(sandbox);
    if (failure === undefined) return sandbox;
    problems.push(`bubblewrap (${bwrap}) does not work here: ${failure}`);
  } else {
    problems.push('bubblewrap (bwrap) is not installed');
  }
  if (setpriv !== undefined) {
    const sandbox = setprivSandbox(setpriv, { uid, gid });
    const failure = await probe(sandbox);
    if (failure === undefined) return sandbox;
    problems.push(`setpriv (${setpriv}) does not work here: ${failure}`);
  } else {
    problems.push(
      root
        ? 'setpriv is not installed'
        : 'the server is not root, so it cannot switch commands to another uid',
    );
  }
  const why = problems.join('; ');
  if (options.policy === 'required') {
    return {
      ...unsandboxed(why, options.serverUid),
      notice: `commands are refused: NUCLEON_RUNNER_SANDBOX=required but no sandbox is available (${why})`,
      refusal: `not run: NUCLEON_RUNNER_SANDBOX=required and no command sandbox is available on this machine (${why}); install bubblewrap (Debian package bubblewrap) or run the server as root with setpriv`,
    };
  }
  return unsandboxed(why, options.serverUid);
}

function unsandboxed(why: string, serverUid: number): CommandSandbox {
  return {
    kind: 'none',
    notice:
      `WARNING: template commands run WITHOUT a sandbox, as the server's own user (uid ${serverUid}): ` +
      `they can read the server's files and processes (${why}). Install bubblewrap, or set ` +
      'NUCLEON_RUNNER_SANDBOX=required to refuse to run them.',
    wrap: (run) => ({ file: run.file, args: [...run.args] }),
  };
}

function setprivArgs(owner: { uid: number; gid: number }): string[] {
  return [
    `--reuid=${owner.uid}`,
    `--regid=${owner.gid}`,
    '--clear-groups',
    '--inh-caps=-all',
    '--bounding-set=-all',
    '--no-new-privs',
    '--',
  ];
}

function setprivSandbox(setpriv: string, owner: { uid: number; gid: number }): CommandSandbox {
  return {
    kind: 'setpriv',
    owner,
    notice:
      `commands run as uid ${owner.uid} (setpriv, no namespaces: bubblewrap is not available), ` +
      "so they cannot read the server's files or processes, but can see other processes and share that uid with other deployments",
    wrap: (run) => ({ file: setpriv, args: [...setprivArgs(owner), run.file, ...run.args] }),
  };
}

async function bwrapSandbox(
  bwrap: string,
  setpriv: string | undefined,
  owner: { uid: number; gid: number } | undefined,
  path: string,
): Promise<CommandSandbox> {
  const system = await systemMounts();
  const tools = await toolMounts(path);
  const who = owner ? `uid ${owner.uid}` : "the server's uid";
  return {
    kind: 'bwrap',
    owner,
    notice:
      `commands run in a bubblewrap sandbox as ${who}: new PID, IPC and mount namespaces, a private /tmp, ` +
      'the workspace as the only writable path, no view of the data dir, other workspaces or other processes; network shared',
    wrap: (run) => {
      const drop = owner && setpriv ? [setpriv, ...setprivArgs(owner)] : [];
      const args = [
        // The outer bwrap must outlive the polite SIGTERM/SIGINT a cancel sends the process
        // group, so the commands get their grace period; inside, the signals are reset.
        '--ignore-signal=TERM,INT',
        bwrap,
        '--unshare-pid',
        '--unshare-ipc',
        '--unshare-uts',
        '--unshare-cgroup-try',
        '--die-with-parent',
        ...system,
        '--proc',
        '/proc',
        '--dev',
        '/dev',
        '--perms',
        '1777',
        '--tmpfs',
        '/tmp',
        ...tools,
        ...parentDirs([run.runDir, run.workdir], tools),
        '--ro-bind',
        run.runDir,
        run.runDir,
        '--bind',
        run.rwDir,
        run.rwDir,
        '--bind',
        run.workdir,
        run.workdir,
        '--chdir',
        run.workdir,
        '--',
        ENV,
        '--default-signal=TERM,INT',
        ...drop,
        run.file,
        ...run.args,
      ];
      return { file: ENV, args };
    },
  };
}

/** The system folders, read-only; `/bin` → `usr/bin` style links are recreated as links. */
async function systemMounts(): Promise<string[]> {
  const args: string[] = [];
  for (const path of SYSTEM_PATHS) {
    const info = await lstat(path).catch(() => undefined);
    if (info === undefined) continue;
    if (info.isSymbolicLink()) args.push('--symlink', await readlink(path), path);
    else if (info.isDirectory()) args.push('--ro-bind', path, path);
  }
  return args;
}

/**
 * PATH folders outside the system folders (pyenv shims, a virtualenv's or nvm's `bin`), read-only.
 * A `bin` or `shims` folder brings its parent when the parent holds the tool's own files
 * (`lib`, `libexec`, `versions`), as pyenv, nvm and virtualenvs need.
 */
async function toolMounts(path: string): Promise<string[]> {
  const chosen: string[] = [];
  for (const entry of path.split(delimiter)) {
    if (!isAbsolute(entry)) continue;
    const real = await realpath(entry).catch(() => undefined);
    if (real === undefined || underAny(real, SYSTEM_PATHS)) continue;
    let mount = real;
    const name = basename(real);
    if (name === 'bin' || name === 'shims') {
      const parent = dirname(real);
      for (const marker of ['lib', 'libexec', 'versions']) {
        if ((await stat(join(parent, marker)).catch(() => undefined))?.isDirectory())
          mount = parent;
      }
      if (name === 'shims' && mount === real) mount = parent;
    }
    if (!underAny(mount, chosen)) chosen.push(mount);
  }
  const kept = chosen.filter((p) => !chosen.some((q) => q !== p && under(p, q)));
  return [...parentDirs(kept, []), ...kept.flatMap((p) => ['--ro-bind', p, p])];
}

/** `--dir` for every ancestor bwrap would otherwise create with the server's umask (0700). */
function parentDirs(paths: readonly string[], mounted: readonly string[]): string[] {
  const dirs: string[] = [];
  for (const path of paths) {
    const parts = path.split(sep).filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      const dir = sep + parts.slice(0, i).join(sep);
      if (dir === '/tmp' || underAny(dir, SYSTEM_PATHS) || dirs.includes(dir)) continue;
      if (mounted.some((m) => m.startsWith('/') && under(dir, m))) continue;
      dirs.push(dir);
    }
  }
  return dirs.flatMap((dir) => ['--perms', '0755', '--dir', dir]);
}

function under(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

function underAny(path: string, roots: readonly string[]): boolean {
  return roots.some((root) => under(path, root));
}

async function findExecutable(name: string, path: string): Promise<string | undefined> {
  for (const dir of path.split(delimiter)) {
    if (!isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      if ((await stat(candidate)).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Runs `id -u` through the sandbox; undefined when it works (and switched uid, if it should). */
async function probe(sandbox: CommandSandbox): Promise<string | undefined> {
  const dir = await mkdtemp(join(tmpdir(), 'nucleon-sandbox-probe-'));
  try {
    if (sandbox.owner !== undefined) await chown(dir, sandbox.owner.uid, sandbox.owner.gid);
    const run = { file: '/bin/sh', args: ['-c', 'id -u'], workdir: dir, runDir: dir, rwDir: dir };
    const { file, args } = sandbox.wrap(run);
    const { stdout } = await promisify(execFile)(file, args, {
      cwd: dir,
      env: { PATH: SEARCH_PATH },
      timeout: 15_000,
    });
    const uid = Number(stdout.trim());
    if (sandbox.owner !== undefined && uid !== sandbox.owner.uid) {
      return `the probe ran as uid ${uid}, not ${sandbox.owner.uid}`;
    }
    return undefined;
  } catch (error) {
    const e = error as { stderr?: string; message?: string };
    return (e.stderr?.trim() || e.message || String(error)).split('\n')[0];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
