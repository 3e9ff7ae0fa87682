import type { PGlite, Transaction } from '@electric-sql/pglite';
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
    const target = this.tx ?? this.pglite;
    const result = await target.query<R>(query.sql, [...query.parameters]);
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
