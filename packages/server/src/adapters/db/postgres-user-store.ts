import type { Grant, GrantKind, Role } from '@nucleon/core';
import type { Kysely } from 'kysely';
import type { UserRecord, UserStore } from '../../ports/user-store.js';
import type { Database } from './schema.js';

/** Users and grants in the database; a user's keys and grants go with it. */
export class PostgresUserStore implements UserStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(name: string): Promise<UserRecord | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    return row ? toUser(row) : undefined;
  }

  async list(): Promise<UserRecord[]> {
    return (await this.db.selectFrom('users').selectAll().orderBy('name').execute()).map(toUser);
  }

  async insert(user: Omit<UserRecord, 'createdAt'>): Promise<boolean> {
    const r = await this.db
      .insertInto('users')
      .values({ name: user.name, role: user.role, password_hash: user.passwordHash })
      .onConflict((oc) => oc.column('name').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async delete(name: string): Promise<string[] | undefined> {
    return this.db.transaction().execute(async (tx) => {
      const keys = await tx
        .deleteFrom('access_keys')
        .where('user_name', '=', name)
        .returning('access_key_id')
        .execute();
      await tx.deleteFrom('grants').where('user_name', '=', name).execute();
      const r = await tx.deleteFrom('users').where('name', '=', name).executeTakeFirst();
      return Number(r.numDeletedRows) > 0 ? keys.map((k) => k.access_key_id) : undefined;
    });
  }

  async grantsOf(name: string): Promise<Grant[]> {
    const rows = await this.db
      .selectFrom('grants')
      .select(['kind', 'pattern'])
      .where('user_name', '=', name)
      .orderBy('kind')
      .orderBy('pattern')
      .execute();
    return rows.map((r) => ({ kind: r.kind as GrantKind, pattern: r.pattern }));
  }

  async addGrant(name: string, grant: Grant): Promise<boolean> {
    const r = await this.db
      .insertInto('grants')
      .values({ user_name: name, kind: grant.kind, pattern: grant.pattern })
      .onConflict((oc) => oc.columns(['user_name', 'kind', 'pattern']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async removeGrant(name: string, grant: Grant): Promise<boolean> {
    const r = await this.db
      .deleteFrom('grants')
      .where('user_name', '=', name)
      .where('kind', '=', grant.kind)
      .where('pattern', '=', grant.pattern)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}

function toUser(row: {
  name: string;
  role: string;
  password_hash: string | null;
  created_at: Date;
}): UserRecord {
  return {
    name: row.name,
    role: row.role as Role,
    passwordHash: row.password_hash,
    createdAt: new Date(row.created_at),
  };
}
