import { createHash } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../adapters/db/schema.js';

/** What SecretBox.seal writes: `v1:<iv>:<tag>:<ciphertext>`, base64url parts (12-byte iv, 16-byte tag). */
const SEALED = /^v1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]*$/;
const SEALED_LIKE = 'v1:%';

/** A short, non-secret name of a master key, to tell keys apart in backups and messages. */
export function keyFingerprint(key: Buffer): string {
  return createHash('sha256').update('nucleon-master-key').update(key).digest('hex').slice(0, 16);
}

/** One sealed value, where it lives. */
export interface SealedValue {
  table: string;
  column: string;
  /** The row's physical id in this transaction (changes when the row is updated). */
  ctid: string;
  sealed: string;
}

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Every text column in the schema; sealed secrets are found by their form, not by a list of
 * columns, so a secret column added later is rotated and checked without anyone remembering to.
 */
async function textColumns(db: Db): Promise<Array<{ table: string; column: string }>> {
  return (
    await sql<{ table: string; column: string }>`
      select c.table_name as "table", c.column_name as "column"
      from information_schema.columns c
      join information_schema.tables t
        on t.table_schema = c.table_schema and t.table_name = c.table_name
      where c.table_schema = current_schema() and t.table_type = 'BASE TABLE'
        and c.data_type in ('text', 'character varying')
      order by 1, 2`.execute(db)
  ).rows;
}

/** Every sealed value in one table column. */
async function sealedIn(db: Db, table: string, column: string): Promise<SealedValue[]> {
  const rows = await sql<{ ctid: string; v: string }>`
    select ctid::text as ctid, ${sql.ref(column)} as v from ${sql.table(table)}
    where ${sql.ref(column)} like ${SEALED_LIKE}`.execute(db);
  return rows.rows
    .filter((r) => SEALED.test(r.v))
    .map((r) => ({ table, column, ctid: r.ctid, sealed: r.v }));
}

/** Calls `each` with every sealed value in the database, column by column. */
export async function forEachSealed(
  db: Db,
  each: (value: SealedValue) => Promise<void> | void,
): Promise<number> {
  let n = 0;
  for (const { table, column } of await textColumns(db)) {
    for (const value of await sealedIn(db, table, column)) {
      await each(value);
      n++;
    }
  }
  return n;
}

/** Replaces one sealed value (guarded: only if it still holds what was read). */
export async function replaceSealed(db: Db, value: SealedValue, sealed: string): Promise<void> {
  const result = await sql`
    update ${sql.table(value.table)} set ${sql.ref(value.column)} = ${sealed}
    where ctid = ${value.ctid}::tid and ${sql.ref(value.column)} = ${value.sealed}`.execute(db);
  if (Number(result.numAffectedRows ?? 0) !== 1)
    throw new Error(
      `the secret in ${value.table}.${value.column} changed while it was re-encrypted`,
    );
}
