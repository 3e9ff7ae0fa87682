import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { BundleStore } from '../../ports/bundle-store.js';
import type { Database } from './schema.js';

/** Bundles stored in the database, content-addressed, named by bucket and key like S3. */
export class PostgresBundleStore implements BundleStore {
  constructor(private readonly db: Kysely<Database>) {}

  async putBlob(data: Uint8Array): Promise<string> {
    const sha256 = createHash('sha256').update(data).digest('hex');
    await this.db
      .insertInto('blobs')
      .values({ sha256, data, size: data.byteLength })
      .onConflict((oc) => oc.column('sha256').doNothing())
      .execute();
    return sha256;
  }

  async getBlob(sha256: string): Promise<Uint8Array | undefined> {
    const row = await this.db
      .selectFrom('blobs')
      .select('data')
      .where('sha256', '=', sha256)
      .executeTakeFirst();
    return row ? new Uint8Array(row.data) : undefined;
  }

  async putObject(bucket: string, key: string, data: Uint8Array): Promise<{ sha256: string }> {
    const sha256 = await this.putBlob(data);
    await this.db
      .insertInto('bundle_objects')
      .values({ bucket, key, sha256 })
      .onConflict((oc) => oc.columns(['bucket', 'key']).doUpdateSet({ sha256 }))
      .execute();
    return { sha256 };
  }

  async getObject(bucket: string, key: string): Promise<Uint8Array | undefined> {
    const row = await this.db
      .selectFrom('bundle_objects')
      .innerJoin('blobs', 'blobs.sha256', 'bundle_objects.sha256')
      .select('blobs.data')
      .where('bucket', '=', bucket)
      .where('key', '=', key)
      .executeTakeFirst();
    return row ? new Uint8Array(row.data) : undefined;
  }
}
