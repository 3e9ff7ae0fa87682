import type { StackInspector } from '../../ports/stack-inspector.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** GetTemplate and drift detection through the AWS SDK's standard chain. */
export class CloudFormationStackInspector implements StackInspector {
  private async api(region: string) {
    const { CloudFormation } = await import('@aws-sdk/client-cloudformation');
    return new CloudFormation({ region, maxAttempts: 3 });
  }

  async currentTemplate(stackName: string, region: string): Promise<string | undefined> {
    const api = await this.api(region);
    try {
      const out = await api.getTemplate({ StackName: stackName, TemplateStage: 'Original' });
      return out.TemplateBody;
    } catch (error) {
      if (/does not exist/.test((error as Error).message)) return undefined;
      throw error;
    } finally {
      api.destroy();
    }
  }

  async detectDrift(stackName: string, region: string) {
    const api = await this.api(region);
    try {
      const { StackDriftDetectionId: id } = await api.detectStackDrift({ StackName: stackName });
      for (let i = 0; i < 240; i++) {
        const s = await api.describeStackDriftDetectionStatus({ StackDriftDetectionId: id });
        if (s.DetectionStatus !== 'DETECTION_IN_PROGRESS') {
          const drifts = await api.describeStackResourceDrifts({ StackName: stackName });
          return {
            kind: 'detected' as const,
            stackDriftStatus: s.StackDriftStatus ?? 'UNKNOWN',
            resources: (drifts.StackResourceDrifts ?? []).map((d) => ({
              logicalResourceId: d.LogicalResourceId ?? '',
              resourceType: d.ResourceType ?? '',
              driftStatus: d.StackResourceDriftStatus ?? '',
            })),
          };
        }
        await sleep(500);
      }
      return {
        kind: 'unsupported' as const,
        message: 'drift detection did not finish in 2 minutes',
      };
    } catch (error) {
      return {
        kind: 'unsupported' as const,
        message: `CloudFormation drift detection is not available here: ${(error as Error).name}: ${(error as Error).message}`,
      };
    } finally {
      api.destroy();
    }
  }
}
