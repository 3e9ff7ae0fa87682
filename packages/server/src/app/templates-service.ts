import { createHash } from 'node:crypto';
import {
  ConflictError,
  NotFoundError,
  ServiceQuotaExceededError,
  ValidationError,
  nextVersionNumber,
  parseVersionPart,
  protonArn,
  recommendedMinorVersion,
  recommendedVersion,
  statusTransitionError,
  templateResourceType,
  type ArnScope,
  type TemplateKind,
  type TemplateVersionStatus,
} from '@nucleon/core';
import type {
  CatalogStore,
  Tag,
  TemplateRecord,
  TemplateVersionRecord,
} from '../ports/catalog-store.js';
import type { Clock } from '../ports/clock.js';
import { Pager, invalidNextToken } from './pagination.js';

const kindLabelOf = (kind: TemplateKind) => (kind === 'ENVIRONMENT' ? 'Environment' : 'Service');
import {
  refs,
  templateSummaryView,
  templateView,
  versionSummaryView,
  versionView,
} from './template-views.js';
import type { VersionUsage } from './version-usage.js';

export const REGISTRATION_QUEUE = 'register-template-version';

export interface CatalogLimits {
  /** Registered templates (environment + service); Proton's default quota is 100. */
  maxTemplates: number;
  /** Versions per template; Proton's default quota is 500. */
  maxVersionsPerTemplate: number;
}

export interface TemplatesServiceOptions {
  store: CatalogStore;
  clock: Clock;
  arnScope: ArnScope;
  limits: CatalogLimits;
  usage: VersionUsage;
}

const templateNotFound = (kind: TemplateKind, name: string) =>
  new NotFoundError(
    `The ${kindLabel(kind)} ${name} does not exist. List ${kindLabel(kind)}s to see the names.`,
  );
const kindLabel = (kind: TemplateKind): string =>
  kind === 'ENVIRONMENT' ? 'environment template' : 'service template';

function requestHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

/** Use cases of the template catalog: templates and their versions (Proton §2.4, §6). */
export class TemplatesService {
  constructor(private readonly o: TemplatesServiceOptions) {}

  private templateArn(kind: TemplateKind, name: string): string {
    return protonArn(this.o.arnScope, `${templateResourceType(kind)}/${name}`);
  }

  async requireTemplate(kind: TemplateKind, name: string): Promise<TemplateRecord> {
    const t = await this.o.store.getTemplate(kind, name);
    if (!t) throw templateNotFound(kind, name);
    return t;
  }

  async createTemplate(
    kind: TemplateKind,
    input: {
      name: string;
      displayName?: string;
      description?: string;
      encryptionKey?: string;
      provisioning?: string;
      tags?: Tag[];
    },
  ) {
    const now = this.o.clock.now();
    const record: TemplateRecord = {
      kind,
      name: input.name,
      arn: this.templateArn(kind, input.name),
      displayName: input.displayName ?? null,
      description: input.description ?? null,
      encryptionKey: input.encryptionKey ?? null,
      provisioning: input.provisioning ?? null,
      createdAt: now,
      lastModifiedAt: now,
    };
    if ((await this.o.store.countTemplates()) >= this.o.limits.maxTemplates) {
      throw new ServiceQuotaExceededError(
        `You have reached the quota of ${this.o.limits.maxTemplates} registered templates. Delete unused templates or raise NUCLEON_MAX_TEMPLATES.`,
      );
    }
    if (!(await this.o.store.insertTemplate(record, input.tags ?? []))) {
      // Proton answers ConflictException for a name in use; its clients and scripts rely on it.
      throw new ConflictError(
        `${kind === 'ENVIRONMENT' ? 'An' : 'A'} ${kindLabel(kind)} named ${input.name} already exists. Choose another name, or change it with Update${kind === 'ENVIRONMENT' ? 'Environment' : 'Service'}Template.`,
      );
    }
    return templateView(record, []);
  }

  async getTemplate(kind: TemplateKind, name: string) {
    const found = await this.o.store.getTemplateWithVersionRefs(kind, name);
    if (!found) throw templateNotFound(kind, name);
    return templateView(found.template, found.versions);
  }

  async listTemplates(
    kind: TemplateKind,
    nextToken: string | undefined,
    maxResults: number | undefined,
  ) {
    const pager = new Pager(`List${kindLabelOf(kind)}Templates`, {}, { nextToken, maxResults });
    const page = pager.page(await this.o.store.listTemplates(kind, pager.window), (t) => t.name);
    const refs = await this.o.store.versionRefs(
      kind,
      page.items.map((t) => t.name),
    );
    return {
      templates: page.items.map((t) =>
        templateSummaryView(
          t,
          refs.filter((r) => r.templateName === t.name),
        ),
      ),
      nextToken: page.nextToken,
    };
  }

  async updateTemplate(
    kind: TemplateKind,
    input: { name: string; displayName?: string; description?: string },
  ) {
    await this.requireTemplate(kind, input.name);
    const patch = {
      ...(input.displayName !== undefined ? { displayName: input.displayName } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
    };
    const updated = await this.o.store.updateTemplate(kind, input.name, patch, this.o.clock.now());
    if (!updated)
      throw new NotFoundError(
        `The ${kindLabel(kind)} ${input.name} was deleted while it was being updated.`,
      );
    return templateView(updated, refs(await this.o.store.listVersions(kind, input.name)));
  }

  /** Idempotent: deleting an absent template answers with no template. */
  async deleteTemplate(kind: TemplateKind, name: string) {
    const t = await this.o.store.getTemplate(kind, name);
    if (!t) return undefined;
    const versions = await this.o.store.listVersions(kind, name);
    if (versions.length > 0) {
      throw new ConflictError(
        `The ${kindLabel(kind)} ${name} still has ${versions.length} version(s) (${versions.map((v) => `${v.major}.${v.minor}`).join(', ')}). Delete its versions first.`,
      );
    }
    await this.o.store.deleteTemplate(kind, name);
    return templateView(t, []);
  }

  async createVersion(
    kind: TemplateKind,
    input: {
      templateName: string;
      majorVersion?: string;
      description?: string;
      source: { s3?: { bucket: string; key: string } };
      tags?: Tag[];
      clientToken?: string;
      compatibleEnvironmentTemplates?: Array<{ templateName: string; majorVersion: string }>;
      supportedComponentSources?: string[];
      /** Template sync: a `majorVersion` with no version yet starts that major (at .0). */
      createMajor?: boolean;
    },
  ) {
    const operation = `Create${kind === 'ENVIRONMENT' ? 'Environment' : 'Service'}TemplateVersion`;
    const { clientToken, createMajor, ...params } = input;
    const hash = requestHash(params);
    if (clientToken) {
      const seen = await this.o.store.findToken(operation, clientToken);
      if (seen) return this.replayToken(kind, operation, seen, hash);
    }
    const template = await this.requireTemplate(kind, input.templateName);
    const s3 = input.source.s3;
    if (!s3)
      throw new ValidationError(
        'source.s3 is required: give the bucket and key of the template bundle (see `nucleon bundle push`).',
      );
    if (kind === 'SERVICE' && (input.compatibleEnvironmentTemplates ?? []).length === 0) {
      throw new ValidationError(
        'compatibleEnvironmentTemplates must list at least one {templateName, majorVersion}.',
      );
    }
    const major =
      input.majorVersion === undefined ? undefined : parseVersionPart(input.majorVersion);
    const now = this.o.clock.now();
    const version = await this.o.store.createVersion(
      kind,
      template.name,
      (existing) => {
        if (existing.length >= this.o.limits.maxVersionsPerTemplate) {
          throw new ServiceQuotaExceededError(
            `The ${kindLabel(kind)} ${template.name} has reached the quota of ${this.o.limits.maxVersionsPerTemplate} versions. Delete old versions first.`,
          );
        }
        const next =
          createMajor && major !== undefined && !existing.some((v) => v.major === major)
            ? { major, minor: 0 }
            : nextVersionNumber(existing, major);
        if ('error' in next)
          throw new ValidationError(
            `Cannot create a minor version of ${template.name}: ${next.error}.`,
          );
        return {
          kind,
          templateName: template.name,
          major: next.major,
          minor: next.minor,
          arn: `${template.arn}:${next.major}.${next.minor}`,
          status: 'REGISTRATION_IN_PROGRESS',
          statusMessage: null,
          description: input.description ?? null,
          schemaText: null,
          compatibleEnvironmentTemplates:
            kind === 'SERVICE' ? (input.compatibleEnvironmentTemplates ?? []) : null,
          supportedComponentSources:
            kind === 'SERVICE' ? (input.supportedComponentSources ?? null) : null,
          sourceBucket: s3.bucket,
          sourceKey: s3.key,
          bundleSha256: null,
          createdAt: now,
          lastModifiedAt: now,
        };
      },
      input.tags ?? [],
      (v) => ({
        queue: REGISTRATION_QUEUE,
        payload: { kind, templateName: v.templateName, major: v.major, minor: v.minor },
        maxAttempts: 5,
      }),
    );
    if (clientToken)
      await this.o.store.rememberToken(
        operation,
        clientToken,
        hash,
        `${version.templateName}:${version.major}.${version.minor}`,
      );
    return versionView(version, refs(await this.o.store.listVersions(kind, template.name)));
  }

  private async replayToken(
    kind: TemplateKind,
    operation: string,
    seen: { requestHash: string; resourceRef: string },
    hash: string,
  ) {
    if (seen.requestHash !== hash) {
      throw new ValidationError(
        `IdempotentParameterMismatch: the clientToken was already used for a different ${operation} request. Use a new clientToken.`,
      );
    }
    const m = /^(.+):(\d+)\.(\d+)$/.exec(seen.resourceRef);
    if (!m) throw new Error(`corrupt idempotency record ${seen.resourceRef}`);
    return this.getVersion(kind, m[1]!, m[2]!, m[3]!);
  }

  async requireVersion(
    kind: TemplateKind,
    templateName: string,
    majorVersion: string,
    minorVersion: string,
  ): Promise<TemplateVersionRecord> {
    const v = await this.o.store.getVersion(
      kind,
      templateName,
      parseVersionPart(majorVersion),
      parseVersionPart(minorVersion),
    );
    if (!v) {
      throw new NotFoundError(
        `The ${kindLabel(kind)} version ${templateName}:${majorVersion}.${minorVersion} does not exist. List the template's versions to see which exist.`,
      );
    }
    return v;
  }

  async getVersion(
    kind: TemplateKind,
    templateName: string,
    majorVersion: string,
    minorVersion: string,
  ) {
    const v = await this.requireVersion(kind, templateName, majorVersion, minorVersion);
    return versionView(v, refs(await this.o.store.listVersions(kind, templateName)));
  }

  async listVersions(
    kind: TemplateKind,
    input: { templateName: string; majorVersion?: string; nextToken?: string; maxResults?: number },
  ) {
    await this.requireTemplate(kind, input.templateName);
    const major =
      input.majorVersion === undefined ? undefined : parseVersionPart(input.majorVersion);
    const pager = new Pager(
      `List${kindLabelOf(kind)}TemplateVersions`,
      { templateName: input.templateName, major },
      input,
    );
    if (pager.after !== undefined && !/^\d{1,9}$/.test(pager.after)) throw invalidNextToken();
    const rows = await this.o.store.pageVersions(kind, input.templateName, major, pager.window);
    const page = pager.page(rows, (v) => String(major === undefined ? v.major : v.minor));
    const siblings = await this.o.store.versionRefs(kind, [input.templateName]);
    return {
      templateVersions: page.items.map((v) => versionSummaryView(v, siblings)),
      nextToken: page.nextToken,
    };
  }

  async updateVersion(
    kind: TemplateKind,
    input: {
      templateName: string;
      majorVersion: string;
      minorVersion: string;
      description?: string;
      status?: string;
      compatibleEnvironmentTemplates?: Array<{ templateName: string; majorVersion: string }>;
      supportedComponentSources?: string[];
    },
  ) {
    const v = await this.requireVersion(
      kind,
      input.templateName,
      input.majorVersion,
      input.minorVersion,
    );
    const to = (input.status ?? v.status) as TemplateVersionStatus;
    const refused = statusTransitionError(v.status, to);
    if (refused)
      throw new ValidationError(
        `Cannot update ${input.templateName}:${v.major}.${v.minor}: ${refused}.`,
      );
    if (v.status === 'REGISTRATION_IN_PROGRESS' || v.status === 'REGISTRATION_FAILED') {
      throw new ConflictError(
        `The version ${input.templateName}:${v.major}.${v.minor} is ${v.status} and cannot be updated.`,
      );
    }
    if (input.compatibleEnvironmentTemplates !== undefined) {
      if (kind !== 'SERVICE')
        throw new ValidationError(
          'compatibleEnvironmentTemplates applies only to service template versions.',
        );
      await this.checkCompatibleTemplatesExist(input.compatibleEnvironmentTemplates);
    }
    const updated = await this.o.store.updateVersion(
      { kind, templateName: v.templateName, major: v.major, minor: v.minor },
      {
        status: to,
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.compatibleEnvironmentTemplates !== undefined
          ? { compatibleEnvironmentTemplates: input.compatibleEnvironmentTemplates }
          : {}),
        ...(input.supportedComponentSources !== undefined
          ? { supportedComponentSources: input.supportedComponentSources }
          : {}),
      },
      this.o.clock.now(),
      v.status,
    );
    if (!updated)
      throw new ConflictError(
        `The version ${input.templateName}:${v.major}.${v.minor} changed while it was being updated; try again.`,
      );
    return versionView(updated, refs(await this.o.store.listVersions(kind, v.templateName)));
  }

  /** Every compatible environment template major must exist (and have a usable version). */
  async checkCompatibleTemplatesExist(
    list: ReadonlyArray<{ templateName: string; majorVersion: string }>,
  ): Promise<string[]> {
    const problems: string[] = [];
    for (const c of list) {
      const versions = await this.o.store.listVersions('ENVIRONMENT', c.templateName);
      const major = parseVersionPart(c.majorVersion);
      if (
        !versions.some(
          (v) => v.major === major && (v.status === 'DRAFT' || v.status === 'PUBLISHED'),
        )
      ) {
        problems.push(
          `compatible environment template ${c.templateName} major version ${c.majorVersion} does not exist or has no registered version`,
        );
      }
    }
    return problems;
  }

  async deleteVersion(
    kind: TemplateKind,
    input: { templateName: string; majorVersion: string; minorVersion: string },
  ) {
    const v = await this.o.store.getVersion(
      kind,
      input.templateName,
      parseVersionPart(input.majorVersion),
      parseVersionPart(input.minorVersion),
    );
    if (!v) return undefined;
    const all = await this.o.store.listVersions(kind, input.templateName);
    const siblings = refs(all);
    const label = `${input.templateName}:${v.major}.${v.minor}`;
    const inUse = await this.o.usage.usageOf(kind, v.templateName, v.major, v.minor);
    if (inUse) throw new ConflictError(`Cannot delete ${label}: ${inUse}.`);
    const otherMinors = all.filter((o) => o.major === v.major && o.minor !== v.minor);
    if (recommendedMinorVersion(siblings, v.major) === v.minor && otherMinors.length > 0) {
      throw new ConflictError(
        `Cannot delete ${label}: it is the recommended minor version of major ${v.major} and other minor versions exist. Delete the other minor versions first, or publish a newer minor.`,
      );
    }
    const rec = recommendedVersion(siblings);
    if (
      rec &&
      rec.major === v.major &&
      rec.minor === v.minor &&
      all.length > 1 &&
      otherMinors.length === 0
    ) {
      throw new ConflictError(
        `Cannot delete ${label}: it is the template's recommended version and other versions exist. Delete the other versions first.`,
      );
    }
    await this.o.store.deleteVersion({
      kind,
      templateName: v.templateName,
      major: v.major,
      minor: v.minor,
    });
    return versionView(v, siblings);
  }
}
