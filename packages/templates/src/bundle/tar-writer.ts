/** One entry to write into a tar archive. */
export interface TarWriteEntry {
  readonly name: string;
  readonly type: 'file' | 'directory';
  readonly data?: Uint8Array;
  /** Permission bits; defaults to 0o644 for files and 0o755 for folders. */
  readonly mode?: number;
}

const BLOCK = 512;
const encoder = new TextEncoder();

/**
 * Encodes entries as a POSIX ustar archive. Long or non-ASCII names get a pax `path` record.
 * Timestamps and owners are fixed (mtime 0, uid/gid 0) so that the same files always produce
 * the same bytes.
 */
export function encodeTar(entries: readonly TarWriteEntry[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const entry of entries) {
    const data = entry.type === 'file' ? (entry.data ?? new Uint8Array(0)) : new Uint8Array(0);
    const name =
      entry.type === 'directory' && !entry.name.endsWith('/') ? `${entry.name}/` : entry.name;
    const split = splitUstarName(name);
    if (split === undefined) {
      const pax = encoder.encode(paxRecord('path', name));
      blocks.push(header({ name: 'PaxHeader', typeFlag: 'x', size: pax.length, mode: 0o644 }));
      blocks.push(...padded(pax));
    }
    const mode = entry.mode ?? (entry.type === 'directory' ? 0o755 : 0o644);
    const typeFlag = entry.type === 'directory' ? '5' : '0';
    blocks.push(
      header({
        ...(split ?? { name: name.slice(0, 99), prefix: '' }),
        typeFlag,
        size: data.length,
        mode,
      }),
    );
    blocks.push(...padded(data));
  }
  blocks.push(new Uint8Array(BLOCK * 2));
  return concat(blocks);
}

/** Splits a name into ustar `prefix` / `name` fields, or returns undefined if it does not fit. */
function splitUstarName(name: string): { name: string; prefix: string } | undefined {
  if (!/^[\u0020-\u007e]*$/.test(name)) return undefined;
  if (name.length <= 100) return { name, prefix: '' };
  for (let cut = name.indexOf('/'); cut !== -1; cut = name.indexOf('/', cut + 1)) {
    const prefix = name.slice(0, cut);
    const rest = name.slice(cut + 1);
    if (prefix.length <= 155 && rest.length <= 100 && rest.length > 0)
      return { name: rest, prefix };
  }
  return undefined;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLength = encoder.encode(body).length;
  let length = bodyLength + String(bodyLength).length;
  if (String(length).length + bodyLength !== length) length += 1;
  return `${length}${body}`;
}

interface HeaderFields {
  readonly name: string;
  readonly prefix?: string;
  readonly typeFlag: string;
  readonly size: number;
  readonly mode: number;
}

function header(fields: HeaderFields): Uint8Array {
  const block = new Uint8Array(BLOCK);
  writeString(block, 0, 100, fields.name);
  writeOctal(block, 100, 8, fields.mode);
  writeOctal(block, 108, 8, 0); // uid
  writeOctal(block, 116, 8, 0); // gid
  writeOctal(block, 124, 12, fields.size);
  writeOctal(block, 136, 12, 0); // mtime
  block.fill(0x20, 148, 156); // checksum placeholder
  writeString(block, 156, 1, fields.typeFlag);
  writeString(block, 257, 6, 'ustar\0');
  writeString(block, 263, 2, '00');
  writeString(block, 345, 155, fields.prefix ?? '');
  const sum = block.reduce((total, byte) => total + byte, 0);
  writeString(block, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return block;
}

function writeString(block: Uint8Array, offset: number, length: number, value: string): void {
  block.set(encoder.encode(value).subarray(0, length), offset);
}

function writeOctal(block: Uint8Array, offset: number, length: number, value: number): void {
  writeString(block, offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
}

function padded(data: Uint8Array): Uint8Array[] {
  const remainder = data.length % BLOCK;
  return remainder === 0 ? [data] : [data, new Uint8Array(BLOCK - remainder)];
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
