import type { Kysely } from 'kysely';
import type { SettingsStore } from '../../ports/settings-store.js';
import type { Database } from './schema.js';

export class PostgresSettingsStore implements SettingsStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(key: string): Promise<unknown> {
    const row = await this.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirst();
    return row ? (typeof row.value === 'string' ? JSON.parse(row.value) : row.value) : undefined;
  }

  async put(key: string, value: unknown): Promise<void> {
    await this.db
      .insertInto('settings')
      .values({ key, value: JSON.stringify(value) })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value) }))
      .execute();
  }
}
