import type { CompatibleEnvironmentTemplate, EnvironmentTemplate, EnvironmentTemplateVersionSummary, ServiceTemplate, ServiceTemplateVersion, TemplateVersionStatus } from '@nucleon/protocol';
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
export function byVersionDesc(a: { majorVersion: string; minorVersion: string }, b: { majorVersion: string; minorVersion: string }): number {
  return Number(b.majorVersion) - Number(a.majorVersion) || Number(b.minorVersion) - Number(a.minorVersion);
}

export const versionLabel = (v: { majorVersion: string; minorVersion: string }) => `${v.majorVersion}.${v.minorVersion}`;

export async function getTemplate(kind: TemplateKind, name: string): Promise<TemplateInfo> {
  if (kind === 'environment') return { ...(await api.call('GetEnvironmentTemplate', { name })).environmentTemplate, kind };
  return { ...(await api.call('GetServiceTemplate', { name })).serviceTemplate, kind };
}

export async function listVersions(kind: TemplateKind, templateName: string): Promise<VersionSummary[]> {
  const versions: VersionSummary[] =
    kind === 'environment'
      ? await listAll((nextToken) => api.call('ListEnvironmentTemplateVersions', { templateName, nextToken }), (o): EnvironmentTemplateVersionSummary[] => o.templateVersions)
      : await listAll((nextToken) => api.call('ListServiceTemplateVersions', { templateName, nextToken }), (o) => o.templateVersions);
  return versions.sort(byVersionDesc);
}

export async function getVersion(kind: TemplateKind, templateName: string, majorVersion: string, minorVersion: string): Promise<VersionDetail> {
  const input = { templateName, majorVersion, minorVersion };
  if (kind === 'environment') return (await api.call('GetEnvironmentTemplateVersion', input)).environmentTemplateVersion;
  const v: ServiceTemplateVersion = (await api.call('GetServiceTemplateVersion', input)).serviceTemplateVersion;
  return v;
}

export async function publishVersion(kind: TemplateKind, templateName: string, majorVersion: string, minorVersion: string): Promise<void> {
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

export async function createVersion(kind: TemplateKind, templateName: string, v: NewVersion): Promise<VersionSummary> {
  const common = { templateName, source: { s3: v.source }, ...(v.majorVersion ? { majorVersion: v.majorVersion } : {}), ...(v.description ? { description: v.description } : {}) };
  if (kind === 'environment') return (await api.call('CreateEnvironmentTemplateVersion', common)).environmentTemplateVersion;
  return (await api.call('CreateServiceTemplateVersion', { ...common, compatibleEnvironmentTemplates: v.compatibleEnvironmentTemplates ?? [] })).serviceTemplateVersion;
}

/** Versions one may create resources from: published ones, and drafts (for the admins testing them). */
export function usableVersions(versions: VersionSummary[]): VersionSummary[] {
  return versions.filter((v) => v.status === 'PUBLISHED' || v.status === 'DRAFT');
}

/** The version a wizard preselects: the recommended one, else the newest usable one. */
export function defaultVersion(template: { recommendedVersion?: string }, versions: VersionSummary[]): VersionSummary | undefined {
  const usable = usableVersions(versions);
  return usable.find((v) => versionLabel(v) === template.recommendedVersion) ?? usable[0];
}

/** Reads a file into base64 for PutBundle, in chunks (large bundles overflow `String.fromCharCode(...all)`). */
export async function fileToBase64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
