import type { ConnectionRecord } from '../../ports/connection-store.js';
import {
  ConflictError,
  NotFoundError,
  ValidationError,
  type ArnScope,
  type TemplateKind,
} from '@nucleon/core';
import type { CatalogStore } from '../../ports/catalog-store.js';
import type { Clock } from '../../ports/clock.js';
import type {
  DeploymentStore,
  ResourceRecord,
  StartDeployment,
} from '../../ports/deployment-store.js';
import type { LoadedBundle, VersionBundles } from '../../ports/version-bundles.js';
import { refs } from '../template-views.js';
import { isActive, recommendedMinorVersion } from '@nucleon/core';

/** What the deployment use cases share. */
export interface DeployDeps {
  catalog: CatalogStore;
  store: DeploymentStore;
  bundles: VersionBundles;
  clock: Clock;
  arnScope: ArnScope;
  /** Wakes the local worker after a deployment is enqueued. */
  poke(): void;
  /** terraform/tofu is installed on the runner, so Terraform may run directly. */
  terraformCli?: boolean;
  /** Environment account connections environments are provisioned through (ADR 0018). */
  connections?: ConnectionLookup;
}

/** What environments need of environment account connections. */
export interface ConnectionLookup {
  /** The CONNECTED connection of this installation's account for `environmentName`, or a ValidationError. */
  requireUsable(id: string, environmentName: string): Promise<ConnectionRecord>;
  /** The connection, whatever its status, or undefined when it was deleted. */
  find(id: string): Promise<ConnectionRecord | undefined>;
}

/** The version a create deploys: the given minor, else the major's recommended minor. */
export async function versionForCreate(
  deps: DeployDeps,
  kind: TemplateKind,
  templateName: string,
  major: number,
  minor: number | undefined,
): Promise<{ major: number; minor: number; bundle: LoadedBundle }> {
  const template = await deps.catalog.getTemplate(kind, templateName);
  const label = kind === 'ENVIRONMENT' ? 'environment template' : 'service template';
  if (!template) throw new NotFoundError(`The ${label} ${templateName} does not exist.`);
  const versions = await deps.catalog.listVersions(kind, templateName);
  const chosen = minor ?? recommendedMinorVersion(refs(versions), major);
  if (chosen === undefined) {
    throw new ValidationError(
      `The ${label} ${templateName} has no published minor version in major version ${major}. Publish one, or give templateMinorVersion.`,
    );
  }
  const v = versions.find((x) => x.major === major && x.minor === chosen);
  if (!v || (v.status !== 'PUBLISHED' && v.status !== 'DRAFT')) {
    throw new ValidationError(
      `The ${label} version ${templateName}:${major}.${chosen} is not registered (status ${v?.status ?? 'absent'}). Use a DRAFT or PUBLISHED version.`,
    );
  }
  return {
    major,
    minor: chosen,
    bundle: await deps.bundles.load(kind, templateName, major, chosen),
  };
}

/**
 * Validates a resource's inputs: invalid values of declared inputs are one ValidationException
 * (Proton refused those); inputs the schema does not declare are accepted, left out of the
 * inputs rendering sees, and returned as warnings written from `where` (ADR 0016).
 */
export function checkInputs(
  bundle: LoadedBundle,
  which: 'environment' | 'service' | 'pipeline',
  inputs: Record<string, unknown> | undefined,
  where: string,
): { inputs: Record<string, unknown>; warnings: string[] } {
  const result = bundle.validateInputs(which, inputs ?? {});
  if (!result.ok) throw new ValidationError(`${where}: ${result.errors.join('; ')}`);
  const warnings = result.warnings.map((w) => w.replace(/^spec(?=[.:[]|$)/, where));
  return { inputs: result.value, warnings };
}

/** Stores new deployments atomically; a resource already deploying is a ConflictException. */
export async function startOrConflict(
  deps: DeployDeps,
  starts: StartDeployment[],
  what: string,
): Promise<void> {
  if (!(await deps.store.startDeployments(starts))) {
    throw new ConflictError(
      `${what} has a deployment in progress. Wait for it to finish, or cancel it, then try again.`,
    );
  }
  deps.poke();
}

export function requireIdle(r: ResourceRecord, what: string): void {
  if (isActive(r.deploymentStatus)) {
    throw new ConflictError(
      `${what} has a deployment in progress (${r.deploymentStatus}). Wait for it to finish, or cancel it, then try again.`,
    );
  }
}
