import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ValidationError } from '@nucleon/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listTarEntries } from '../../test/bundle/hostile-archives.js';
import { packBundleDirectory } from './pack-bundle-directory.js';
import { readBundleDirectory } from './read-bundle-directory.js';
import { unpackBundleArchive } from './unpack-bundle-archive.js';

let dir: string;
let outside: string;

async function put(path: string, content: string): Promise<void> {
  const full = join(dir, path);
  await mkdir(join(full, '..'), { recursive: true });
  await writeFile(full, content);
}

async function rejection(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return (error as Error).message;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nucleon-bundle-'));
  outside = await mkdtemp(join(tmpdir(), 'nucleon-outside-'));
  await put('schema/schema.yaml', 'schema: {}\n');
  await put('infrastructure/manifest.yaml', 'infrastructure: {}\n');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

describe('readBundleDirectory', () => {
  it('reads every file with bundle-relative POSIX paths', async () => {
    await put('infrastructure/scripts/run.sh', 'echo hi\n');
    const files = await readBundleDirectory(dir);
    expect([...files.keys()].sort()).toEqual([
      'infrastructure/manifest.yaml',
      'infrastructure/scripts/run.sh',
      'schema/schema.yaml',
    ]);
  });

  it('skips .git folders and OS clutter', async () => {
    await put('.git/HEAD', 'ref: refs/heads/main\n');
    await put('infrastructure/.DS_Store', 'x');
    const files = await readBundleDirectory(dir);
    expect([...files.keys()].sort()).toEqual([
      'infrastructure/manifest.yaml',
      'schema/schema.yaml',
    ]);
  });

  it('strips a wrapper folder', async () => {
    const wrapper = await mkdtemp(join(tmpdir(), 'nucleon-wrapper-'));
    try {
      await mkdir(join(wrapper, 'mybundle/schema'), { recursive: true });
      await writeFile(join(wrapper, 'mybundle/schema/schema.yaml'), 'schema: {}\n');
      expect([...(await readBundleDirectory(wrapper)).keys()]).toEqual(['schema/schema.yaml']);
    } finally {
      await rm(wrapper, { recursive: true, force: true });
    }
  });

  it('follows a symbolic link to a file inside the folder', async () => {
    await put('shared/common.yaml', 'shared: true\n');
    await symlink('../shared/common.yaml', join(dir, 'infrastructure/common.yaml'));
    const files = await readBundleDirectory(dir);
    expect(new TextDecoder().decode(files.get('infrastructure/common.yaml'))).toBe(
      'shared: true\n',
    );
  });

  it('refuses a symbolic link that points outside the folder', async () => {
    await writeFile(join(outside, 'secret'), 'secret');
    await symlink(join(outside, 'secret'), join(dir, 'infrastructure/secret'));
    expect(await rejection(readBundleDirectory(dir))).toMatch(
      /^bundle file "infrastructure\/secret" is a symbolic link to ".*", outside the bundle folder/,
    );
  });

  it('refuses a relative symbolic link that climbs out with ..', async () => {
    await writeFile(join(outside, 'secret'), 'secret');
    await symlink(
      join('..', '..', outside.split('/').pop() ?? '', 'secret'),
      join(dir, 'infrastructure/up'),
    );
    expect(await rejection(readBundleDirectory(dir))).toMatch(
      /outside the bundle folder|points nowhere/,
    );
  });

  it('refuses a symbolic link to a folder, and a dangling link', async () => {
    await symlink(join(dir, 'schema'), join(dir, 'infrastructure/schema-link'));
    expect(await rejection(readBundleDirectory(dir))).toMatch(
      /symbolic link to a folder or special file/,
    );
    await rm(join(dir, 'infrastructure/schema-link'));
    await symlink(join(dir, 'nowhere'), join(dir, 'infrastructure/dangling'));
    expect(await rejection(readBundleDirectory(dir))).toMatch(/points nowhere/);
  });

  it('refuses a FIFO', async () => {
    const made = spawnSync('mkfifo', [join(dir, 'infrastructure/pipe')]);
    if (made.status !== 0) return; // mkfifo unavailable: nothing to check
    expect(await rejection(readBundleDirectory(dir))).toMatch(
      /"infrastructure\/pipe" is not a regular file/,
    );
  });

  it('applies the manifest, total and entry limits', async () => {
    await put('infrastructure/manifest.yaml', 'a'.repeat(51_201));
    expect(await rejection(readBundleDirectory(dir))).toBe(
      'bundle file "infrastructure/manifest.yaml" is 50.0 KiB; the limit is 50 KiB (NUCLEON_MANIFEST_MAX_BYTES)',
    );
    await put('infrastructure/manifest.yaml', 'infrastructure: {}\n');
    await put('a.txt', 'a'.repeat(1000));
    expect(await rejection(readBundleDirectory(dir, { maxUnpackedBytes: 500 }))).toBe(
      'bundle files add up to more than 500 bytes; the limit is 500 bytes (NUCLEON_BUNDLE_MAX_UNPACKED_BYTES)',
    );
    expect(await rejection(readBundleDirectory(dir, { maxEntries: 3 }))).toBe(
      'bundle folder has more than 3 entries; the limit is 3 (NUCLEON_BUNDLE_MAX_FILES)',
    );
  });

  it('reads files that are not template files whatever their size (they count toward the bundle)', async () => {
    await put('infrastructure/package-lock.json', 'a'.repeat(400 * 1024));
    await put('input.png', 'b'.repeat(350 * 1024));
    const read = await readBundleDirectory(dir);
    expect(read.get('infrastructure/package-lock.json')?.length).toBe(400 * 1024);
    expect(read.get('input.png')?.length).toBe(350 * 1024);
  });

  it('says so when the folder does not exist', async () => {
    expect(await rejection(readBundleDirectory(join(dir, 'missing')))).toMatch(
      /does not exist or is not a folder/,
    );
  });
});

describe('packBundleDirectory', () => {
  it('packs a .tar.gz that unpacks to the same files', async () => {
    await put('infrastructure/scripts/run.sh', '#!/bin/sh\necho hi\n');
    const archive = await packBundleDirectory(dir);
    const unpacked = await unpackBundleArchive(archive);
    expect(unpacked).toEqual(await readBundleDirectory(dir));
  });

  it('keeps the executable bit and fixes timestamps, so packing is reproducible', async () => {
    await put('infrastructure/run.sh', '#!/bin/sh\n');
    await chmod(join(dir, 'infrastructure/run.sh'), 0o755);
    const first = await packBundleDirectory(dir);
    const listed = await listTarEntries(new Uint8Array(gunzipSync(first)));
    expect(listed.map((e) => [e.name, e.type, e.mode])).toEqual([
      ['infrastructure/manifest.yaml', 'file', 0o644],
      ['infrastructure/run.sh', 'file', 0o755],
      ['schema/schema.yaml', 'file', 0o644],
    ]);
    expect(await packBundleDirectory(dir)).toEqual(first);
  });

  it('produces an archive the system tar can list', async () => {
    const archive = await packBundleDirectory(dir);
    const tar = spawnSync('tar', ['--version']);
    if (tar.status !== 0) return; // no tar binary here
    await writeFile(join(outside, 'b.tar.gz'), archive);
    const listing = execFileSync('tar', ['-tvzf', join(outside, 'b.tar.gz')], { encoding: 'utf8' });
    expect(listing).toMatch(/-rw-r--r-- .* infrastructure\/manifest.yaml/);
    expect(listing).toMatch(/schema\/schema.yaml/);
  });

  it('refuses to pack a folder that breaks the limits', async () => {
    await put('schema/schema.yaml', 'a'.repeat(51_201));
    expect(await rejection(packBundleDirectory(dir))).toMatch(
      /the limit is 50 KiB \(NUCLEON_SCHEMA_MAX_BYTES\)/,
    );
  });

  it('refuses to pack an archive over the bundle limit, naming the setting', async () => {
    await put('infrastructure/data.bin', randomBytes(64 * 1024).toString('base64'));
    expect(await rejection(packBundleDirectory(dir, { maxArchiveBytes: 32 * 1024 }))).toMatch(
      /^packed bundle is .*; the limit is 32 KiB \(NUCLEON_BUNDLE_MAX_BYTES\)$/,
    );
  });
});
