import { parse, protocol, type PGlite, type Transaction } from '@electric-sql/pglite';
import {
  type CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';

/**
 * Named prepared statements of one PGlite (by SQL text): the statement name and its parameter
 * types. PGlite's own `query` parses, plans and describes every statement anew, in six calls into
 * the database; a prepared one runs in one call (bind, describe, execute, sync), with no parse
 * or plan. Bounded: past the limit, statements run through `query` as before.
 */
interface Prepared {
  name: string;
  types: number[];
}
const preparedOf = new WeakMap<PGlite, Map<string, Prepared>>();
const MAX_PREPARED = 500;
/** Errors after which a statement is prepared anew (a plan whose result changed, a statement gone). */
const STALE_STATEMENT = new Set(['0A000', '26000']);

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

/**
 * Runs a parameterized statement outside any transaction as a named prepared statement. Holds
 * PGlite's transaction lock, as `query` does, so it never runs inside another caller's open
 * transaction.
 */
async function runPrepared<R>(pglite: PGlite, sql: string, values: readonly unknown[]) {
  let statements = preparedOf.get(pglite);
  if (!statements) preparedOf.set(pglite, (statements = new Map<string, Prepared>()));
  const known = statements;
  if (!known.has(sql) && known.size >= MAX_PREPARED) return pglite.query<R>(sql, [...values]);
  const { serialize } = protocol;
  return pglite._runExclusiveTransaction(() =>
    pglite._runExclusiveQuery(async () => {
      let statement = known.get(sql);
      if (!statement) {
        const name = `nucleon_${known.size + 1}`;
        const { messages } = await pglite.execProtocol(
          concat([
            serialize.parse({ name, text: sql }),
            serialize.describe({ type: 'S', name }),
            serialize.sync(),
          ]),
        );
        statement = { name, types: parse.parseDescribeStatementResults(messages) };
        known.set(sql, statement);
      }
      const types = statement.types;
      const params = values.map((v, i) => {
        if (v === null || v === undefined) return null;
        const serializer = pglite.serializers[types[i]!];
        return serializer ? serializer(v) : (v as { toString(): string }).toString();
      });
      try {
        const { messages } = await pglite.execProtocol(
          concat([
            serialize.bind({ statement: statement.name, values: params }),
            serialize.describe({ type: 'P' }),
            serialize.execute({}),
            serialize.sync(),
          ]),
        );
        return parse.parseResults(messages, pglite.parsers)[0]!;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code && STALE_STATEMENT.has(code)) {
          known.delete(sql);
          await pglite
            .execProtocol(
              concat([serialize.close({ type: 'S', name: statement.name }), serialize.sync()]),
            )
            .catch(() => undefined);
        }
        throw error;
      }
    }),
  ) as unknown as Promise<{ rows: R[]; affectedRows?: number }>;
}

/**
 * A Kysely dialect over an in-process PGlite. Transactions run inside `db.transaction()`, which
 * PGlite isolates from every other caller (a bare BEGIN/ROLLBACK is not isolated; see
 * docs/adr/0002-database.md). Only the driver differs from the PostgreSQL dialect.
 */
export class PGliteDialect implements Dialect {
  constructor(private readonly pglite: PGlite) {}
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new PGliteDriver(this.pglite);
  }
  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
}

class PGliteDriver implements Driver {
  constructor(private readonly pglite: PGlite) {}
  async init(): Promise<void> {}
  acquireConnection(): Promise<DatabaseConnection> {
    return Promise.resolve(new PGliteConnection(this.pglite));
  }
  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PGliteConnection).begin();
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PGliteConnection).end(true);
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PGliteConnection).end(false);
  }
  async releaseConnection(): Promise<void> {}
  async destroy(): Promise<void> {}
}

class PGliteConnection implements DatabaseConnection {
  private tx: Transaction | undefined;
  private finish: ((commit: boolean) => void) | undefined;
  private done: Promise<void> | undefined;

  constructor(private readonly pglite: PGlite) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    // Outside a transaction, parameterized statements are prepared once and reused.
    const result =
      !this.tx && query.parameters.length > 0
        ? await runPrepared<R>(this.pglite, query.sql, query.parameters)
        : await (this.tx ?? this.pglite).query<R>(query.sql, [...query.parameters]);
    const affected = result.affectedRows;
    return {
      rows: result.rows,
      ...(affected !== undefined ? { numAffectedRows: BigInt(affected) } : {}),
    };
  }

  streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported on PGlite');
  }

  async begin(): Promise<void> {
    let started!: () => void;
    const ready = new Promise<void>((resolve) => (started = resolve));
    this.done = this.pglite
      .transaction(async (tx) => {
        this.tx = tx;
        started();
        const commit = await new Promise<boolean>((resolve) => (this.finish = resolve));
        if (!commit) await tx.rollback();
      })
      .finally(() => {
        this.tx = undefined;
        this.finish = undefined;
      });
    await Promise.race([ready, this.done]);
  }

  async end(commit: boolean): Promise<void> {
    const done = this.done;
    this.finish?.(commit);
    this.done = undefined;
    if (done) await done;
  }
}
