import { execFile } from 'node:child_process';
import { access, mkdir, mkdtemp, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { GitPublisher } from '../../ports/repository-store.js';

const run = promisify(execFile);
type PublishRequest = Parameters<GitPublisher['publish']>[0];
type Git = (args: string[], cwd?: string) => Promise<{ stdout: string }>;

/** Pushes tried before giving up while other publishers keep moving the branch. */
const DEFAULT_MAX_PUSHES = 8;
/** A push refused because the branch moved on (someone else pushed first): fetch and try again. */
const RACE =
  /\[rejected\][^\n]*\((fetch first|non-fast-forward)\)|cannot lock ref|reference already exists/;

/**
 * Publishes rendered files with the git CLI: shallow-clones the branch (or starts it), replaces
 * the resource's folder, commits as "Nucleon" and pushes. When another publisher pushed first
 * (two deployments into one provisioning repository), it fetches the new tip, writes its folder
 * again on top of it and pushes again, a bounded number of times: each resource owns its folder,
 * so re-applying the change on the new tip never overwrites anyone else's work.
 * HTTPS tokens travel in an Authorization header given on the command line of that one process,
 * never in the URL or in a config file; SSH uses the server's own keys (GIT_SSH_COMMAND works).
 */
export class GitCliPublisher implements GitPublisher {
  constructor(private readonly maxPushes = DEFAULT_MAX_PUSHES) {}

  async publish(request: PublishRequest): Promise<{ commit: string; folder: string }> {
    const work = await mkdtemp(join(tmpdir(), 'nucleon-git-'));
    const auth = request.token
      ? [
          '-c',
          `http.extraHeader=Authorization: Basic ${Buffer.from(`x-access-token:${request.token}`).toString('base64')}`,
        ]
      : [];
    const git: Git = (args, cwd = work) =>
      run('git', [...auth, ...args], {
        cwd,
        signal: request.signal,
        env: {
          ...process.env,
          GIT_TERMINAL_PROMPT: '0',
          GIT_AUTHOR_NAME: 'Nucleon',
          GIT_AUTHOR_EMAIL: 'nucleon@localhost',
          GIT_COMMITTER_NAME: 'Nucleon',
          GIT_COMMITTER_EMAIL: 'nucleon@localhost',
        },
        maxBuffer: 16 * 1024 * 1024,
      });
    try {
      const repo = join(work, 'repo');
      try {
        await git([
          'clone',
          '--quiet',
          '--depth',
          '1',
          '--branch',
          request.branch,
          '--',
          request.remoteUrl,
          repo,
        ]);
      } catch {
        // A new branch: clone the default branch (or nothing, for an empty repository) and start it.
        await git(['clone', '--quiet', '--depth', '1', '--', request.remoteUrl, repo]);
        await git(['checkout', '--quiet', '-B', request.branch], repo);
      }
      for (let push = 1; ; push++) {
        const folder = await commitFolder(git, repo, request);
        try {
          await git(['push', '--quiet', 'origin', `HEAD:refs/heads/${request.branch}`], repo);
          const { stdout } = await git(['rev-parse', 'HEAD'], repo);
          return { commit: stdout.trim(), folder };
        } catch (error) {
          const text = describe(error);
          if (!RACE.test(text)) throw error;
          if (push >= this.maxPushes) {
            throw new Error(
              `the branch kept moving: ${push} pushes were refused because other publishers pushed first (${text.split('\n')[0]}); deploy again`,
            );
          }
        }
        // Someone else pushed first: start again from the new tip, with only this folder changed.
        await delay(50 * push + Math.floor(Math.random() * 100 * push), undefined, {
          signal: request.signal,
        });
        await git(
          ['fetch', '--quiet', '--depth', '1', 'origin', `refs/heads/${request.branch}`],
          repo,
        );
        await git(['reset', '--quiet', '--hard', 'FETCH_HEAD'], repo);
      }
    } catch (error) {
      const detail = describe(error)
        .replace(/Authorization: Basic \S+/g, 'Authorization: <redacted>')
        .trim();
      throw new Error(`could not publish to ${request.remoteUrl}@${request.branch}: ${detail}`);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
}

/** Replaces the resource's folder in the checkout with the request's files and commits it. */
async function commitFolder(git: Git, repo: string, request: PublishRequest): Promise<string> {
  // Proton's layout: environments/<env>/ when the repository has an environments/ folder.
  const top = await readdir(repo).catch(() => [] as string[]);
  const folder =
    top.includes('environments') && !request.folder.startsWith('environments/')
      ? `environments/${request.folder}`
      : request.folder;
  const target = resolve(repo, folder);
  if (!target.startsWith(repo + sep))
    throw new Error(`refusing to write outside the repository: ${folder}`);
  await clearOwnFiles(target, target);
  for (const [path, content] of request.files) {
    const file = resolve(target, path);
    if (!file.startsWith(target + sep))
      throw new Error(`refusing to write ${path} outside ${folder}`);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
  }
  await git(['add', '--all', '--', folder], repo);
  await git(['commit', '--quiet', '--allow-empty', '-m', request.message], repo);
  return folder;
}

/** The file that marks a folder as a resource's own (Proton's, and every Nucleon deployment's). */
const RESOURCE_MARKER = join('.proton', 'deployment-metadata.json');

/**
 * Removes what the resource at `root` wrote before, keeping the folders of other resources nested
 * in it: Proton's layout puts a service instance's folder inside its environment's
 * (`<env>/<service>-<instance>/`), and a folder holding its own `.proton/deployment-metadata.json`
 * belongs to that other resource. An environment's deployment must never delete or change it.
 */
async function clearOwnFiles(dir: string, root: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (!entry.isDirectory()) {
      await rm(path, { force: true });
      continue;
    }
    const owned = await access(join(path, RESOURCE_MARKER)).then(
      () => true,
      () => false,
    );
    if (owned && path !== root) continue;
    await clearOwnFiles(path, root);
    await rmdir(path).catch(() => undefined); // kept when it still holds another resource's folder
  }
}

function describe(error: unknown): string {
  const e = error as { stdout?: string; stderr?: string; message?: string };
  return [e.stderr, e.stdout].filter(Boolean).join('\n').trim() || String(e.message ?? error);
}
