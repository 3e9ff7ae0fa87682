import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { SecretBox } from '../adapters/auth/secret-box.js';
import {
  knownMigrations,
  migrateTo,
  migrateToLatest,
  type DatabaseHandle,
} from '../adapters/db/database.js';
import type { Database } from '../adapters/db/schema.js';
import type { NucleonConfig } from '../main/config.js';
import { decodeBackup, encodeBackup, type Backup, type BackupHeader } from './backup-archive.js';
import { openForCare, readMasterKey } from './care-database.js';
import { readSnapshot, writeSnapshot } from './database-snapshot.js';
import { forEachSealed, keyFingerprint } from './sealed-values.js';

/** What a backup or restore did, for the CLI to report. */
export interface BackupSummary {
  tables: number;
  rows: number;
  secrets: number;
  masterKeyIncluded: boolean;
  masterKeyFingerprint: string;
}

function summarize(backup: Backup, secrets: number): BackupSummary {
  return {
    tables: backup.snapshot.tables.length,
    rows: backup.snapshot.tables.reduce((n, t) => n + t.rows.length, 0),
    secrets,
    masterKeyIncluded: backup.header.masterKey !== undefined,
    masterKeyFingerprint: backup.header.masterKeyFingerprint,
  };
}

/**
 * A snapshot of a database as an archive without the master key (what a running server hands
 * out through ExportBackup; the CLI adds the key from the data dir).
 */
export async function exportDatabase(
  db: Kysely<Database>,
  kind: DatabaseHandle['kind'],
  masterKey: Buffer,
): Promise<Buffer> {
  const snapshot = await readSnapshot(db);
  return encodeBackup({
    header: {
      format: 'nucleon-backup',
      version: 1,
      createdAt: new Date().toISOString(),
      database: kind,
      migrations: snapshot.migrations,
      masterKeyFingerprint: keyFingerprint(masterKey),
    },
    snapshot,
  });
}

/**
 * Adds what lives beside the database to an archive: the data dir's master key (unless
 * NUCLEON_MASTER_KEY holds it: then the operator keeps it) and its credentials file.
 */
export function completeBackup(
  archive: Buffer,
  config: NucleonConfig,
): { archive: Buffer; summary: BackupSummary } {
  const backup = decodeBackup(archive);
  const key = readMasterKey(config);
  if (keyFingerprint(key) !== backup.header.masterKeyFingerprint)
    throw new Error(
      `the snapshot's secrets are sealed with master key ${backup.header.masterKeyFingerprint}, but this data dir's key is ${keyFingerprint(key)}: run the backup with the data dir (--data-dir) or NUCLEON_MASTER_KEY the server uses.`,
    );
  const header: BackupHeader = { ...backup.header };
  if (!config.masterKey) header.masterKey = key.toString('base64');
  const credentials = join(config.dataDir, 'credentials');
  if (existsSync(credentials)) header.credentials = readFileSync(credentials, 'utf8');
  const complete = { header, snapshot: backup.snapshot };
  return { archive: encodeBackup(complete), summary: summarize(complete, -1) };
}

/**
 * Backs up an installation whose database this process can open: PostgreSQL (servers may be
 * running: the snapshot is one REPEATABLE READ transaction) or an embedded data dir no server
 * holds (a running one answers ExportBackup instead; DataDirLockedError says so).
 */
export async function createBackup(
  config: NucleonConfig,
): Promise<{ archive: Buffer; summary: BackupSummary }> {
  const care = await openForCare(config);
  try {
    const key = readMasterKey(config);
    return completeBackup(await exportDatabase(care.db, care.kind, key), config);
  } finally {
    await care.close();
  }
}

/** Is this database empty (no tables in its schema)? */
async function emptySchema(db: Kysely<Database>): Promise<boolean> {
  const row = await sql<{ n: number }>`
    select count(*)::int as n from information_schema.tables
    where table_schema = current_schema()`.execute(db);
  return Number(row.rows[0]?.n ?? 0) === 0;
}

/**
 * Restores a backup into a fresh data dir (embedded database) or an empty PostgreSQL database:
 * the schema of the backup's migrations, every row, the sequences, then this version's later
 * migrations; the master key and credentials file go back into the data dir. Every sealed
 * secret is then opened with the key, so a restore that could not use its secrets fails here.
 */
export async function restoreBackup(
  config: NucleonConfig,
  archive: Buffer,
): Promise<BackupSummary> {
  const backup = decodeBackup(archive);
  const { header } = backup;
  const known = knownMigrations();
  const unknown = header.migrations.filter((m) => !known.includes(m));
  if (unknown.length > 0)
    throw new Error(
      `the backup was made by a newer Nucleon (migrations ${unknown.join(', ')} are unknown here): restore it with that version or later.`,
    );
  const last = header.migrations.at(-1);
  if (!last) throw new Error('the backup has no migrations: it is not a Nucleon database');

  // The key first: without the one the secrets were sealed with, nothing is restored.
  let key: Buffer;
  if (config.masterKey) {
    key = Buffer.from(config.masterKey, 'base64');
    if (keyFingerprint(key) !== header.masterKeyFingerprint)
      throw new Error(
        `NUCLEON_MASTER_KEY is key ${keyFingerprint(key)}, but the backup's secrets are sealed with ${header.masterKeyFingerprint}: set it to the key the backed-up installation used.`,
      );
  } else if (header.masterKey) {
    key = Buffer.from(header.masterKey, 'base64');
  } else {
    throw new Error(
      `the backup does not hold its master key (the installation kept it in NUCLEON_MASTER_KEY): set NUCLEON_MASTER_KEY to that key (fingerprint ${header.masterKeyFingerprint}) and run the restore again.`,
    );
  }
  const keyFile = join(config.dataDir, 'master.key');
  if (!config.masterKey && existsSync(keyFile)) {
    const present = Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64');
    if (!present.equals(key))
      throw new Error(
        `${keyFile} already holds another master key: restore into a fresh data dir (--data-dir <new dir>).`,
      );
  }
  if (!config.databaseUrl) {
    const pgdata = join(config.dataDir, 'pgdata');
    if (existsSync(pgdata) && readdirSync(pgdata).length > 0)
      throw new Error(
        `${config.dataDir} already has a database: restore into a fresh data dir (--data-dir <new dir>).`,
      );
  }
  const care = await openForCare(config);
  try {
    if (!(await emptySchema(care.db)))
      throw new Error(
        'the target PostgreSQL database is not empty: restore into a new, empty database (createdb …) and point DATABASE_URL at it.',
      );
    await migrateTo(care.db, last);
    await writeSnapshot(care.db, backup.snapshot);
    await migrateToLatest(care.db);
    const box = new SecretBox(key);
    const secrets = await forEachSealed(care.db, (v) => {
      try {
        box.open(v.sealed);
      } catch {
        throw new Error(
          `the restored secret in ${v.table}.${v.column} does not open with the master key ${keyFingerprint(key)}`,
        );
      }
    });
    if (!config.masterKey && !existsSync(keyFile))
      writeFileSync(keyFile, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    const credentials = join(config.dataDir, 'credentials');
    if (header.credentials && !existsSync(credentials))
      writeFileSync(credentials, header.credentials, { mode: 0o600, flag: 'wx' });
    return summarize(backup, secrets);
  } finally {
    await care.close();
  }
}
