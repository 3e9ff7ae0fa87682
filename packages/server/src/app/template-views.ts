import { recommendedMinorVersion, recommendedVersion, type VersionRef } from '@nucleon/core';
import type { TemplateRecord, TemplateVersionRecord } from '../ports/catalog-store.js';

/** The API view of a template (EnvironmentTemplate / ServiceTemplate shapes). */
export function templateView(
  t: TemplateRecord,
  versions: readonly VersionRef[],
): Record<string, unknown> {
  const rec = recommendedVersion(versions);
  return {
    name: t.name,
    arn: t.arn,
    createdAt: t.createdAt,
    lastModifiedAt: t.lastModifiedAt,
    displayName: t.displayName ?? undefined,
    description: t.description ?? undefined,
    encryptionKey: t.encryptionKey ?? undefined,
    recommendedVersion: rec ? `${rec.major}.${rec.minor}` : undefined,
    ...(t.kind === 'ENVIRONMENT'
      ? { provisioning: t.provisioning ?? undefined }
      : { pipelineProvisioning: t.provisioning ?? undefined }),
  };
}

/** A template as List*Templates shows it (the *TemplateSummary shapes: no encryption key). */
export function templateSummaryView(
  t: TemplateRecord,
  versions: readonly VersionRef[],
): Record<string, unknown> {
  const { encryptionKey: _key, ...summary } = templateView(t, versions);
  return summary;
}

/** A version as List*TemplateVersions shows it (the *TemplateVersionSummary shapes: no schema, no compatibility). */
export function versionSummaryView(
  v: TemplateVersionRecord,
  siblings: readonly VersionRef[],
): Record<string, unknown> {
  const {
    schema: _schema,
    compatibleEnvironmentTemplates: _compatible,
    supportedComponentSources: _sources,
    ...summary
  } = versionView(v, siblings);
  return summary;
}

/** The API view of a version (EnvironmentTemplateVersion / ServiceTemplateVersion shapes). */
export function versionView(
  v: TemplateVersionRecord,
  siblings: readonly VersionRef[],
): Record<string, unknown> {
  const recMinor = recommendedMinorVersion(siblings, v.major);
  return {
    templateName: v.templateName,
    arn: v.arn,
    majorVersion: String(v.major),
    minorVersion: String(v.minor),
    recommendedMinorVersion: recMinor === undefined ? undefined : String(recMinor),
    status: v.status,
    statusMessage: v.statusMessage ?? undefined,
    description: v.description ?? undefined,
    schema: v.schemaText ?? undefined,
    createdAt: v.createdAt,
    lastModifiedAt: v.lastModifiedAt,
    ...(v.kind === 'SERVICE'
      ? {
          compatibleEnvironmentTemplates: v.compatibleEnvironmentTemplates ?? [],
          supportedComponentSources: v.supportedComponentSources ?? undefined,
        }
      : {}),
  };
}

export function refs(versions: readonly TemplateVersionRecord[]): VersionRef[] {
  return versions.map((v) => ({ major: v.major, minor: v.minor, status: v.status }));
}
