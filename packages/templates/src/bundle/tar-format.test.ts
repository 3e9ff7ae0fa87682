import { describe, expect, it } from 'vitest';
import {
  concat,
  listTarEntries,
  rawTarHeader,
  tarArchive,
} from '../../test/bundle/hostile-archives.js';
import { looksLikeTar, readTarEntries, TarFormatError } from './tar-reader.js';
import { encodeTar } from './tar-writer.js';

const text = (data: Uint8Array): string => new TextDecoder().decode(data);
const bytes = (value: string): Uint8Array => new TextEncoder().encode(value);

describe('encodeTar and readTarEntries', () => {
  const longName = `${'deep/'.repeat(40)}file.tf`;
  const unicodeName = 'infrastructure/dätä-ü.yaml';
  const entries = [
    { name: 'schema', type: 'directory' as const },
    { name: 'schema/schema.yaml', type: 'file' as const, data: bytes('schema: {}\n') },
    { name: 'scripts/run.sh', type: 'file' as const, data: bytes('#!/bin/sh\n'), mode: 0o755 },
    { name: longName, type: 'file' as const, data: bytes('x'.repeat(1000)) },
    { name: unicodeName, type: 'file' as const, data: new Uint8Array(0) },
  ];

  it('round-trips files, folders, long and non-ASCII names', () => {
    const read = [...readTarEntries(encodeTar(entries))];
    expect(read.map((e) => [e.name, e.type, e.size])).toEqual([
      ['schema/', 'directory', 0],
      ['schema/schema.yaml', 'file', 11],
      ['scripts/run.sh', 'file', 10],
      [longName, 'file', 1000],
      [unicodeName, 'file', 0],
    ]);
    expect(text(read[1]?.data ?? new Uint8Array())).toBe('schema: {}\n');
  });

  it('writes archives that tar-stream reads back identically', async () => {
    const listed = await listTarEntries(encodeTar(entries));
    expect(listed.map((e) => e.name)).toEqual([
      'schema/',
      'schema/schema.yaml',
      'scripts/run.sh',
      longName,
      unicodeName,
    ]);
    expect(listed[2]?.mode).toBe(0o755);
    expect(listed[3]?.content).toBe('x'.repeat(1000));
  });

  it('reads archives written by tar-stream, including pax long names and links', async () => {
    const archive = await tarArchive([
      { name: longName, content: 'hello' },
      { name: 'link', type: 'symlink', linkname: `${'target/'.repeat(30)}t` },
      { name: 'dir', type: 'directory' },
    ]);
    const read = [...readTarEntries(archive)];
    expect(read.map((e) => [e.name, e.type, e.linkName])).toEqual([
      [longName, 'file', ''],
      ['link', 'symlink', `${'target/'.repeat(30)}t`],
      ['dir', 'directory', ''],
    ]);
    expect(text(read[0]?.data ?? new Uint8Array())).toBe('hello');
  });

  it('recognises the ustar magic', () => {
    expect(looksLikeTar(encodeTar(entries))).toBe(true);
    expect(looksLikeTar(bytes('not a tar file'.repeat(100)))).toBe(false);
  });

  it('rejects a header with a wrong checksum', () => {
    const archive = concat([
      rawTarHeader({ name: 'a', size: 0, typeFlag: '0', checksum: 'wrong' }),
      new Uint8Array(1024),
    ]);
    expect(() => [...readTarEntries(archive)]).toThrow(TarFormatError);
    expect(() => [...readTarEntries(archive)]).toThrow(/checksum mismatch/);
  });

  it('rejects an archive that ends inside an entry', () => {
    const archive = concat([
      rawTarHeader({ name: 'a', size: 5000, typeFlag: '0' }),
      new Uint8Array(512),
    ]);
    expect(() => [...readTarEntries(archive)]).toThrow(/truncated/);
  });

  it('reports unknown type flags as unsupported', () => {
    const archive = concat([
      rawTarHeader({ name: 'sparse', size: 0, typeFlag: 'S' }),
      new Uint8Array(1024),
    ]);
    expect([...readTarEntries(archive)].map((e) => [e.type, e.typeFlag])).toEqual([
      ['unsupported', 'S'],
    ]);
  });

  it('stops at the end-of-archive marker', () => {
    const archive = concat([
      encodeTar([{ name: 'a', type: 'file', data: bytes('1') }]),
      bytes('trailing garbage'),
    ]);
    expect([...readTarEntries(archive)].map((e) => e.name)).toEqual(['a']);
  });
});
