import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';

/** Workspaces are small (a template folder and its inputs); larger ones are refused. */
const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

/**
 * Packs a workspace folder into a ZIP archive (what CodeBuild takes as an S3 source), keeping
 * each file's Unix mode so scripts stay executable. Only regular files and folders are packed:
 * a symbolic link could point outside the workspace, so it is refused with its path named.
 */
export async function zipFolder(
  root: string,
  options: { maxBytes?: number } = {},
): Promise<Buffer> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const entries: Array<{ name: string; data: Buffer; mode: number }> = [];
  let total = 0;
  const walk = async (dir: string, prefix: string): Promise<void> => {
    const names = (await readdir(dir)).sort();
    for (const name of names) {
      const path = join(dir, name);
      const rel = prefix ? `${prefix}/${name}` : name;
      const info = await lstat(path);
      if (info.isDirectory()) await walk(path, rel);
      else if (info.isFile()) {
        const data = await readFile(path);
        total += data.length;
        if (total > maxBytes)
          throw new Error(`the workspace is larger than ${maxBytes} bytes; it cannot be uploaded`);
        entries.push({ name: rel, data, mode: info.mode & 0o777 });
      } else throw new Error(`the workspace holds ${rel}, which is not a regular file or folder`);
    }
  };
  await walk(root, '');
  return buildZip(entries);
}

const DOS_DATE = (1 << 5) | 1;

function buildZip(entries: ReadonlyArray<{ name: string; data: Buffer; mode: number }>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const packed = deflateRawSync(entry.data);
    const crc = crc32(entry.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(0, 10); // a fixed time and date (1980-01-01): reproducible archives
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, packed);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, so the mode below is read
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(entry.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((0o100000 | entry.mode) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  if (entries.length > 0xffff || offset > 0xffffffff)
    throw new Error('the workspace has too many files for a ZIP archive');
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
