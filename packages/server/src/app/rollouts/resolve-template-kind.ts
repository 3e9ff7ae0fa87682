import { NotFoundError, ValidationError } from '@nucleon/core';
import type { RolloutTemplateKind } from '../../ports/rollout-store.js';
import type { DeployDeps } from '../deploy/deploy-context.js';

const KINDS: readonly RolloutTemplateKind[] = ['SERVICE', 'ENVIRONMENT'];

/**
 * Which kind of template a rollout or preview names: the one `templateType` says, or else the
 * only kind with a template of that name. A name both kinds use is ambiguous and refused, since
 * guessing would move the wrong fleet.
 */
export async function resolveTemplateKind(
  d: DeployDeps,
  templateName: string,
  templateType?: string,
): Promise<RolloutTemplateKind> {
  if (templateType !== undefined) {
    if (!KINDS.includes(templateType as RolloutTemplateKind))
      throw new ValidationError(
        `templateType must be SERVICE or ENVIRONMENT (got ${templateType}).`,
      );
    const kind = templateType as RolloutTemplateKind;
    if (!(await d.catalog.getTemplate(kind, templateName)))
      throw new NotFoundError(
        `The ${kind === 'SERVICE' ? 'service' : 'environment'} template ${templateName} does not exist.`,
      );
    return kind;
  }
  const [service, environment] = await Promise.all([
    d.catalog.getTemplate('SERVICE', templateName),
    d.catalog.getTemplate('ENVIRONMENT', templateName),
  ]);
  if (service && environment)
    throw new ValidationError(
      `Both a service template and an environment template are named ${templateName}: say which one with templateType SERVICE (its service instances) or ENVIRONMENT (its environments); the CLI takes --template-type service|environment.`,
    );
  if (environment) return 'ENVIRONMENT';
  if (service) return 'SERVICE';
  throw new NotFoundError(
    `No service or environment template is named ${templateName}. List templates to see the names.`,
  );
}

/** `service` or `environment`, for messages. */
export const kindWord = (kind: RolloutTemplateKind) =>
  kind === 'SERVICE' ? 'service' : 'environment';
