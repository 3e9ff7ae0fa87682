import type { Kysely } from 'kysely';
import type { AccessKeyRecord, AccessKeyStore } from '../../ports/access-key-store.js';
import type { SecretBox } from '../auth/secret-box.js';
import type { Database } from './schema.js';

/** Access keys in the database; secrets and session tokens sealed with the master key. */
export class PostgresAccessKeyStore implements AccessKeyStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly box: SecretBox,
  ) {}

  async get(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    const row = await this.db
      .selectFrom('access_keys')
      .selectAll()
      .where('access_key_id', '=', accessKeyId)
      .executeTakeFirst();
    return row ? this.toRecord(row) : undefined;
  }

  async list(): Promise<AccessKeyRecord[]> {
    const rows = await this.db
      .selectFrom('access_keys')
      .selectAll()
      .where('scope_arn', 'is', null)
      .orderBy('created_at')
      .execute();
    return rows.map((r) => this.toRecord(r));
  }

  async insert(record: Omit<AccessKeyRecord, 'createdAt'>): Promise<void> {
    await this.db
      .insertInto('access_keys')
      .values({
        access_key_id: record.accessKeyId,
        secret_ciphertext: this.box.seal(record.secretAccessKey),
        session_token: record.sessionToken ? this.box.seal(record.sessionToken) : null,
        description: record.description,
        is_root: record.isRoot,
        scope_arn: record.scopeArn,
        deployment_id: record.deploymentId ?? null,
        expires_at: record.expiresAt,
        user_name: record.userName ?? null,
        role: record.role ?? null,
        origin: record.origin ?? null,
        account_id: record.accountId ?? null,
      })
      .execute();
  }

  async delete(accessKeyId: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('access_keys')
      .where('access_key_id', '=', accessKeyId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async purgeScoped(now: Date): Promise<number> {
    const r = await this.db
      .deleteFrom('access_keys')
      .where('scope_arn', 'is not', null)
      .where((eb) =>
        eb.or([
          eb('expires_at', '<=', now),
          // A safety net: finishDeployment revokes them in its transaction already.
          eb.and([
            eb('deployment_id', 'is not', null),
            eb.not(
              eb.exists(
                eb
                  .selectFrom('deployments')
                  .select('deployments.id')
                  .whereRef('deployments.id', '=', 'access_keys.deployment_id')
                  .where('deployments.status', 'in', [
                    'IN_PROGRESS',
                    'CANCELLING',
                    'DELETE_IN_PROGRESS',
                  ]),
              ),
            ),
          ]),
        ]),
      )
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async retireEnvRootKeys(keep: string): Promise<string[]> {
    const rows = await this.db
      .deleteFrom('access_keys')
      .where('origin', '=', 'env')
      .where('is_root', '=', true)
      .where('access_key_id', '<>', keep)
      .returning('access_key_id')
      .execute();
    return rows.map((r) => r.access_key_id);
  }

  private toRecord(row: {
    access_key_id: string;
    secret_ciphertext: string;
    session_token: string | null;
    description: string | null;
    is_root: boolean;
    scope_arn: string | null;
    deployment_id: string | null;
    expires_at: Date | null;
    created_at: Date;
    user_name: string | null;
    role: string | null;
    origin: string | null;
    account_id: string | null;
  }): AccessKeyRecord {
    return {
      accessKeyId: row.access_key_id,
      secretAccessKey: this.box.open(row.secret_ciphertext),
      sessionToken: row.session_token ? this.box.open(row.session_token) : null,
      description: row.description,
      isRoot: row.is_root,
      scopeArn: row.scope_arn,
      deploymentId: row.deployment_id,
      expiresAt: row.expires_at ? new Date(row.expires_at) : null,
      createdAt: new Date(row.created_at),
      userName: row.user_name,
      role: row.role,
      origin: row.origin,
      accountId: row.account_id,
    };
  }
}
