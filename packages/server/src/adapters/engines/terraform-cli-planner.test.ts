import { assessStackChanges } from '@nucleon/core';
import { describe, expect, it } from 'vitest';
import { parsePlannedChanges } from './terraform-cli-executor.js';
import { stackChangeOf } from './terraform-cli-planner.js';

/** `terraform show -json <plan>` of terraform 1.11.4, trimmed to the fields Nucleon reads. */
const PLAN = JSON.stringify({
  format_version: '1.2',
  terraform_version: '1.11.4',
  resource_changes: [
    {
      address: 'aws_s3_bucket.data',
      mode: 'managed',
      type: 'aws_s3_bucket',
      name: 'data',
      change: { actions: ['delete', 'create'], before: { id: 'orders-data' }, after: {} },
      action_reason: 'replace_because_cannot_update',
    },
    {
      address: 'aws_sqs_queue.jobs',
      mode: 'managed',
      type: 'aws_sqs_queue',
      name: 'jobs',
      change: { actions: ['delete'], before: { id: 'https://sqs/jobs' }, after: null },
      action_reason: 'delete_because_no_resource_config',
    },
    {
      address: 'module.net.aws_vpc.main',
      mode: 'managed',
      type: 'aws_vpc',
      name: 'main',
      change: { actions: ['update'], before: { id: 'vpc-1' }, after: {} },
    },
    {
      address: 'aws_iam_role.app',
      mode: 'managed',
      type: 'aws_iam_role',
      name: 'app',
      change: { actions: ['create'], before: null, after: {} },
    },
    {
      address: 'aws_iam_role.unchanged',
      mode: 'managed',
      type: 'aws_iam_role',
      name: 'unchanged',
      change: { actions: ['no-op'], before: { id: 'r' }, after: {} },
    },
    {
      address: 'data.aws_region.current',
      mode: 'data',
      type: 'aws_region',
      name: 'current',
      change: { actions: ['read'], before: null, after: {} },
    },
  ],
});

describe('terraform plans in previews', () => {
  it('reads the changes that do something, in the change-set vocabulary, stateful ones called out', () => {
    const changes = parsePlannedChanges(PLAN).map(stackChangeOf);
    expect(changes).toEqual([
      {
        action: 'Modify',
        replacement: 'True',
        logicalResourceId: 'aws_s3_bucket.data',
        physicalResourceId: 'orders-data',
        resourceType: 'aws_s3_bucket',
      },
      {
        action: 'Remove',
        logicalResourceId: 'aws_sqs_queue.jobs',
        physicalResourceId: 'https://sqs/jobs',
        resourceType: 'aws_sqs_queue',
      },
      {
        action: 'Modify',
        replacement: 'False',
        logicalResourceId: 'module.net.aws_vpc.main',
        physicalResourceId: 'vpc-1',
        resourceType: 'aws_vpc',
      },
      { action: 'Add', logicalResourceId: 'aws_iam_role.app', resourceType: 'aws_iam_role' },
    ]);
    const assessed = assessStackChanges(changes);
    expect(assessed.summary).toEqual({ adds: 1, modifications: 2, removals: 1, replacements: 1 });
    expect(assessed.statefulReplacements).toEqual([
      'aws_s3_bucket.data (aws_s3_bucket) would be replaced: its data would be lost',
      'aws_sqs_queue.jobs (aws_sqs_queue) would be removed: its data would be lost',
    ]);
  });

  it('refuses output that is not a plan', () => {
    expect(() => parsePlannedChanges('{"values":{}}')).toThrow(/not a plan/);
    expect(() => parsePlannedChanges('nonsense')).toThrow();
  });
});
