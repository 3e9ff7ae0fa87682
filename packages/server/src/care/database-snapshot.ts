import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../adapters/db/schema.js';

/** The migration bookkeeping tables: the restore makes them by migrating, never by copying. */
const MIGRATION_TABLES = new Set(['nucleon_migrations', 'nucleon_migrations_lock']);

/** Every row of every table, read in one snapshot (REPEATABLE READ, read only). */
export interface DatabaseSnapshot {
  /** The migrations applied when the snapshot was taken, in order. */
  migrations: string[];
  /** Tables in an order that satisfies their foreign keys; each row is `row_to_json` text. */
  tables: Array<{ name: string; rows: string[] }>;
  /** Sequence positions, so ids restored keep counting from where they were. */
  sequences: Array<{ name: string; value: number }>;
}

type Db = Kysely<Database> | Transaction<Database>;

/** Base tables of the current schema, parents before children (foreign keys). */
async function tablesInOrder(db: Db): Promise<string[]> {
  const tables = (
    await sql<{ name: string }>`
      select table_name as name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE'
      order by table_name`.execute(db)
  ).rows
    .map((r) => r.name)
    .filter((name) => !MIGRATION_TABLES.has(name));
  const edges = (
    await sql<{ child: string; parent: string }>`
      select c.conrelid::regclass::text as child, c.confrelid::regclass::text as parent
      from pg_constraint c join pg_namespace n on n.oid = c.connamespace
      where c.contype = 'f' and n.nspname = current_schema()`.execute(db)
  ).rows;
  const parents = new Map<string, Set<string>>(tables.map((t) => [t, new Set<string>()]));
  for (const e of edges)
    if (e.child !== e.parent) parents.get(unquote(e.child))?.add(unquote(e.parent));
  const ordered: string[] = [];
  const placed = new Set<string>();
  while (ordered.length < tables.length) {
    const next = tables.find(
      (t) => !placed.has(t) && [...parents.get(t)!].every((p) => placed.has(p) || !parents.has(p)),
    );
    if (!next) throw new Error('the tables have a foreign-key cycle; cannot order the backup');
    ordered.push(next);
    placed.add(next);
  }
  return ordered;
}

const unquote = (name: string) => name.replace(/^"(.*)"$/, '$1');

/** Reads the whole database in one REPEATABLE READ snapshot: consistent while servers write. */
export async function readSnapshot(db: Kysely<Database>): Promise<DatabaseSnapshot> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      const migrations = (
        await sql<{ name: string }>`select name from nucleon_migrations order by name`.execute(trx)
      ).rows.map((r) => r.name);
      const tables: DatabaseSnapshot['tables'] = [];
      for (const name of await tablesInOrder(trx)) {
        const rows = await sql<{ j: string }>`
          select row_to_json(t)::text as j from ${sql.table(name)} t`.execute(trx);
        tables.push({ name, rows: rows.rows.map((r) => r.j) });
      }
      const sequences = (
        await sql<{ name: string; value: string | number | null }>`
          select sequencename as name, last_value as value from pg_sequences
          where schemaname = current_schema()`.execute(trx)
      ).rows
        .filter((r) => r.value !== null)
        .map((r) => ({ name: r.name, value: Number(r.value) }));
      return { migrations, tables, sequences };
    });
}

/** Loads a snapshot's rows into a database whose schema matches them, in one transaction. */
export async function writeSnapshot(
  db: Kysely<Database>,
  snapshot: Pick<DatabaseSnapshot, 'tables' | 'sequences'>,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const existing = new Set(await tablesInOrder(trx));
    for (const table of snapshot.tables) {
      if (!existing.has(table.name))
        throw new Error(`the backup has a table ${table.name} that this database does not`);
      if (table.rows.length === 0) continue;
      // The backup's columns by name: a column a later migration added keeps its default.
      const columns = Object.keys(JSON.parse(table.rows[0]!) as Record<string, unknown>).map((c) =>
        sql.ref(c),
      );
      const list = sql.join(columns);
      for (let i = 0; i < table.rows.length; i += 200) {
        const batch = `[${table.rows.slice(i, i + 200).join(',')}]`;
        await sql`
          insert into ${sql.table(table.name)} (${list}) overriding system value
          select ${list} from json_populate_recordset(null::${sql.table(table.name)}, ${batch}::json)`.execute(
          trx,
        );
      }
    }
    for (const s of snapshot.sequences)
      await sql`select setval(${quoteIdent(s.name)}::text::regclass, ${s.value}::bigint, true)`.execute(
        trx,
      );
  });
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
