import { gzipSync } from 'node:zlib';
import { ValidationError } from '@nucleon/core';
import { describe, expect, it } from 'vitest';
import {
  bundleEntries,
  concat,
  gzipBomb,
  manyFilesArchive,
  rawTarHeader,
  tarArchive,
  tarGzArchive,
  type ArchiveEntry,
} from '../../test/bundle/hostile-archives.js';
import { unpackBundleArchive } from './unpack-bundle-archive.js';

const text = (data: Uint8Array | undefined): string => new TextDecoder().decode(data);
const minimal = {
  'schema/schema.yaml': 'schema: {}\n',
  'infrastructure/manifest.yaml': 'infrastructure: {}\n',
};

async function rejection(promise: Promise<unknown>): Promise<ValidationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

describe('unpackBundleArchive: accepted archives', () => {
  it('unpacks a .tar.gz in memory', async () => {
    const files = await unpackBundleArchive(await tarGzArchive(bundleEntries(minimal)));
    expect([...files.keys()].sort()).toEqual([
      'infrastructure/manifest.yaml',
      'schema/schema.yaml',
    ]);
    expect(text(files.get('schema/schema.yaml'))).toBe('schema: {}\n');
  });

  it('accepts a plain .tar', async () => {
    const files = await unpackBundleArchive(await tarArchive(bundleEntries(minimal)));
    expect(files.size).toBe(2);
  });

  it('strips a wrapper folder (tar czf b.tar.gz mybundle/) and ./ prefixes', async () => {
    const entries: ArchiveEntry[] = [
      { name: './mybundle/', type: 'directory' },
      ...bundleEntries(minimal, './mybundle/'),
    ];
    const files = await unpackBundleArchive(await tarGzArchive(entries));
    expect([...files.keys()].sort()).toEqual([
      'infrastructure/manifest.yaml',
      'schema/schema.yaml',
    ]);
  });

  it('skips folders and macOS/git clutter', async () => {
    const entries: ArchiveEntry[] = [
      { name: 'schema', type: 'directory' },
      ...bundleEntries(minimal),
      { name: './._schema', content: 'resource fork' },
      { name: '__MACOSX/schema/._schema.yaml', content: 'x' },
      { name: 'infrastructure/.DS_Store', content: 'x' },
      { name: '.git/HEAD', content: 'ref: refs/heads/main' },
    ];
    const files = await unpackBundleArchive(await tarGzArchive(entries));
    expect([...files.keys()].sort()).toEqual([
      'infrastructure/manifest.yaml',
      'schema/schema.yaml',
    ]);
  });

  it('accepts an empty archive (validation reports what is missing)', async () => {
    const files = await unpackBundleArchive(await tarGzArchive([]));
    expect(files.size).toBe(0);
  });
});

describe('unpackBundleArchive: hostile archives', () => {
  it.each<[string, ArchiveEntry, RegExp]>([
    [
      'path traversal',
      { name: '../../etc/x', content: 'x' },
      /"\.\.\/\.\.\/etc\/x" is rejected: "\.\." path segments/,
    ],
    [
      'traversal inside a path',
      { name: 'schema/../../x', content: 'x' },
      /"\.\." path segments are not allowed/,
    ],
    [
      'an absolute path',
      { name: '/etc/x', content: 'x' },
      /"\/etc\/x" is rejected: absolute paths are not allowed/,
    ],
    [
      'a symbolic link',
      { name: 'schema/link', type: 'symlink', linkname: '/etc/passwd' },
      /is a symbolic link \(to "\/etc\/passwd"\)/,
    ],
    [
      'a hard link',
      { name: 'hard', type: 'link', linkname: 'schema/schema.yaml' },
      /is a hard link/,
    ],
    ['a character device', { name: 'dev', type: 'character-device' }, /is a character device/],
    ['a block device', { name: 'blk', type: 'block-device' }, /is a block device/],
    ['a FIFO', { name: 'pipe', type: 'fifo' }, /is a FIFO/],
    [
      'a schema over 50 KiB',
      { name: 'schema/schema.yaml', content: 'a'.repeat(51_201) },
      /"schema\/schema.yaml" is 50.0 KiB; the limit is 50 KiB \(NUCLEON_SCHEMA_MAX_BYTES\)/,
    ],
    [
      'a manifest over 50 KiB',
      { name: 'infrastructure/manifest.yaml', content: 'a'.repeat(60_000) },
      /the limit is 50 KiB \(NUCLEON_MANIFEST_MAX_BYTES\)/,
    ],
  ])('rejects %s', async (_label, entry, message) => {
    const error = await rejection(
      unpackBundleArchive(await tarGzArchive([...bundleEntries(minimal), entry])),
    );
    expect(error.message).toMatch(message);
  });

  it('rejects an entry type it does not know (GNU sparse)', async () => {
    const archive = concat([
      rawTarHeader({ name: 'sparse', size: 0, typeFlag: 'S' }),
      new Uint8Array(1024),
    ]);
    const error = await rejection(unpackBundleArchive(archive));
    expect(error.message).toMatch(/unsupported tar entry type "S"/);
  });

  it('rejects a file that appears twice', async () => {
    const entries = [...bundleEntries(minimal), { name: './schema/schema.yaml', content: 'again' }];
    const error = await rejection(unpackBundleArchive(await tarGzArchive(entries)));
    expect(error.message).toBe('bundle archive contains "schema/schema.yaml" more than once');
  });

  it('rejects a file and a folder with the same name', async () => {
    const entries = [...bundleEntries(minimal), { name: 'infrastructure', content: 'a file' }];
    const error = await rejection(unpackBundleArchive(await tarGzArchive(entries)));
    expect(error.message).toBe(
      'bundle archive has both a file and a folder named "infrastructure"',
    );
  });

  it('rejects 10,000 files at the 501st entry', async () => {
    const error = await rejection(unpackBundleArchive(await manyFilesArchive(10_000)));
    expect(error.message).toBe(
      'bundle archive has more than 500 entries; the limit is 500 (NUCLEON_BUNDLE_MAX_FILES)',
    );
  });

  it('stops a 1 GiB gzip bomb as soon as the 20 MiB cap is passed', async () => {
    const bomb = gzipBomb();
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    const started = performance.now();
    const error = await rejection(unpackBundleArchive(bomb));
    expect(error.message).toBe(
      'bundle archive expands to more than 20 MiB when decompressed; the limit is 20 MiB uncompressed (NUCLEON_BUNDLE_MAX_UNPACKED_BYTES)',
    );
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('builds a valid gzip bomb (checked at a small size)', async () => {
    const small = gzipBomb(4 * 1024 * 1024);
    const files = await unpackBundleArchive(small);
    expect(files.get('zeros.bin')?.length).toBe(4 * 1024 * 1024);
  });

  it('rejects files that add up to more than the uncompressed cap', async () => {
    const entries = Array.from({ length: 4 }, (_, i) => ({
      name: `f${i}`,
      content: 'a'.repeat(100_000),
    }));
    const error = await rejection(
      unpackBundleArchive(await tarGzArchive(entries), { maxUnpackedBytes: 350_000 }),
    );
    expect(error.message).toMatch(/^bundle (files add up to|archive expands to) more than/);
  });

  it('rejects an upload over 5 MiB before decompressing it', async () => {
    const error = await rejection(unpackBundleArchive(new Uint8Array(5 * 1024 * 1024 + 1)));
    expect(error.message).toBe(
      'bundle archive is 5.0 MiB; the limit is 5 MiB (NUCLEON_BUNDLE_MAX_BYTES)',
    );
  });

  it('unpacks files that are not template files whatever their size (Proton limits template files only)', async () => {
    const entries = [
      ...bundleEntries(minimal),
      { name: 'infrastructure/package-lock.json', content: 'a'.repeat(400 * 1024) },
      { name: 'input.png', content: 'b'.repeat(350 * 1024) },
    ];
    const files = await unpackBundleArchive(await tarGzArchive(entries));
    expect(files.get('infrastructure/package-lock.json')?.length).toBe(400 * 1024);
    expect(files.get('input.png')?.length).toBe(350 * 1024);
  });

  it.each<[string, Uint8Array, RegExp]>([
    [
      'a zip file',
      new Uint8Array([0x50, 0x4b, 3, 4, 0, 0]),
      /is a zip file; upload a gzipped tarball/,
    ],
    ['random bytes', new TextEncoder().encode('hello world'), /neither a .tar.gz nor a .tar file/],
    [
      'truncated gzip',
      new Uint8Array(gzipSync(new Uint8Array(4096)).subarray(0, 20)),
      /not valid gzip data/,
    ],
    [
      'gzip of something else',
      new Uint8Array(gzipSync(new TextEncoder().encode('x'.repeat(2000)))),
      /does not contain a tar archive/,
    ],
  ])('rejects %s', async (_label, data, message) => {
    const error = await rejection(unpackBundleArchive(data));
    expect(error.message).toMatch(message);
  });

  it('rejects a corrupt tar header', async () => {
    const archive = concat([
      rawTarHeader({ name: 'a', size: 0, typeFlag: '0', checksum: 'wrong' }),
      new Uint8Array(1024),
    ]);
    const error = await rejection(unpackBundleArchive(new Uint8Array(gzipSync(archive))));
    expect(error.message).toMatch(
      /^bundle archive is not a valid tar archive: corrupt tar header at byte 0: checksum mismatch$/,
    );
  });
});
