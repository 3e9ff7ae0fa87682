import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import type { GitPublisher } from '../../ports/repository-store.js';

const run = promisify(execFile);

/**
 * Publishes rendered files with the git CLI: shallow-clones the branch (or starts it), replaces
 * the resource's folder, commits as "Nucleon" and pushes. HTTPS tokens travel in an
 * Authorization header given on the command line of that one process, never in the URL or
 * in a config file; SSH uses the server's own keys (GIT_SSH_COMMAND works).
 */
export class GitCliPublisher implements GitPublisher {
  async publish(request: Parameters<GitPublisher['publish']>[0]): Promise<{ commit: string; folder: string }> {
    const work = await mkdtemp(join(tmpdir(), 'nucleon-git-'));
    const auth = request.token ? ['-c', `http.extraHeader=Authorization: Basic ${Buffer.from(`x-access-token:${request.token}`).toString('base64')}`] : [];
    const git = (args: string[], cwd = work) =>
      run('git', [...auth, ...args], {
        cwd,
        signal: request.signal,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_AUTHOR_NAME: 'Nucleon', GIT_AUTHOR_EMAIL: 'nucleon@localhost', GIT_COMMITTER_NAME: 'Nucleon', GIT_COMMITTER_EMAIL: 'nucleon@localhost' },
        maxBuffer: 16 * 1024 * 1024,
      });
    try {
      const repo = join(work, 'repo');
      try {
        await git(['clone', '--quiet', '--depth', '1', '--branch', request.branch, '--', request.remoteUrl, repo]);
      } catch {
        // A new branch: clone the default branch (or nothing, for an empty repository) and start it.
        await git(['clone', '--quiet', '--depth', '1', '--', request.remoteUrl, repo]);
        await git(['checkout', '--quiet', '-B', request.branch], repo);
      }
      // Proton's layout: environments/<env>/ when the repository has an environments/ folder.
      const top = await readdir(repo).catch(() => [] as string[]);
      const folder = top.includes('environments') && !request.folder.startsWith('environments/') ? `environments/${request.folder}` : request.folder;
      const target = resolve(repo, folder);
      if (!target.startsWith(repo + sep)) throw new Error(`refusing to write outside the repository: ${folder}`);
      await rm(target, { recursive: true, force: true });
      for (const [path, content] of request.files) {
        const file = resolve(target, path);
        if (!file.startsWith(target + sep)) throw new Error(`refusing to write ${path} outside ${folder}`);
        await mkdir(dirname(file), { recursive: true });
        await writeFile(file, content);
      }
      await git(['add', '--all', '--', folder], repo);
      await git(['commit', '--quiet', '--allow-empty', '-m', request.message], repo);
      await git(['push', '--quiet', 'origin', `HEAD:refs/heads/${request.branch}`], repo);
      const { stdout } = await git(['rev-parse', 'HEAD'], repo);
      return { commit: stdout.trim(), folder };
    } catch (error) {
      const e = error as { stderr?: string; message: string };
      const detail = (e.stderr || e.message).replace(/Authorization: Basic \S+/g, 'Authorization: <redacted>').trim();
      throw new Error(`could not publish to ${request.remoteUrl}@${request.branch}: ${detail}`);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
}
