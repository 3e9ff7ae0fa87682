import { gunzipSync, gzipSync } from 'node:zlib';
import type { DatabaseSnapshot } from './database-snapshot.js';

/** The first line of a backup: what it is, where it came from, and the key its secrets need. */
export interface BackupHeader {
  format: 'nucleon-backup';
  version: 1;
  createdAt: string;
  database: 'pglite' | 'postgres';
  migrations: string[];
  /** Names the master key the secrets are sealed with (keyFingerprint). */
  masterKeyFingerprint: string;
  /** The master key itself (base64) when it lived in the data dir; absent when NUCLEON_MASTER_KEY held it. */
  masterKey?: string;
  /** The data dir's `credentials` file (the root key's profile), when there was one. */
  credentials?: string;
}

export interface Backup {
  header: BackupHeader;
  snapshot: Pick<DatabaseSnapshot, 'tables' | 'sequences'>;
}

/**
 * A backup archive: gzipped JSON lines. The header; then per table a `{"table","rows"}` line
 * followed by that many row lines (`row_to_json` text); then the sequences; then an end line
 * with the total, so a truncated file is refused rather than half restored.
 */
export function encodeBackup(backup: Backup): Buffer {
  const lines = [JSON.stringify(backup.header)];
  let total = 0;
  for (const t of backup.snapshot.tables) {
    lines.push(JSON.stringify({ table: t.name, rows: t.rows.length }));
    for (const row of t.rows) lines.push(row);
    total += t.rows.length;
  }
  lines.push(JSON.stringify({ sequences: backup.snapshot.sequences }));
  lines.push(JSON.stringify({ end: true, rows: total }));
  return gzipSync(lines.join('\n') + '\n');
}

export class BackupFormatError extends Error {
  constructor(message: string) {
    super(`not a usable Nucleon backup: ${message}`);
    this.name = 'BackupFormatError';
  }
}

export function decodeBackup(archive: Buffer): Backup {
  let text: string;
  try {
    text = gunzipSync(archive).toString('utf8');
  } catch (error) {
    throw new BackupFormatError(`it is not gzip data (${(error as Error).message})`);
  }
  const lines = text.split('\n');
  let at = 0;
  const next = (what: string): string => {
    const line = lines[at++];
    if (line === undefined || line === '') throw new BackupFormatError(`it ends before ${what}`);
    return line;
  };
  const header = JSON.parse(next('its header')) as BackupHeader;
  if (header.format !== 'nucleon-backup' || header.version !== 1)
    throw new BackupFormatError('its header is not a version 1 nucleon-backup header');
  const tables: Backup['snapshot']['tables'] = [];
  let total = 0;
  for (;;) {
    const marker = JSON.parse(next('its sequences')) as {
      table?: string;
      rows?: number;
      sequences?: Array<{ name: string; value: number }>;
    };
    if (marker.sequences) {
      const end = JSON.parse(next('its end line')) as { end?: boolean; rows?: number };
      if (!end.end || end.rows !== total)
        throw new BackupFormatError(`it holds ${total} rows but its end line says ${end.rows}`);
      return { header, snapshot: { tables, sequences: marker.sequences } };
    }
    if (!marker.table || typeof marker.rows !== 'number')
      throw new BackupFormatError(`line ${at} is neither a table nor the sequences`);
    const rows: string[] = [];
    for (let i = 0; i < marker.rows; i++) rows.push(next(`row ${i + 1} of ${marker.table}`));
    tables.push({ name: marker.table, rows });
    total += rows.length;
  }
}
