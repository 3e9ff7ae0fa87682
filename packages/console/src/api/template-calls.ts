import type {
  CompatibleEnvironmentTemplate,
  EnvironmentTemplate,
  EnvironmentTemplateVersionSummary,
  ServiceTemplate,
  ServiceTemplateVersion,
  TemplateVersionStatus,
} from '@nucleon/protocol';
import { api } from './console-api.js';
import { listAll } from './list-all.js';

/** The console treats both template kinds alike; these calls pick the right operation. */
export type TemplateKind = 'environment' | 'service';

export type TemplateInfo = (EnvironmentTemplate | ServiceTemplate) & { kind: TemplateKind };

export interface VersionSummary {
  templateName: string;
  majorVersion: string;
  minorVersion: string;
  status: TemplateVersionStatus;
  statusMessage?: string;
  description?: string;
  recommendedMinorVersion?: string;
  createdAt: Date;
  arn: string;
}

export interface VersionDetail extends VersionSummary {
  schema?: string;
  compatibleEnvironmentTemplates?: CompatibleEnvironmentTemplate[];
}

/** Newest first: by major, then minor, numerically. */
export function byVersionDesc(
  a: { majorVersion: string; minorVersion: string },
  b: { majorVersion: string; minorVersion: string },
): number {
  return (
    Number(b.majorVersion) - Number(a.majorVersion) ||
    Number(b.minorVersion) - Number(a.minorVersion)
  );
}

export const versionLabel = (v: { majorVersion: string; minorVersion: string }) =>
  `${v.majorVersion}.${v.minorVersion}`;

/** `recommended` ("1.1") when it is newer than `major`.`minor`, else undefined. */
export function newerVersion(
  recommended: string | undefined,
  major: string,
  minor: string,
): string | undefined {
  if (!recommended) return undefined;
  const [rMajor = 0, rMinor = 0] = recommended.split('.').map(Number);
  const [m, n] = [Number(major), Number(minor)];
  return rMajor > m || (rMajor === m && rMinor > n) ? recommended : undefined;
}

export async function getTemplate(kind: TemplateKind, name: string): Promise<TemplateInfo> {
  if (kind === 'environment')
    return { ...(await api.call('GetEnvironmentTemplate', { name })).environmentTemplate, kind };
  return { ...(await api.call('GetServiceTemplate', { name })).serviceTemplate, kind };
}

/**
 * Every version of a template, newest first. Like Proton, a list without `majorVersion` answers
 * one entry per major version only (its recommended or latest minor), so each major is then
 * listed for its minors.
 */
export async function listVersions(
  kind: TemplateKind,
  templateName: string,
): Promise<VersionSummary[]> {
  const list = (majorVersion: string | undefined): Promise<VersionSummary[]> =>
    kind === 'environment'
      ? listAll(
          (nextToken) =>
            api.call('ListEnvironmentTemplateVersions', { templateName, majorVersion, nextToken }),
          (o): EnvironmentTemplateVersionSummary[] => o.templateVersions,
        )
      : listAll(
          (nextToken) =>
            api.call('ListServiceTemplateVersions', { templateName, majorVersion, nextToken }),
          (o) => o.templateVersions,
        );
  const majors = [...new Set((await list(undefined)).map((v) => v.majorVersion))];
  const versions = (await Promise.all(majors.map((major) => list(major)))).flat();
  return versions.sort(byVersionDesc);
}

export async function getVersion(
  kind: TemplateKind,
  templateName: string,
  majorVersion: string,
  minorVersion: string,
): Promise<VersionDetail> {
  const input = { templateName, majorVersion, minorVersion };
  if (kind === 'environment')
    return (await api.call('GetEnvironmentTemplateVersion', input)).environmentTemplateVersion;
  const v: ServiceTemplateVersion = (await api.call('GetServiceTemplateVersion', input))
    .serviceTemplateVersion;
  return v;
}

export async function publishVersion(
  kind: TemplateKind,
  templateName: string,
  majorVersion: string,
  minorVersion: string,
): Promise<void> {
  const input = { templateName, majorVersion, minorVersion, status: 'PUBLISHED' as const };
  if (kind === 'environment') await api.call('UpdateEnvironmentTemplateVersion', input);
  else await api.call('UpdateServiceTemplateVersion', input);
}

export interface NewVersion {
  source: { bucket: string; key: string };
  /** Absent: a new major version; present: a new minor version of that major. */
  majorVersion?: string;
  description?: string;
  compatibleEnvironmentTemplates?: CompatibleEnvironmentTemplate[];
}

export async function createVersion(
  kind: TemplateKind,
  templateName: string,
  v: NewVersion,
): Promise<VersionSummary> {
  const common = {
    templateName,
    source: { s3: v.source },
    ...(v.majorVersion ? { majorVersion: v.majorVersion } : {}),
    ...(v.description ? { description: v.description } : {}),
  };
  if (kind === 'environment')
    return (await api.call('CreateEnvironmentTemplateVersion', common)).environmentTemplateVersion;
  return (
    await api.call('CreateServiceTemplateVersion', {
      ...common,
      compatibleEnvironmentTemplates: v.compatibleEnvironmentTemplates ?? [],
    })
  ).serviceTemplateVersion;
}

/** Versions one may create resources from: published ones, and drafts (for the admins testing them). */
export function usableVersions(versions: VersionSummary[]): VersionSummary[] {
  return versions.filter((v) => v.status === 'PUBLISHED' || v.status === 'DRAFT');
}

/** The version a wizard preselects: the recommended one, else the newest usable one. */
export function defaultVersion(
  template: { recommendedVersion?: string },
  versions: VersionSummary[],
): VersionSummary | undefined {
  const usable = usableVersions(versions);
  return usable.find((v) => versionLabel(v) === template.recommendedVersion) ?? usable[0];
}

/** Reads a file into base64 for PutBundle, in chunks (large bundles overflow `String.fromCharCode(...all)`). */
export async function fileToBase64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
