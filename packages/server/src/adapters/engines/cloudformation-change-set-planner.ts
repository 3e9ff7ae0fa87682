import { randomUUID } from 'node:crypto';
import type { Change, CloudFormation } from '@aws-sdk/client-cloudformation';
import type { StackChange } from '@nucleon/core';
import type { StackPlan, StackPlanner } from '../../ports/stack-planner.js';

const CAPABILITIES = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'] as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Previews a template against an existing stack with a change set: created, described (every
 * page) and always deleted, so nothing is executed. Uses the default credential chain and
 * endpoint (`AWS_ENDPOINT_URL_CLOUDFORMATION` works); an environment's protonServiceRoleArn is not
 * assumed for previews yet.
 */
export class CloudFormationChangeSetPlanner implements StackPlanner {
  constructor(private readonly options: { pollMs?: number; timeoutMs?: number } = {}) {}

  async plan(request: {
    stackName: string;
    templateBody: string;
    region: string;
  }): Promise<StackPlan> {
    const { CloudFormation } = await import('@aws-sdk/client-cloudformation');
    const api = new CloudFormation({ region: request.region, maxAttempts: 3 });
    const name = `nucleon-preview-${randomUUID().slice(0, 8)}`;
    try {
      const stack = await api
        .describeStacks({ StackName: request.stackName })
        .then((r) => r.Stacks?.[0])
        .catch((e: Error) => {
          if (/does not exist/.test(e.message)) return undefined;
          throw e;
        });
      if (!stack || stack.StackStatus === 'REVIEW_IN_PROGRESS') return { kind: 'absent' };
      await api.createChangeSet({
        StackName: request.stackName,
        ChangeSetName: name,
        ChangeSetType: 'UPDATE',
        TemplateBody: request.templateBody,
        Capabilities: [...CAPABILITIES],
      });
      try {
        return await this.describe(api, request.stackName, name);
      } finally {
        await api
          .deleteChangeSet({ StackName: request.stackName, ChangeSetName: name })
          .catch(() => undefined);
      }
    } catch (error) {
      return {
        kind: 'error',
        message: `CloudFormation could not preview the stack ${request.stackName}: ${(error as Error).name}: ${(error as Error).message}`,
      };
    } finally {
      api.destroy();
    }
  }

  private async describe(api: CloudFormation, stackName: string, name: string): Promise<StackPlan> {
    const deadline = Date.now() + (this.options.timeoutMs ?? 120_000);
    for (;;) {
      const first = await api.describeChangeSet({ StackName: stackName, ChangeSetName: name });
      const status = first.Status ?? '';
      if (status === 'CREATE_COMPLETE' || status === 'FAILED') {
        const changes: StackChange[] = [];
        const add = (list: Change[] | undefined) => {
          for (const c of list ?? []) {
            const r = c.ResourceChange;
            if (!r) continue;
            changes.push({
              action: r.Action ?? 'Unknown',
              logicalResourceId: r.LogicalResourceId ?? '',
              physicalResourceId: r.PhysicalResourceId,
              resourceType: r.ResourceType ?? '',
              replacement: r.Replacement,
            });
          }
        };
        add(first.Changes);
        let next = first.NextToken;
        while (next) {
          const page = await api.describeChangeSet({
            StackName: stackName,
            ChangeSetName: name,
            NextToken: next,
          });
          add(page.Changes);
          next = page.NextToken;
        }
        // A template with no changes is a FAILED change set saying so: that is an empty plan.
        const noChange =
          status === 'FAILED' &&
          /didn't contain changes|No updates/i.test(first.StatusReason ?? '');
        if (status === 'FAILED' && !noChange)
          return {
            kind: 'error',
            message: `the change set failed: ${first.StatusReason ?? 'no reason given'}`,
          };
        return {
          kind: 'changes',
          changes,
          status: noChange ? 'NO_CHANGES' : status,
          ...(first.StatusReason ? { statusReason: first.StatusReason } : {}),
        };
      }
      if (Date.now() > deadline)
        return { kind: 'error', message: `the change set was still ${status} after waiting` };
      await sleep(this.options.pollMs ?? 500);
    }
  }
}
