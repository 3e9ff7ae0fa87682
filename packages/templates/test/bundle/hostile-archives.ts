/**
 * Builders for tar and gzip archives used by the bundle tests, including hostile ones (path
 * traversal, links, devices, floods of entries, decompression bombs). Archives are made with
 * tar-stream, an implementation independent of Nucleon's own tar reader and writer.
 */
import { constants, crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { extract, pack, type Headers } from 'tar-stream';

/** One entry for {@link tarArchive}; files default to type `file`. */
export interface ArchiveEntry {
  readonly name: string;
  readonly type?: Headers['type'];
  readonly content?: string | Uint8Array;
  readonly linkname?: string;
  readonly mode?: number;
}

/** A tar archive (uncompressed) holding `entries`, made by tar-stream. */
export async function tarArchive(entries: readonly ArchiveEntry[]): Promise<Uint8Array> {
  const archive = pack();
  const chunks: Uint8Array[] = [];
  const collected = (async () => {
    for await (const chunk of archive) chunks.push(chunk);
  })();
  for (const entry of entries) {
    const type = entry.type ?? 'file';
    const header = {
      name: entry.name,
      type,
      mode: entry.mode ?? (type === 'directory' ? 0o755 : 0o644),
      mtime: new Date(0),
      ...(entry.linkname === undefined ? {} : { linkname: entry.linkname }),
      ...(type === 'character-device' || type === 'block-device'
        ? { devmajor: 1, devminor: 3 }
        : {}),
    };
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error | null): void => (error ? reject(error) : resolve());
      const content = type === 'file' ? (entry.content ?? '') : '';
      archive.entry(header, typeof content === 'string' ? content : Buffer.from(content), done);
    });
  }
  archive.finalize();
  await collected;
  return concat(chunks);
}

/** A gzipped tar archive holding `entries`. */
export async function tarGzArchive(entries: readonly ArchiveEntry[]): Promise<Uint8Array> {
  return new Uint8Array(gzipSync(await tarArchive(entries)));
}

/** Files of a bundle folder as archive entries, optionally under a wrapper folder. */
export function bundleEntries(
  files: Readonly<Record<string, string>>,
  wrapper = '',
): ArchiveEntry[] {
  return Object.entries(files).map(([name, content]) => ({ name: `${wrapper}${name}`, content }));
}

/** A .tar.gz holding `count` empty files (default 10,000): a flood of entries. */
export async function manyFilesArchive(count = 10_000): Promise<Uint8Array> {
  const entries = Array.from({ length: count }, (_, i) => ({
    name: `junk/file-${i}.txt`,
    content: '',
  }));
  return tarGzArchive(entries);
}

const MiB = 1024 * 1024;

/**
 * A gzip bomb: a valid .tar.gz whose single file is `totalBytes` (default 1 GiB) of zeros,
 * about 1 MB compressed. It is assembled segment by segment — a tar header, then the same
 * fully flushed deflate segment of 1 MiB of zeros repeated — so building it never holds or
 * compresses the whole payload; only the CRC is computed over the zeros.
 */
export function gzipBomb(totalBytes = 1024 * MiB): Uint8Array {
  const megabytes = Math.ceil(totalBytes / MiB);
  const zeros = new Uint8Array(MiB);
  const header = rawTarHeader({ name: 'zeros.bin', size: megabytes * MiB, typeFlag: '0' });
  const flush = { finishFlush: constants.Z_FULL_FLUSH, level: 9 };
  const parts: Uint8Array[] = [
    new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3]),
    deflateRawSync(header, flush),
  ];
  const segment = deflateRawSync(zeros, flush);
  let crc = crc32(header);
  for (let i = 0; i < megabytes; i++) {
    parts.push(segment);
    crc = crc32(zeros, crc);
  }
  parts.push(deflateRawSync(new Uint8Array(0))); // final empty block
  const trailer = new Uint8Array(8);
  const view = new DataView(trailer.buffer);
  view.setUint32(0, crc >>> 0, true);
  view.setUint32(4, (header.length + megabytes * MiB) % 2 ** 32, true);
  parts.push(trailer);
  return concat(parts);
}

/**
 * A raw ustar header block, for entries tar-stream will not write (bad checksums, odd type
 * flags). `checksum: 'wrong'` writes an invalid checksum.
 */
export function rawTarHeader(options: {
  name: string;
  size: number;
  typeFlag: string;
  checksum?: 'right' | 'wrong';
}): Uint8Array {
  const block = new Uint8Array(512);
  const put = (offset: number, text: string): void =>
    block.set(new TextEncoder().encode(text), offset);
  put(0, options.name);
  put(100, '0000644\0');
  put(108, '0000000\0');
  put(116, '0000000\0');
  put(124, `${options.size.toString(8).padStart(11, '0')}\0`);
  put(136, '00000000000\0');
  put(148, '        ');
  put(156, options.typeFlag);
  put(257, 'ustar\0');
  put(263, '00');
  const sum =
    block.reduce((total, byte) => total + byte, 0) + (options.checksum === 'wrong' ? 1 : 0);
  put(148, `${sum.toString(8).padStart(6, '0')}\0 `);
  return block;
}

/** Concatenates byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** What tar-stream sees in an archive (a second opinion on archives Nucleon writes). */
export interface ListedEntry {
  readonly name: string;
  readonly type: Headers['type'];
  readonly mode: number;
  readonly content: string;
}

/** Lists an uncompressed tar archive with tar-stream. */
export async function listTarEntries(archive: Uint8Array): Promise<ListedEntry[]> {
  const out: ListedEntry[] = [];
  const reader = extract();
  const done = (async () => {
    for await (const entry of reader) {
      const chunks: Uint8Array[] = [];
      for await (const chunk of entry) chunks.push(chunk);
      const { name, type, mode } = entry.header;
      out.push({ name, type, mode: mode ?? 0, content: new TextDecoder().decode(concat(chunks)) });
    }
  })();
  reader.end(Buffer.from(archive));
  await done;
  return out;
}
