import { protonArn } from '@nucleon/core';
import type { ToolkitTemplateRef } from './template-bundle.js';
import type { ToolkitResource } from './template-resources.js';

/** Region of every ARN the toolkit generates (there is no server to ask). */
export const TOOLKIT_REGION = 'us-east-1';
/** The deploymentId written into `.proton/deployment-metadata.json`. */
export const PLACEHOLDER_DEPLOYMENT_ID = '00000000-0000-0000-0000-000000000000';
/** The account in ARNs when context.json has no `environment.account_id`. */
export const PLACEHOLDER_ACCOUNT_ID = '000000000000';

/** The ARNs and tags Proton would attach to one deployment of a resource. */
export interface ResourceArns {
  readonly arn: string;
  readonly templateArn: string;
  readonly environmentArn?: string;
  readonly protonTags: Record<string, string>;
}

/**
 * ARNs for a resource, in region {@link TOOLKIT_REGION} and account `accountId` (context.json's
 * `environment.account_id`, or {@link PLACEHOLDER_ACCOUNT_ID}); the template is the bundle
 * folder's name. Names the context lacks appear as `unknown`, which only happens for files the
 * toolkit refuses to generate anyway.
 */
export function resourceArns(
  resource: ToolkitResource,
  template: ToolkitTemplateRef,
  accountId: string,
): ResourceArns {
  const arn = (path: string): string => protonArn({ region: TOOLKIT_REGION, accountId }, path);
  const base = { 'proton:account': accountId };
  if (resource.kind === 'environment') {
    const templateArn = arn(`environment-template/${template.name}`);
    const environmentArn = arn(`environment/${resource.name ?? 'unknown'}`);
    return {
      arn: environmentArn,
      templateArn,
      protonTags: { ...base, 'proton:template': templateArn, 'proton:environment': environmentArn },
    };
  }
  const templateArn = arn(`service-template/${template.name}`);
  const serviceArn = arn(`service/${resource.service.name ?? 'unknown'}`);
  if (resource.kind === 'pipeline') {
    return {
      arn: `${serviceArn}/pipeline`,
      templateArn,
      protonTags: { ...base, 'proton:template': templateArn, 'proton:service': serviceArn },
    };
  }
  const environmentArn = arn(`environment/${resource.environment.name}`);
  const instanceArn = `${serviceArn}/service-instance/${resource.instance.name}`;
  return {
    arn: instanceArn,
    templateArn,
    environmentArn,
    protonTags: {
      ...base,
      'proton:template': templateArn,
      'proton:environment': environmentArn,
      'proton:service': serviceArn,
      'proton:service-instance': instanceArn,
    },
  };
}
