import type { StackChange } from '@nucleon/core';

/** What a change set says a template would do to a stack. */
export type StackPlan =
  | { kind: 'changes'; changes: StackChange[]; status: string; statusReason?: string }
  /** The stack does not exist (yet): deploying creates it with every resource of the template. */
  | { kind: 'absent' }
  | { kind: 'error'; message: string };

/** Asks the engine for its own plan without changing anything (a CloudFormation change set). */
export interface StackPlanner {
  plan(request: { stackName: string; templateBody: string; region: string }): Promise<StackPlan>;
}
