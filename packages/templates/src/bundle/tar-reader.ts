/** Kinds of tar entries, as far as bundle unpacking cares. */
export type TarEntryType =
  | 'file'
  | 'directory'
  | 'symlink'
  | 'hardlink'
  | 'character-device'
  | 'block-device'
  | 'fifo'
  | 'unsupported';

/** One entry of a tar archive; `data` is a view into the archive buffer (no copy). */
export interface TarEntry {
  readonly name: string;
  readonly type: TarEntryType;
  /** The raw type flag, for messages about unsupported entries. */
  readonly typeFlag: string;
  readonly size: number;
  readonly linkName: string;
  readonly data: Uint8Array;
}

/** The archive is not a well-formed tar stream. */
export class TarFormatError extends Error {
  override readonly name = 'TarFormatError';
}

const BLOCK = 512;
const decoder = new TextDecoder('utf-8');

const TYPE_BY_FLAG: Readonly<Record<string, TarEntryType>> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'character-device',
  '4': 'block-device',
  '5': 'directory',
  '6': 'fifo',
};

/** True when `data` starts with a tar header carrying the ustar magic (POSIX or GNU). */
export function looksLikeTar(data: Uint8Array): boolean {
  if (data.length < BLOCK) return false;
  return decoder.decode(data.subarray(257, 262)) === 'ustar';
}

/**
 * Reads the entries of an uncompressed tar archive held in memory, lazily, so that a caller can
 * stop at the first rejected entry. Understands ustar, POSIX pax (`path`, `linkpath`, `size`)
 * and GNU long names. Checksums are verified.
 */
export function* readTarEntries(tar: Uint8Array): Generator<TarEntry> {
  let offset = 0;
  let pending: { name?: string; linkName?: string; size?: number } = {};
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) return; // end-of-archive marker
    verifyChecksum(header, offset);
    const typeFlag = String.fromCharCode(header[156] ?? 0);
    const size = pending.size ?? parseNumber(header.subarray(124, 136), offset);
    const dataStart = offset + BLOCK;
    if (dataStart + size > tar.length) {
      throw new TarFormatError(
        `archive is truncated: an entry at byte ${offset} needs ${size} bytes`,
      );
    }
    const data = tar.subarray(dataStart, dataStart + size);
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (typeFlag === 'x') {
      pending = { ...pending, ...parsePax(data) };
      continue;
    }
    if (typeFlag === 'L' || typeFlag === 'K') {
      const text = cString(data);
      pending = typeFlag === 'L' ? { ...pending, name: text } : { ...pending, linkName: text };
      continue;
    }
    if (typeFlag === 'g') continue; // global pax header: nothing in it matters here
    yield {
      name: pending.name ?? headerName(header),
      type: TYPE_BY_FLAG[typeFlag] ?? 'unsupported',
      typeFlag,
      size,
      linkName: pending.linkName ?? cString(header.subarray(157, 257)),
      data,
    };
    pending = {};
  }
  if (offset < tar.length && !tar.subarray(offset).every((byte) => byte === 0)) {
    throw new TarFormatError('archive is truncated: it ends inside a header');
  }
}

function headerName(header: Uint8Array): string {
  const name = cString(header.subarray(0, 100));
  const isPosixUstar = decoder.decode(header.subarray(257, 263)) === 'ustar\0';
  const prefix = isPosixUstar ? cString(header.subarray(345, 500)) : '';
  return prefix === '' ? name : `${prefix}/${name}`;
}

function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return decoder.decode(end === -1 ? bytes : bytes.subarray(0, end));
}

function parseNumber(field: Uint8Array, offset: number): number {
  const first = field[0] ?? 0;
  if (first & 0x80) {
    // GNU base-256: big-endian binary in the remaining bytes.
    let value = 0;
    for (const byte of field.subarray(1)) value = value * 256 + byte;
    return value;
  }
  const text = cString(field).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) {
    throw new TarFormatError(`corrupt tar header at byte ${offset}: bad number "${text}"`);
  }
  return parseInt(text, 8);
}

function verifyChecksum(header: Uint8Array, offset: number): void {
  const expected = parseNumber(header.subarray(148, 156), offset);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : (header[i] ?? 0);
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  if (expected !== unsigned && expected !== signed) {
    throw new TarFormatError(`corrupt tar header at byte ${offset}: checksum mismatch`);
  }
}

function parsePax(data: Uint8Array): { name?: string; linkName?: string; size?: number } {
  const result: { name?: string; linkName?: string; size?: number } = {};
  const text = decoder.decode(data);
  let position = 0;
  while (position < text.length) {
    const space = text.indexOf(' ', position);
    const newline = text.indexOf('\n', space);
    if (space === -1 || newline === -1) break;
    const record = text.slice(space + 1, newline);
    const equals = record.indexOf('=');
    const key = record.slice(0, equals);
    const value = record.slice(equals + 1);
    if (key === 'path') result.name = value;
    if (key === 'linkpath') result.linkName = value;
    if (key === 'size' && /^\d+$/.test(value)) result.size = Number(value);
    position = newline + 1;
  }
  return result;
}
