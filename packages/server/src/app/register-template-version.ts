import { coerceError, NotFoundError, type Logger, type TemplateKind } from '@nucleon/core';
import type { BundleChecker } from '../ports/bundle-checker.js';
import type { BundleSource, BundleStore } from '../ports/bundle-store.js';
import type { CatalogStore } from '../ports/catalog-store.js';
import type { Clock } from '../ports/clock.js';
import type { JobHandler } from '../ports/job-queue.js';
import type { TemplatesService } from './templates-service.js';

export interface RegistrationDeps {
  store: CatalogStore;
  bundles: BundleStore;
  source: BundleSource;
  checker: BundleChecker;
  templates: TemplatesService;
  clock: Clock;
  logger: Logger;
}

export interface RegistrationJob {
  kind: TemplateKind;
  templateName: string;
  major: number;
  minor: number;
}

const MAX_STATUS_MESSAGE = 5000;

/**
 * Registers a template version: reads its bundle, validates it, checks the compatible
 * environment templates and minor-version compatibility, keeps an immutable copy, and moves the
 * version to DRAFT or REGISTRATION_FAILED with a message naming the file and the problem.
 * Safe to run twice: a version no longer REGISTRATION_IN_PROGRESS is left alone.
 */
export async function registerTemplateVersion(
  deps: RegistrationDeps,
  job: RegistrationJob,
): Promise<void> {
  const { store, clock } = deps;
  const version = await store.getVersion(job.kind, job.templateName, job.major, job.minor);
  if (!version || version.status !== 'REGISTRATION_IN_PROGRESS') return;
  const template = await store.getTemplate(job.kind, job.templateName);
  if (!template) return;
  const key = {
    kind: job.kind,
    templateName: job.templateName,
    major: job.major,
    minor: job.minor,
  };
  const fail = async (message: string) => {
    deps.logger.info('template version registration failed', {
      template: job.templateName,
      version: `${job.major}.${job.minor}`,
      message,
    });
    await store.updateVersion(
      key,
      { status: 'REGISTRATION_FAILED', statusMessage: message.slice(0, MAX_STATUS_MESSAGE) },
      clock.now(),
      'REGISTRATION_IN_PROGRESS',
    );
  };

  let archive: Uint8Array;
  try {
    archive = await deps.source.fetch(version.sourceBucket, version.sourceKey);
  } catch (error) {
    if (error instanceof NotFoundError) return fail(error.message);
    throw error;
  }
  const options = {
    kind: job.kind,
    customerManaged: job.kind === 'ENVIRONMENT' && template.provisioning === 'CUSTOMER_MANAGED',
    pipeline: job.kind === 'SERVICE' && template.provisioning !== 'CUSTOMER_MANAGED',
  };
  let result;
  try {
    result = await deps.checker.check(archive, options);
  } catch (error) {
    return fail(`The bundle could not be read: ${coerceError(error).message}`);
  }
  if (!result.ok) return fail(result.message);

  if (job.kind === 'SERVICE') {
    const problems = await deps.templates.checkCompatibleTemplatesExist(
      version.compatibleEnvironmentTemplates ?? [],
    );
    if (problems.length > 0)
      return fail(
        `${problems.join('; ')}. Create and register those environment template versions first.`,
      );
  }

  const earlier = (await store.listVersions(job.kind, job.templateName)).filter(
    (v) =>
      v.major === job.major &&
      v.minor < job.minor &&
      (v.status === 'DRAFT' || v.status === 'PUBLISHED') &&
      v.schemaText,
  );
  for (const previous of earlier) {
    const problems = deps.checker.minorCompatibilityProblems(
      previous.schemaText!,
      result.schemaText,
      options,
    );
    if (problems.length > 0) {
      return fail(
        `schema/schema.yaml is not backward compatible with version ${previous.major}.${previous.minor}: ${problems.join('; ')}. ` +
          'Keep the inputs compatible, or register it as a new major version (omit majorVersion).',
      );
    }
  }

  const sha = await deps.bundles.putBlob(archive);
  // A version that registers carries its warnings in statusMessage (ADR 0016).
  const warnings = result.warnings.length
    ? `${result.warnings.length === 1 ? 'Warning' : 'Warnings'}: ${result.warnings.join('; ')}`
    : null;
  await store.updateVersion(
    key,
    {
      status: 'DRAFT',
      statusMessage: warnings?.slice(0, MAX_STATUS_MESSAGE) ?? null,
      schemaText: result.schemaText,
      bundleSha256: sha,
    },
    clock.now(),
    'REGISTRATION_IN_PROGRESS',
  );
}

/**
 * Registration as a queue's jobs: errors are retried with backoff (a bundle source that is briefly
 * unreachable); when the attempts run out the version ends REGISTRATION_FAILED saying why.
 */
export function registrationJobs(deps: RegistrationDeps): JobHandler {
  return {
    run: (job) => registerTemplateVersion(deps, job.payload as unknown as RegistrationJob),
    exhausted: async (job) => {
      const p = job.payload as unknown as RegistrationJob;
      const cause = job.lastError
        ? `the last attempt failed with: ${job.lastError}`
        : 'each attempt was interrupted (the worker running it stopped or lost its database connection)';
      const message = `Nucleon gave up registering this version after ${job.attempts} attempts: ${cause}. Check that the bundle can be read and the Nucleon server log, then create the version again.`;
      deps.logger.warn('template version registration abandoned', {
        template: p.templateName,
        version: `${p.major}.${p.minor}`,
        message,
      });
      await deps.store.updateVersion(
        { kind: p.kind, templateName: p.templateName, major: p.major, minor: p.minor },
        { status: 'REGISTRATION_FAILED', statusMessage: message.slice(0, MAX_STATUS_MESSAGE) },
        deps.clock.now(),
        'REGISTRATION_IN_PROGRESS',
      );
    },
  };
}
