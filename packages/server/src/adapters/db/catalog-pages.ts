import type { TemplateKind, TemplateVersionStatus, VersionRef } from '@nucleon/core';
import { sql, type Kysely } from 'kysely';
import type { Page, Tag, TemplateVersionRecord } from '../../ports/catalog-store.js';
import type { Database } from './schema.js';

/** What version lists read: no schema, no compatibility lists (no summary shape carries them). */
const versionSummaryColumns = [
  'kind',
  'template_name',
  'major',
  'minor',
  'arn',
  'status',
  'status_message',
  'description',
  'source_bucket',
  'source_key',
  'bundle_sha256',
  'created_at',
  'last_modified_at',
] as const;

/** One keyset page of a resource's tags by key. */
export async function pageTags(db: Kysely<Database>, arn: string, page: Page): Promise<Tag[]> {
  let q = db
    .selectFrom('tags')
    .select(['key', 'value'])
    .where('resource_arn', '=', arn)
    .orderBy('key')
    .limit(page.limit);
  if (page.after !== undefined) q = q.where('key', '>', page.after);
  return q.execute();
}

/** Major, minor and status of every version of the given templates. */
export async function versionRefs(
  db: Kysely<Database>,
  kind: TemplateKind,
  templateNames: readonly string[],
): Promise<Array<VersionRef & { templateName: string }>> {
  if (templateNames.length === 0) return [];
  const rows = await db
    .selectFrom('template_versions')
    .select(['template_name', 'major', 'minor', 'status'])
    .where('kind', '=', kind)
    .where('template_name', 'in', [...templateNames])
    .orderBy('template_name')
    .orderBy('major')
    .orderBy('minor')
    .execute();
  return rows.map((r) => ({
    templateName: r.template_name,
    major: r.major,
    minor: r.minor,
    status: r.status as TemplateVersionStatus,
  }));
}

/**
 * One keyset page of a template's versions: of one major by minor, or (no major) one per major —
 * its highest published minor, else its highest — by major.
 */
export async function pageVersions(
  db: Kysely<Database>,
  kind: TemplateKind,
  templateName: string,
  major: number | undefined,
  page: Page,
): Promise<TemplateVersionRecord[]> {
  const after = page.after === undefined ? undefined : Number(page.after);
  let rows;
  if (major !== undefined) {
    let q = db
      .selectFrom('template_versions')
      .select(versionSummaryColumns)
      .where('kind', '=', kind)
      .where('template_name', '=', templateName)
      .where('major', '=', major)
      .orderBy('minor')
      .limit(page.limit);
    if (after !== undefined) q = q.where('minor', '>', after);
    rows = await q.execute();
  } else {
    let inner = db
      .selectFrom('template_versions')
      .select(versionSummaryColumns)
      .distinctOn('major')
      .where('kind', '=', kind)
      .where('template_name', '=', templateName)
      .orderBy('major')
      .orderBy(sql`status = 'PUBLISHED'`, 'desc')
      .orderBy('minor', 'desc');
    if (after !== undefined) inner = inner.where('major', '>', after);
    rows = await db
      .selectFrom(inner.as('v'))
      .select(versionSummaryColumns)
      .orderBy('major')
      .limit(page.limit)
      .execute();
  }
  return rows.map((row) => ({
    kind: row.kind as TemplateKind,
    templateName: row.template_name,
    major: row.major,
    minor: row.minor,
    arn: row.arn,
    status: row.status as TemplateVersionStatus,
    statusMessage: row.status_message,
    description: row.description,
    schemaText: null,
    compatibleEnvironmentTemplates: null,
    supportedComponentSources: null,
    sourceBucket: row.source_bucket,
    sourceKey: row.source_key,
    bundleSha256: row.bundle_sha256,
    createdAt: new Date(row.created_at),
    lastModifiedAt: new Date(row.last_modified_at),
  }));
}
