import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { DataDirLock } from '../adapters/data-dir-lock.js';
import { openDatabase, type DatabaseHandle } from '../adapters/db/database.js';
import type { Database } from '../adapters/db/schema.js';
import type { NucleonConfig } from '../main/config.js';

/** A database opened by a care command (backup, restore, key rotation, doctor). */
export interface CareDatabase {
  db: Kysely<Database>;
  kind: DatabaseHandle['kind'];
  close(): Promise<void>;
}

/**
 * Opens the installation's database for a care command: PostgreSQL by URL (a small pool), or the
 * embedded database after taking the data dir's lock, so it never opens a PGlite dir a server
 * holds (DataDirLockedError names the holder).
 */
export async function openForCare(
  config: NucleonConfig,
  options: { create?: boolean } = {},
): Promise<CareDatabase> {
  if (options.create !== false) {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    chmodSync(config.dataDir, 0o700);
  }
  const lock = config.databaseUrl ? undefined : DataDirLock.acquire(config.dataDir);
  try {
    const handle = await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      poolSize: 2,
    });
    return {
      db: handle.db,
      kind: handle.kind,
      close: async () => {
        await handle.close();
        lock?.release();
      },
    };
  } catch (error) {
    lock?.release();
    throw error;
  }
}

/** The path of the data dir's master key, and of a rotation's new key before it is committed. */
export const masterKeyPath = (dataDir: string) => join(dataDir, 'master.key');
export const nextMasterKeyPath = (dataDir: string) => join(dataDir, 'master.key.next');

/** The master key in use: NUCLEON_MASTER_KEY, else the data dir's file (never generated here). */
export function readMasterKey(config: NucleonConfig): Buffer {
  if (config.masterKey) {
    const key = Buffer.from(config.masterKey, 'base64');
    if (key.length !== 32)
      throw new Error('NUCLEON_MASTER_KEY must be 32 bytes encoded in base64.');
    return key;
  }
  const path = masterKeyPath(config.dataDir);
  if (!existsSync(path))
    throw new Error(
      `${path} does not exist: point --data-dir (NUCLEON_DATA_DIR) at the installation's data dir, or set NUCLEON_MASTER_KEY.`,
    );
  const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new Error(`${path} does not hold a 32-byte base64 key.`);
  return key;
}
