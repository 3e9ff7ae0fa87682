import { sql, type Kysely, type Selectable } from 'kysely';
import type { RepositoryRecord, RepositoryStore } from '../../ports/repository-store.js';
import type { SecretBox } from '../auth/secret-box.js';
import type { Database } from './schema.js';

/** Linked repositories; HTTPS tokens sealed with the master key. */
export class PostgresRepositoryStore implements RepositoryStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly box: SecretBox,
  ) {}

  private toRecord(r: Selectable<Database['repositories']>): RepositoryRecord {
    return {
      provider: r.provider,
      name: r.name,
      arn: r.arn,
      connectionArn: r.connection_arn,
      encryptionKey: r.encryption_key,
      remoteUrl: r.remote_url,
      token: r.token_ciphertext ? this.box.open(r.token_ciphertext) : null,
      createdAt: new Date(r.created_at),
    };
  }

  async get(provider: string, name: string) {
    const r = await this.db
      .selectFrom('repositories')
      .selectAll()
      .where('provider', '=', provider)
      .where('name', '=', name)
      .executeTakeFirst();
    return r ? this.toRecord(r) : undefined;
  }

  async page(
    filter: { provider?: string | undefined },
    page: { after?: readonly [string, string] | undefined; limit: number },
  ) {
    let q = this.db
      .selectFrom('repositories')
      .select(['provider', 'name', 'arn', 'connection_arn', 'encryption_key'])
      .orderBy('provider')
      .orderBy('name')
      .limit(page.limit);
    if (filter.provider !== undefined) q = q.where('provider', '=', filter.provider);
    if (page.after) {
      const [provider, name] = page.after;
      q = q.where(sql<boolean>`(provider, name) > (${provider}, ${name})`);
    }
    return (await q.execute()).map((r) => ({
      provider: r.provider,
      name: r.name,
      arn: r.arn,
      connectionArn: r.connection_arn,
      encryptionKey: r.encryption_key,
    }));
  }

  async list() {
    return (
      await this.db
        .selectFrom('repositories')
        .selectAll()
        .orderBy('provider')
        .orderBy('name')
        .execute()
    ).map((r) => this.toRecord(r));
  }

  async insert(record: RepositoryRecord) {
    const r = await this.db
      .insertInto('repositories')
      .values({
        provider: record.provider,
        name: record.name,
        arn: record.arn,
        connection_arn: record.connectionArn,
        encryption_key: record.encryptionKey,
        remote_url: record.remoteUrl,
        token_ciphertext: record.token ? this.box.seal(record.token) : null,
        created_at: record.createdAt,
      })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async setRemote(provider: string, name: string, remoteUrl: string, token: string | null) {
    const r = await this.db
      .updateTable('repositories')
      .set({ remote_url: remoteUrl, token_ciphertext: token ? this.box.seal(token) : null })
      .where('provider', '=', provider)
      .where('name', '=', name)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async delete(provider: string, name: string) {
    const r = await this.db
      .deleteFrom('repositories')
      .where('provider', '=', provider)
      .where('name', '=', name)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
