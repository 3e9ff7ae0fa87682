import type { DescribeChangeSetOutput, Stack, StackEvent } from '@aws-sdk/client-cloudformation';
import type { CloudFormationApi } from '../../src/adapters/engines/cloudformation-api.js';

/**
 * A scripted, in-memory CloudFormation holding one stack, for the paths moto_server cannot
 * reproduce: moto_server cannot CancelUpdateStack (HTTP 500), and it completes every operation
 * inside the API call, so there is never an update in progress to cancel, nor a failed resource.
 * Each DescribeStacks call advances the stack by one scripted step.
 */
export interface Step {
  status: string;
  /** A resource event recorded with this step (the stack's own status event is always added). */
  resource?: Partial<StackEvent>;
  reason?: string;
}

export class FakeCloudFormation implements CloudFormationApi {
  readonly calls: string[] = [];
  stack: (Stack & { StackId: string; StackName: string }) | undefined;
  /** Steps taken one per DescribeStacks call. */
  script: Step[] = [];
  private readonly events: StackEvent[] = [];
  private serial = 0;

  /** Hooks that decide what a mutating call does; each may throw to simulate a refusal. */
  onCreate: () => Step[] = () => [{ status: 'CREATE_COMPLETE' }];
  onExecute: () => Step[] = () => [{ status: 'UPDATE_COMPLETE' }];
  onCancel: () => Step[] = () => [
    { status: 'UPDATE_ROLLBACK_IN_PROGRESS' },
    { status: 'UPDATE_ROLLBACK_COMPLETE' },
  ];
  onDelete: () => Step[] = () => [{ status: 'DELETE_IN_PROGRESS' }, { status: 'DELETE_COMPLETE' }];
  changeSetStatus: Pick<DescribeChangeSetOutput, 'Status' | 'StatusReason'> = {
    Status: 'CREATE_COMPLETE',
  };

  /** Puts a stack in place, as if an earlier deployment had left it there. */
  seed(name: string, status: string): void {
    this.stack = {
      StackName: name,
      StackId: `arn:aws:cloudformation:us-east-1:123456789012:stack/${name}/${++this.serial}`,
      StackStatus: status as Stack['StackStatus'],
      CreationTime: new Date(),
      Outputs: [{ OutputKey: 'Version', OutputValue: 'v1' }],
    };
    this.record({ status });
  }

  async describeStacks(input: { StackName?: string }): Promise<{ Stacks: Stack[] }> {
    this.calls.push('DescribeStacks');
    const next = this.script.shift();
    if (next !== undefined) this.apply(next);
    const stack = this.stack;
    const byName = input.StackName === stack?.StackName;
    if (stack === undefined || (byName && stack.StackStatus === 'DELETE_COMPLETE')) {
      throw validation(`Stack with id ${input.StackName ?? ''} does not exist`);
    }
    return { Stacks: [{ ...stack }] };
  }

  async describeStackEvents(): Promise<{ StackEvents: StackEvent[] }> {
    this.calls.push('DescribeStackEvents');
    return { StackEvents: [...this.events].reverse() };
  }

  async createStack(input: { StackName?: string }): Promise<{ StackId: string }> {
    this.calls.push('CreateStack');
    if (this.stack !== undefined && this.stack.StackStatus !== 'DELETE_COMPLETE') {
      throw Object.assign(new Error(`Stack [${input.StackName}] already exists`), {
        name: 'AlreadyExistsException',
      });
    }
    this.seed(input.StackName ?? 'stack', 'CREATE_IN_PROGRESS');
    this.script = this.onCreate();
    return { StackId: this.stack?.StackId ?? '' };
  }

  async createChangeSet(): Promise<{ Id: string }> {
    this.calls.push('CreateChangeSet');
    return { Id: 'changeset-1' };
  }

  async describeChangeSet(): Promise<DescribeChangeSetOutput> {
    this.calls.push('DescribeChangeSet');
    return { ...this.changeSetStatus };
  }

  async executeChangeSet(): Promise<unknown> {
    this.calls.push('ExecuteChangeSet');
    this.apply({ status: 'UPDATE_IN_PROGRESS' });
    this.script = this.onExecute();
    return {};
  }

  async deleteChangeSet(): Promise<unknown> {
    this.calls.push('DeleteChangeSet');
    return {};
  }

  async deleteStack(): Promise<unknown> {
    this.calls.push('DeleteStack');
    this.script = this.onDelete();
    return {};
  }

  async cancelUpdateStack(): Promise<unknown> {
    this.calls.push('CancelUpdateStack');
    this.script = this.onCancel();
    return {};
  }

  private apply(step: Step): void {
    if (this.stack === undefined) return;
    this.stack.StackStatus = step.status as Stack['StackStatus'];
    this.stack.StackStatusReason = step.reason;
    this.record(step);
  }

  private record(step: Step): void {
    const stack = this.stack;
    if (stack === undefined) return;
    const at = new Date(Date.UTC(2026, 10, 27, 12, 0, this.events.length));
    if (step.resource !== undefined) {
      this.events.push({
        EventId: `e${this.events.length}`,
        StackId: stack.StackId,
        StackName: stack.StackName,
        Timestamp: at,
        ...step.resource,
      });
    }
    this.events.push({
      EventId: `e${this.events.length}`,
      StackId: stack.StackId,
      StackName: stack.StackName,
      LogicalResourceId: stack.StackName,
      PhysicalResourceId: stack.StackId,
      ResourceType: 'AWS::CloudFormation::Stack',
      ResourceStatus: step.status as StackEvent['ResourceStatus'],
      ResourceStatusReason: step.reason,
      Timestamp: at,
    });
  }
}

export function validation(message: string): Error {
  return Object.assign(new Error(message), { name: 'ValidationError' });
}
