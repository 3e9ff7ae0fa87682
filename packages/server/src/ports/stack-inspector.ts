/** Reads what a stack is now, for drift reports. */
export interface StackInspector {
  /** The stack's current template body; undefined when the stack does not exist. */
  currentTemplate(stackName: string, region: string): Promise<string | undefined>;
  /**
   * CloudFormation's own drift detection (DetectStackDrift, waited for, then
   * DescribeStackResourceDrifts); `unsupported` with the engine's answer where it has none.
   */
  detectDrift(
    stackName: string,
    region: string,
  ): Promise<
    | {
        kind: 'detected';
        stackDriftStatus: string;
        resources: Array<{ logicalResourceId: string; resourceType: string; driftStatus: string }>;
      }
    | { kind: 'unsupported'; message: string }
  >;
}
