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

/**
 * Asks Terraform for its plan of a rendered configuration against the resource's current state,
 * read-only (terraform-cli engine: Terraform runs on the runner). Changes use the change-set
 * vocabulary: Add, Modify (replacement 'True' when Terraform replaces), Remove.
 */
export interface TerraformPlanner {
  plan(request: {
    /** The resource's engine name: its state folder. */
    resourceName: string;
    files: ReadonlyMap<string, Uint8Array | string>;
  }): Promise<StackPlan>;
}
