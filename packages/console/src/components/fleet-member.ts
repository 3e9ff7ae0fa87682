import { pathOf } from '../router.js';

/**
 * A rollout or preview member's label and page: a service instance (`service/instance`) or, for an
 * environment template's rollout, an environment (its service and instance names are empty).
 */
export function fleetMember(m: {
  serviceName: string;
  serviceInstanceName: string;
  environmentName: string;
}): { label: string; path: string } {
  return m.serviceInstanceName
    ? {
        label: `${m.serviceName}/${m.serviceInstanceName}`,
        path: pathOf('services', m.serviceName, 'instances', m.serviceInstanceName),
      }
    : { label: m.environmentName, path: pathOf('environments', m.environmentName) };
}
