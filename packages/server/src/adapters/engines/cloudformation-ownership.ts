import type { Stack } from '@aws-sdk/client-cloudformation';
import { OWNERSHIP_TAGS, stackOwnership } from '@nucleon/core';
import type { EngineResult, StackOwner } from '../../ports/stack-engine.js';
import { failed, type StackRun } from './cloudformation-stack-ops.js';

/** The tags naming the installation and resource that own a stack. */
export function ownershipTags(owner: StackOwner): Record<string, string> {
  return {
    [OWNERSHIP_TAGS.installation]: owner.installationId,
    [OWNERSHIP_TAGS.resource]: owner.resourceArn,
  };
}

/**
 * Refuses (a FAILED result, nothing sent to CloudFormation) to update or delete an existing stack
 * that is not the owner's: tagged for another installation or resource, or untagged under a name
 * that is not the resource's legacy one. An untagged legacy stack, or the very stack (by id) the
 * resource was adopted with from AWS Proton, is the resource's own: the update tags it.
 */
export function refuseForeignStack(
  run: StackRun,
  stack: Stack,
  owner: StackOwner | undefined,
  action: 'update' | 'delete',
): EngineResult | undefined {
  if (owner === undefined) return undefined;
  const tags = Object.fromEntries((stack.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
  const verdict = stackOwnership(tags, {
    installationId: owner.installationId,
    resourceArn: owner.resourceArn,
    legacyName: owner.legacyName,
  });
  if (verdict.verdict === 'owned') return undefined;
  const untagged =
    tags[OWNERSHIP_TAGS.installation] === undefined && tags[OWNERSHIP_TAGS.resource] === undefined;
  if (untagged && owner.adoptedStackId !== undefined && stack.StackId === owner.adoptedStackId) {
    run.log(
      `stack ${run.stackName} was adopted from AWS Proton for this resource (stack id ${owner.adoptedStackId}); ` +
        (action === 'update'
          ? 'this update adds the ownership tags'
          : "deleting it as this resource's own"),
    );
    return undefined;
  }
  if (verdict.verdict === 'adopt') {
    run.log(
      `stack ${run.stackName} predates Nucleon's ownership tags and carries this resource's legacy name; ` +
        (action === 'update'
          ? 'adopting it: this update adds the tags'
          : "deleting it as this resource's own"),
    );
    return undefined;
  }
  const tagHint = `${OWNERSHIP_TAGS.installation}=${owner.installationId} and ${OWNERSHIP_TAGS.resource}=${owner.resourceArn}`;
  return failed(
    'ENGINE_FAILED',
    `refusing to ${action} stack ${run.stackName}: it is not this resource's stack (${verdict.reason}), and Nucleon never ` +
      `changes or deletes a stack it does not own. Nothing was changed. Rename or delete that stack yourself, or, if it ` +
      `really is this resource's, tag it with ${tagHint}; then try again.`,
  );
}
