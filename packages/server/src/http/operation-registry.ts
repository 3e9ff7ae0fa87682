import type { RequestContext } from '../app/request-context.js';

/** One callable operation: its model shapes and the use case behind it. */
export interface OperationEntry {
  /** Input/output shape names in the model (Proton's or the extension model). */
  input: string | null;
  output: string | null;
  /** May a principal scoped to one resource call it (deployment runners)? */
  allowScoped?: boolean;
  handler(input: Record<string, unknown>, context: RequestContext): Promise<unknown>;
}

/** Operations by full target (`AwsProton20200720.GetEnvironmentTemplate`). */
export type OperationRegistry = ReadonlyMap<string, OperationEntry>;
