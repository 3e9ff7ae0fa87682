import type { ResourceRecord, StartDeployment } from '../../ports/deployment-store.js';
import type { RolloutTemplateKind } from '../../ports/rollout-store.js';
import type { DeployDeps } from '../deploy/deploy-context.js';
import { planEnvironmentDeployment } from './plan-environment-deployment.js';
import { planInstanceDeployment } from './plan-instance-deployment.js';

/** The key of a rollout member's resource: a service instance, or an environment. */
export const memberKey = (
  kind: RolloutTemplateKind,
  row: { serviceName: string; instanceName: string },
) =>
  kind === 'ENVIRONMENT'
    ? { kind: 'ENVIRONMENT' as const, serviceName: '', name: row.instanceName }
    : { kind: 'SERVICE_INSTANCE' as const, serviceName: row.serviceName, name: row.instanceName };

/** The deployment moving a rollout member to a version (or back), by the template's kind. */
export function planMemberDeployment(
  d: DeployDeps,
  kind: RolloutTemplateKind,
  r: ResourceRecord,
  to: {
    major: number;
    minor: number;
    restore?: { spec: string | null; settings: Record<string, unknown> };
  },
): Promise<StartDeployment> {
  return kind === 'ENVIRONMENT'
    ? planEnvironmentDeployment(d, r, to)
    : planInstanceDeployment(d, r, to);
}
