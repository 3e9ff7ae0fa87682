import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { MirrorTarget, RepositoryMirror, TreeEntry } from '../../ports/repository-mirror.js';

const run = promisify(execFile);
/** The git config key that tags a mirror with the repository it belongs to. */
const OWNER_KEY = 'nucleon.repository';

/**
 * Bare mirrors fetched with the git CLI. HTTPS tokens travel in an Authorization header given on
 * the command line of that one process, never in a URL or a config file. Each mirror carries
 * its repository's ARN in its config and is refused to any other repository.
 */
export class GitCliMirror implements RepositoryMirror {
  private git(
    target: MirrorTarget,
    args: string[],
    options: { signal?: AbortSignal; auth?: boolean; encoding?: 'buffer' } = {},
  ) {
    const auth =
      options.auth && target.token
        ? [
            '-c',
            `http.extraHeader=Authorization: Basic ${Buffer.from(`x-access-token:${target.token}`).toString('base64')}`,
          ]
        : [];
    return run('git', [...auth, '-C', target.mirror, ...args], {
      signal: options.signal,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
      maxBuffer: 256 * 1024 * 1024,
      encoding: options.encoding ?? 'utf8',
    }).catch((error: unknown) => {
      const e = error as { stderr?: string | Buffer; message?: string };
      const detail = String(e.stderr ?? e.message ?? error)
        .replace(/Authorization: Basic \S+/g, 'Authorization: <redacted>')
        .trim();
      throw new Error(`git ${args[0]} failed for ${target.arn}: ${detail}`);
    });
  }

  private async open(target: MirrorTarget): Promise<void> {
    if (!existsSync(target.mirror)) {
      await mkdir(target.mirror, { recursive: true, mode: 0o700 });
      await run('git', ['init', '--quiet', '--bare', target.mirror]);
      await run('git', ['-C', target.mirror, 'config', OWNER_KEY, target.arn]);
      return;
    }
    const { stdout } = await run('git', ['-C', target.mirror, 'config', OWNER_KEY]).catch(() => ({
      stdout: '',
    }));
    if (stdout.trim() !== target.arn)
      throw new Error(
        `the mirror ${target.mirror} belongs to ${stdout.trim() || 'no repository'}, not ${target.arn}; refusing to use it`,
      );
  }

  async fetch(target: MirrorTarget, signal?: AbortSignal): Promise<Map<string, string>> {
    await this.open(target);
    await this.git(
      target,
      [
        'fetch',
        '--quiet',
        '--prune',
        '--force',
        '--',
        target.remoteUrl,
        '+refs/heads/*:refs/heads/*',
      ],
      { signal, auth: true },
    );
    const { stdout } = await this.git(target, [
      'for-each-ref',
      '--format=%(objectname) %(refname)',
      'refs/heads',
    ]);
    const tips = new Map<string, string>();
    for (const line of String(stdout).split('\n')) {
      const m = /^([0-9a-f]+) refs\/heads\/(.+)$/.exec(line.trim());
      if (m) tips.set(m[2]!, m[1]!);
    }
    return tips;
  }

  async ensure(target: MirrorTarget, commit: string, signal?: AbortSignal): Promise<void> {
    await this.open(target);
    const present = await this.git(target, ['cat-file', '-e', `${commit}^{commit}`]).then(
      () => true,
      () => false,
    );
    if (!present) await this.fetch(target, signal);
  }

  async isAncestor(target: MirrorTarget, older: string, newer: string): Promise<boolean> {
    return this.git(target, ['merge-base', '--is-ancestor', older, newer]).then(
      () => true,
      () => false,
    );
  }

  async list(target: MirrorTarget, commit: string, path: string): Promise<TreeEntry[] | undefined> {
    const spec = path ? `${commit}:${path}` : `${commit}^{tree}`;
    const type = await this.git(target, ['cat-file', '-t', spec]).then(
      (r) => String(r.stdout).trim(),
      () => undefined,
    );
    if (type !== 'tree') return undefined;
    const { stdout } = await this.git(target, ['ls-tree', '-z', spec]);
    return String(stdout)
      .split('\0')
      .filter(Boolean)
      .map((line) => {
        const [meta, name] = line.split('\t', 2) as [string, string];
        const [, type, sha] = meta.split(' ') as [string, string, string];
        return { name, type: type === 'tree' ? ('tree' as const) : ('blob' as const), sha };
      });
  }

  async folders(target: MirrorTarget, commit: string): Promise<string[]> {
    const { stdout } = await this.git(target, ['ls-tree', '-r', '-d', '-z', '--name-only', commit]);
    return String(stdout).split('\0').filter(Boolean);
  }

  async read(target: MirrorTarget, commit: string, path: string): Promise<string | undefined> {
    return this.git(target, ['cat-file', 'blob', `${commit}:${path}`]).then(
      (r) => String(r.stdout),
      () => undefined,
    );
  }

  async archive(target: MirrorTarget, commit: string, path: string): Promise<Uint8Array> {
    const { stdout } = await this.git(
      target,
      ['archive', '--format=tar.gz', path ? `${commit}:${path}` : commit],
      { encoding: 'buffer' },
    );
    return new Uint8Array(stdout as unknown as Buffer);
  }
}
