import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GitCliPublisher } from '../src/adapters/git/git-cli-publisher.js';
import { findExecutable } from './engines/helpers.js';

/**
 * The git publisher against real git and a real bare repository, when another publisher pushes
 * to the same branch first (two deployments into one provisioning repository). To make the race
 * certain rather than likely, a `git` earlier on PATH lets another clone push a commit to the
 * remote just before the publisher's push (the first push only, or every push).
 */

const realGit = findExecutable('git');
const git = (args: string[], cwd?: string) =>
  execFileSync(realGit!, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
if (!realGit && process.env.CI === 'true') throw new Error('git is required under CI=true');
if (!realGit) console.warn('skipping the git publisher race tests: no git on PATH');

const RACING_GIT = `#!/bin/bash
if [[ " $* " == *" push "* ]] && { [ -n "$RACE_ALWAYS" ] || mkdir "$RACE_MARK" 2>/dev/null; }; then
  (
    tmp=$(mktemp -d) && cd "$tmp" &&
    "$REAL_GIT" clone -q "$RACE_REMOTE" c && cd c && mkdir -p other &&
    date +%s%N > other/file && "$REAL_GIT" add other &&
    "$REAL_GIT" -c user.name=other -c user.email=other@localhost commit -qm other &&
    "$REAL_GIT" push -q origin HEAD:refs/heads/main
    rm -rf "$tmp"
  ) >/dev/null 2>&1
fi
exec "$REAL_GIT" "$@"
`;

describe.skipIf(!realGit)('GitCliPublisher when pushes race (real git)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nucleon-git-race-'));
  const saved = { PATH: process.env.PATH };
  let remote: string;
  let n = 0;

  beforeAll(() => {
    const bin = join(dir, 'bin');
    execFileSync('mkdir', ['-p', bin]);
    writeFileSync(join(bin, 'git'), RACING_GIT);
    chmodSync(join(bin, 'git'), 0o755);
    process.env.REAL_GIT = realGit;
  });
  afterEach(() => {
    process.env.PATH = saved.PATH;
    delete process.env.RACE_ALWAYS;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A fresh bare repository whose main branch already holds an environment's folder. */
  const freshRemote = () => {
    remote = join(dir, `infra-${++n}.git`);
    git(['init', '--quiet', '--bare', '--initial-branch', 'main', remote]);
    const seed = join(dir, `seed-${n}`);
    git(['clone', '--quiet', remote, seed]);
    writeFileSync(join(seed, 'README'), 'infra\n');
    git(['add', 'README'], seed);
    git(['-c', 'user.name=u', '-c', 'user.email=u@x', 'commit', '-qm', 'init'], seed);
    git(['push', '-q', 'origin', 'HEAD:refs/heads/main'], seed);
    process.env.RACE_REMOTE = remote;
    process.env.RACE_MARK = join(dir, `raced-${n}`);
    process.env.PATH = `${join(dir, 'bin')}:${saved.PATH ?? ''}`;
  };
  const publish = (publisher: GitCliPublisher, folder: string) =>
    publisher.publish({
      remoteUrl: remote,
      token: null,
      branch: 'main',
      folder,
      // What every deployment writes: its files and Proton's metadata file, which marks the folder.
      files: new Map([
        ['main.tf', `# ${folder}\n`],
        ['.proton/deployment-metadata.json', `{"folder":"${folder}"}\n`],
      ]),
      message: `deploy ${folder}`,
    });
  /** The files a deployment of `folder` writes. */
  const own = (folder: string) => [
    `${folder}/.proton/deployment-metadata.json`,
    `${folder}/main.tf`,
  ];
  /** The files a commit changed. */
  const changed = (commit: string) =>
    git(['show', '--name-only', '--format=', commit], remote).trim().split('\n');

  it('fetches the new tip, re-applies its folder and pushes again; the other commit stays', async () => {
    freshRemote();
    const { commit, folder } = await publish(new GitCliPublisher(), 'dev/svc-a');

    expect(folder).toBe('dev/svc-a');
    expect(git(['rev-parse', 'main'], remote).trim()).toBe(commit);
    expect(git(['log', '--format=%s', 'main'], remote).trim().split('\n')).toEqual([
      'deploy dev/svc-a',
      'other',
      'init',
    ]);
    expect(changed(commit)).toEqual(own('dev/svc-a'));
    expect(git(['ls-tree', '-r', '--name-only', 'main'], remote).trim().split('\n')).toEqual([
      'README',
      ...own('dev/svc-a'),
      'other/file',
    ]);
  });

  it('publishers racing for one branch all land, each commit holding only its own folder', async () => {
    freshRemote();
    process.env.PATH = saved.PATH; // a plain git: the publishers race each other
    const folders = ['dev', 'dev/a-b', 'dev/a-c', 'dev/comp'];
    const results = await Promise.all(folders.map((f) => publish(new GitCliPublisher(), f)));

    for (const [i, { commit }] of results.entries()) {
      expect(changed(commit)).toEqual(own(folders[i]!));
      expect(git(['merge-base', '--is-ancestor', commit, 'main'], remote)).toBe('');
    }
    const tree = git(['ls-tree', '-r', '--name-only', 'main'], remote).trim().split('\n');
    expect(tree.sort()).toEqual(['README', ...folders.flatMap(own)].sort());
  });

  it("an environment's deployment keeps its instances' folders nested in it, and drops its own stale files", async () => {
    freshRemote();
    process.env.PATH = saved.PATH;
    await publish(new GitCliPublisher(), 'dev');
    await publish(new GitCliPublisher(), 'dev/svc-a');
    const stale = await new GitCliPublisher().publish({
      remoteUrl: remote,
      token: null,
      branch: 'main',
      folder: 'dev',
      files: new Map([
        ['modules/vpc.tf', '# vpc\n'],
        ['.proton/deployment-metadata.json', '{}\n'],
      ]),
      message: 'deploy dev again',
    });
    expect(changed(stale.commit).sort()).toEqual(
      ['dev/.proton/deployment-metadata.json', 'dev/main.tf', 'dev/modules/vpc.tf'].sort(),
    );
    const tree = git(['ls-tree', '-r', '--name-only', 'main'], remote).trim().split('\n');
    expect(tree.sort()).toEqual(
      [
        'README',
        'dev/.proton/deployment-metadata.json',
        'dev/modules/vpc.tf',
        ...own('dev/svc-a'),
      ].sort(),
    );
  });

  it('gives up with a clear message when the branch keeps moving', async () => {
    freshRemote();
    process.env.RACE_ALWAYS = '1';
    const error = await publish(new GitCliPublisher(3), 'dev').then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      /^could not publish to \S+@main: the branch kept moving: 3 pushes were refused because other publishers pushed first \(.*\); deploy again$/,
    );
    expect(git(['log', '--format=%s', 'main'], remote)).not.toContain('deploy dev');
  });
});
