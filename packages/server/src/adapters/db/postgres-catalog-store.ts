import type { TemplateKind, TemplateVersionStatus, VersionRef } from '@nucleon/core';
import { CompiledQuery, sql, type Kysely, type Selectable } from 'kysely';
import type {
  CatalogStore,
  NewJob,
  Page,
  Tag,
  TemplateRecord,
  TemplateVersionRecord,
} from '../../ports/catalog-store.js';
import { pageTags, pageVersions, versionRefs } from './catalog-pages.js';
import { prepared } from './prepared-statements.js';
import type { Database } from './schema.js';

type TemplateRow = Selectable<Database['templates']>;
type VersionRow = Selectable<Database['template_versions']>;

function toTemplate(row: TemplateRow): TemplateRecord {
  return {
    kind: row.kind as TemplateKind,
    name: row.name,
    arn: row.arn,
    displayName: row.display_name,
    description: row.description,
    encryptionKey: row.encryption_key,
    provisioning: row.provisioning,
    createdAt: new Date(row.created_at),
    lastModifiedAt: new Date(row.last_modified_at),
  };
}

function toVersion(row: VersionRow): TemplateVersionRecord {
  return {
    kind: row.kind as TemplateKind,
    templateName: row.template_name,
    major: row.major,
    minor: row.minor,
    arn: row.arn,
    status: row.status as TemplateVersionStatus,
    statusMessage: row.status_message,
    description: row.description,
    schemaText: row.schema_text,
    compatibleEnvironmentTemplates: row.compatible_environment_templates,
    supportedComponentSources: row.supported_component_sources,
    sourceBucket: row.source_bucket,
    sourceKey: row.source_key,
    bundleSha256: row.bundle_sha256,
    createdAt: new Date(row.created_at),
    lastModifiedAt: new Date(row.last_modified_at),
  };
}

function versionRow(v: TemplateVersionRecord) {
  return {
    kind: v.kind,
    template_name: v.templateName,
    major: v.major,
    minor: v.minor,
    arn: v.arn,
    status: v.status,
    status_message: v.statusMessage,
    description: v.description,
    schema_text: v.schemaText,
    compatible_environment_templates: v.compatibleEnvironmentTemplates
      ? JSON.stringify(v.compatibleEnvironmentTemplates)
      : null,
    supported_component_sources: v.supportedComponentSources
      ? JSON.stringify(v.supportedComponentSources)
      : null,
    source_bucket: v.sourceBucket,
    source_key: v.sourceKey,
    bundle_sha256: v.bundleSha256,
    created_at: v.createdAt,
    last_modified_at: v.lastModifiedAt,
  };
}

/**
 * GetEnvironmentTemplate/GetServiceTemplate's read: the template row and its versions' refs (for
 * the recommended version) in one statement, written once rather than built per call (ADR 0024).
 */
const TEMPLATE_WITH_VERSION_REFS = prepared(
  'template_with_version_refs',
  `select t.*, coalesce((
    select json_agg(json_build_object('major', v.major, 'minor', v.minor, 'status', v.status))
    from template_versions v where v.kind = t.kind and v.template_name = t.name
  ), '[]'::json) as version_refs
  from templates t where t.kind = $1 and t.name = $2`,
);

/** The catalog in PostgreSQL (or PGlite) through Kysely. */
export class PostgresCatalogStore implements CatalogStore {
  constructor(private readonly db: Kysely<Database>) {}

  async getTemplate(kind: TemplateKind, name: string) {
    const row = await this.db
      .selectFrom('templates')
      .selectAll()
      .where('kind', '=', kind)
      .where('name', '=', name)
      .executeTakeFirst();
    return row ? toTemplate(row) : undefined;
  }

  async getTemplateWithVersionRefs(kind: TemplateKind, name: string) {
    const { rows } = await this.db.executeQuery<TemplateRow & { version_refs: VersionRef[] }>(
      CompiledQuery.raw(TEMPLATE_WITH_VERSION_REFS, [kind, name]),
    );
    const row = rows[0];
    return row ? { template: toTemplate(row), versions: row.version_refs } : undefined;
  }

  async listTemplates(kind: TemplateKind, page: Page) {
    let q = this.db
      .selectFrom('templates')
      .select([
        'kind',
        'name',
        'arn',
        'display_name',
        'description',
        'encryption_key',
        'provisioning',
        'created_at',
        'last_modified_at',
      ])
      .where('kind', '=', kind)
      .orderBy('name')
      .limit(page.limit);
    if (page.after !== undefined) q = q.where('name', '>', page.after);
    return (await q.execute()).map(toTemplate);
  }

  async countTemplates() {
    const row = await this.db
      .selectFrom('templates')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async insertTemplate(record: TemplateRecord, tags: readonly Tag[]) {
    return this.db.transaction().execute(async (tx) => {
      const inserted = await tx
        .insertInto('templates')
        .values({
          kind: record.kind,
          name: record.name,
          arn: record.arn,
          display_name: record.displayName,
          description: record.description,
          encryption_key: record.encryptionKey,
          provisioning: record.provisioning,
          created_at: record.createdAt,
          last_modified_at: record.lastModifiedAt,
        })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) return false;
      await putTagsIn(tx, record.arn, tags);
      return true;
    });
  }

  async updateTemplate(
    kind: TemplateKind,
    name: string,
    patch: Partial<Pick<TemplateRecord, 'displayName' | 'description'>>,
    now: Date,
  ) {
    const row = await this.db
      .updateTable('templates')
      .set({
        ...(patch.displayName !== undefined ? { display_name: patch.displayName } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        last_modified_at: now,
      })
      .where('kind', '=', kind)
      .where('name', '=', name)
      .returningAll()
      .executeTakeFirst();
    return row ? toTemplate(row) : undefined;
  }

  async deleteTemplate(kind: TemplateKind, name: string) {
    await this.db.transaction().execute(async (tx) => {
      const row = await tx
        .deleteFrom('templates')
        .where('kind', '=', kind)
        .where('name', '=', name)
        .returning('arn')
        .executeTakeFirst();
      if (row) await tx.deleteFrom('tags').where('resource_arn', '=', row.arn).execute();
    });
  }

  async listVersions(kind: TemplateKind, templateName: string) {
    const rows = await this.db
      .selectFrom('template_versions')
      .selectAll()
      .where('kind', '=', kind)
      .where('template_name', '=', templateName)
      .orderBy('major')
      .orderBy('minor')
      .execute();
    return rows.map(toVersion);
  }

  versionRefs(kind: TemplateKind, templateNames: readonly string[]) {
    return versionRefs(this.db, kind, templateNames);
  }

  pageVersions(kind: TemplateKind, templateName: string, major: number | undefined, page: Page) {
    return pageVersions(this.db, kind, templateName, major, page);
  }

  async getVersion(kind: TemplateKind, templateName: string, major: number, minor: number) {
    const row = await this.db
      .selectFrom('template_versions')
      .selectAll()
      .where('kind', '=', kind)
      .where('template_name', '=', templateName)
      .where('major', '=', major)
      .where('minor', '=', minor)
      .executeTakeFirst();
    return row ? toVersion(row) : undefined;
  }

  async createVersion(
    kind: TemplateKind,
    templateName: string,
    build: (existing: VersionRef[]) => TemplateVersionRecord,
    tags: readonly Tag[],
    job: (version: TemplateVersionRecord) => NewJob,
  ) {
    return this.db.transaction().execute(async (tx) => {
      await tx
        .selectFrom('templates')
        .select('name')
        .where('kind', '=', kind)
        .where('name', '=', templateName)
        .forUpdate()
        .execute();
      const existing = await tx
        .selectFrom('template_versions')
        .select(['major', 'minor', 'status'])
        .where('kind', '=', kind)
        .where('template_name', '=', templateName)
        .execute();
      const version = build(
        existing.map((r) => ({
          major: r.major,
          minor: r.minor,
          status: r.status as TemplateVersionStatus,
        })),
      );
      await tx.insertInto('template_versions').values(versionRow(version)).execute();
      await putTagsIn(tx, version.arn, tags);
      const j = job(version);
      await tx
        .insertInto('jobs')
        .values({ queue: j.queue, payload: JSON.stringify(j.payload), max_attempts: j.maxAttempts })
        .execute();
      return version;
    });
  }

  async updateVersion(
    key: { kind: TemplateKind; templateName: string; major: number; minor: number },
    patch: Partial<
      Pick<
        TemplateVersionRecord,
        | 'status'
        | 'statusMessage'
        | 'description'
        | 'schemaText'
        | 'bundleSha256'
        | 'compatibleEnvironmentTemplates'
        | 'supportedComponentSources'
      >
    >,
    now: Date,
    expectedStatus?: TemplateVersionStatus,
  ) {
    let q = this.db
      .updateTable('template_versions')
      .set({
        ...(patch.status !== undefined ? { status: patch.status } : {}),
        ...(patch.statusMessage !== undefined ? { status_message: patch.statusMessage } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.schemaText !== undefined ? { schema_text: patch.schemaText } : {}),
        ...(patch.bundleSha256 !== undefined ? { bundle_sha256: patch.bundleSha256 } : {}),
        ...(patch.compatibleEnvironmentTemplates !== undefined
          ? {
              compatible_environment_templates: JSON.stringify(
                patch.compatibleEnvironmentTemplates,
              ),
            }
          : {}),
        ...(patch.supportedComponentSources !== undefined
          ? { supported_component_sources: JSON.stringify(patch.supportedComponentSources) }
          : {}),
        last_modified_at: now,
      })
      .where('kind', '=', key.kind)
      .where('template_name', '=', key.templateName)
      .where('major', '=', key.major)
      .where('minor', '=', key.minor);
    if (expectedStatus) q = q.where('status', '=', expectedStatus);
    const row = await q.returningAll().executeTakeFirst();
    return row ? toVersion(row) : undefined;
  }

  async deleteVersion(key: {
    kind: TemplateKind;
    templateName: string;
    major: number;
    minor: number;
  }) {
    await this.db.transaction().execute(async (tx) => {
      const row = await tx
        .deleteFrom('template_versions')
        .where('kind', '=', key.kind)
        .where('template_name', '=', key.templateName)
        .where('major', '=', key.major)
        .where('minor', '=', key.minor)
        .returning('arn')
        .executeTakeFirst();
      if (row) await tx.deleteFrom('tags').where('resource_arn', '=', row.arn).execute();
    });
  }

  async listTags(arn: string) {
    return this.db
      .selectFrom('tags')
      .select(['key', 'value'])
      .where('resource_arn', '=', arn)
      .orderBy('key')
      .execute();
  }

  pageTags(arn: string, page: Page) {
    return pageTags(this.db, arn, page);
  }

  async putTags(arn: string, tags: readonly Tag[]) {
    await putTagsIn(this.db, arn, tags);
  }

  async removeTags(arn: string, keys: readonly string[]) {
    if (keys.length === 0) return;
    await this.db
      .deleteFrom('tags')
      .where('resource_arn', '=', arn)
      .where('key', 'in', [...keys])
      .execute();
  }

  async findToken(operation: string, clientToken: string) {
    const row = await this.db
      .selectFrom('idempotency_tokens')
      .select(['request_hash', 'resource_ref'])
      .where('operation', '=', operation)
      .where('client_token', '=', clientToken)
      .where('created_at', '>', new Date(Date.now() - 8 * 3600_000))
      .executeTakeFirst();
    return row ? { requestHash: row.request_hash, resourceRef: row.resource_ref } : undefined;
  }

  async rememberToken(
    operation: string,
    clientToken: string,
    requestHash: string,
    resourceRef: string,
  ) {
    const inserted = await this.db
      .insertInto('idempotency_tokens')
      .values({
        operation,
        client_token: clientToken,
        request_hash: requestHash,
        resource_ref: resourceRef,
      })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0) return undefined;
    const row = await this.db
      .selectFrom('idempotency_tokens')
      .select(['request_hash', 'resource_ref', 'created_at'])
      .where('operation', '=', operation)
      .where('client_token', '=', clientToken)
      .executeTakeFirstOrThrow();
    // Tokens expire after 8 hours, as in Proton.
    if (Date.now() - new Date(row.created_at).getTime() > 8 * 3600_000) {
      await this.db
        .updateTable('idempotency_tokens')
        .set({ request_hash: requestHash, resource_ref: resourceRef, created_at: sql`now()` })
        .where('operation', '=', operation)
        .where('client_token', '=', clientToken)
        .execute();
      return undefined;
    }
    return { requestHash: row.request_hash, resourceRef: row.resource_ref };
  }
}

async function putTagsIn(db: Kysely<Database>, arn: string, tags: readonly Tag[]): Promise<void> {
  if (tags.length === 0) return;
  await db
    .insertInto('tags')
    .values(tags.map((t) => ({ resource_arn: arn, key: t.key, value: t.value })))
    .onConflict((oc) =>
      oc.columns(['resource_arn', 'key']).doUpdateSet({ value: (eb) => eb.ref('excluded.value') }),
    )
    .execute();
}
