import type { TemplateKind, TemplateVersionStatus, VersionRef } from '@nucleon/core';

export interface Tag {
  key: string;
  value: string;
}

export interface TemplateRecord {
  kind: TemplateKind;
  name: string;
  arn: string;
  displayName: string | null;
  description: string | null;
  encryptionKey: string | null;
  /** ENVIRONMENT: `provisioning`; SERVICE: `pipelineProvisioning`. */
  provisioning: string | null;
  createdAt: Date;
  lastModifiedAt: Date;
}

export interface TemplateVersionRecord {
  kind: TemplateKind;
  templateName: string;
  major: number;
  minor: number;
  arn: string;
  status: TemplateVersionStatus;
  statusMessage: string | null;
  description: string | null;
  schemaText: string | null;
  compatibleEnvironmentTemplates: Array<{ templateName: string; majorVersion: string }> | null;
  supportedComponentSources: string[] | null;
  sourceBucket: string;
  sourceKey: string;
  bundleSha256: string | null;
  createdAt: Date;
  lastModifiedAt: Date;
}

export interface NewJob {
  queue: string;
  payload: Record<string, unknown>;
  maxAttempts: number;
}

export interface Page {
  /** Exclusive lower bound of the sort key. */
  after?: string | undefined;
  limit: number;
}

/** Persistence of templates, versions, tags and idempotency tokens. */
export interface CatalogStore {
  getTemplate(kind: TemplateKind, name: string): Promise<TemplateRecord | undefined>;
  /** A template with its versions' numbers and statuses, in one round trip (GetXTemplate). */
  getTemplateWithVersionRefs(
    kind: TemplateKind,
    name: string,
  ): Promise<{ template: TemplateRecord; versions: VersionRef[] } | undefined>;
  listTemplates(kind: TemplateKind, page: Page): Promise<TemplateRecord[]>;
  countTemplates(): Promise<number>;
  /** Inserts a template and its tags; returns false when the name is taken. */
  insertTemplate(record: TemplateRecord, tags: readonly Tag[]): Promise<boolean>;
  updateTemplate(
    kind: TemplateKind,
    name: string,
    patch: Partial<Pick<TemplateRecord, 'displayName' | 'description'>>,
    now: Date,
  ): Promise<TemplateRecord | undefined>;
  deleteTemplate(kind: TemplateKind, name: string): Promise<void>;

  listVersions(kind: TemplateKind, templateName: string): Promise<TemplateVersionRecord[]>;
  /** Major, minor and status of every version of the given templates (no bodies, no schemas). */
  versionRefs(
    kind: TemplateKind,
    templateNames: readonly string[],
  ): Promise<Array<VersionRef & { templateName: string }>>;
  /**
   * One keyset page of a template's versions without their schemas (ADR 0029): of one major by
   * minor (key: the minor), or without a major one per major — its recommended (highest
   * published) minor, else its latest — by major (key: the major).
   */
  pageVersions(
    kind: TemplateKind,
    templateName: string,
    major: number | undefined,
    page: Page,
  ): Promise<TemplateVersionRecord[]>;
  getVersion(
    kind: TemplateKind,
    templateName: string,
    major: number,
    minor: number,
  ): Promise<TemplateVersionRecord | undefined>;
  /**
   * Creates a version under a lock on its template, so concurrent creates get distinct numbers,
   * and enqueues its registration job in the same transaction.
   */
  createVersion(
    kind: TemplateKind,
    templateName: string,
    build: (existing: VersionRef[]) => TemplateVersionRecord,
    tags: readonly Tag[],
    job: (version: TemplateVersionRecord) => NewJob,
  ): Promise<TemplateVersionRecord>;
  updateVersion(
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
  ): Promise<TemplateVersionRecord | undefined>;
  deleteVersion(key: {
    kind: TemplateKind;
    templateName: string;
    major: number;
    minor: number;
  }): Promise<void>;

  listTags(arn: string): Promise<Tag[]>;
  /** One keyset page of a resource's tags by key. */
  pageTags(arn: string, page: Page): Promise<Tag[]>;
  putTags(arn: string, tags: readonly Tag[]): Promise<void>;
  removeTags(arn: string, keys: readonly string[]): Promise<void>;

  /** The resource an unexpired client token created, if any. */
  findToken(
    operation: string,
    clientToken: string,
  ): Promise<{ requestHash: string; resourceRef: string } | undefined>;
  /** Remembers which resource a client token created; returns the earlier record if the token was used. */
  rememberToken(
    operation: string,
    clientToken: string,
    requestHash: string,
    resourceRef: string,
  ): Promise<{ requestHash: string; resourceRef: string } | undefined>;
}
