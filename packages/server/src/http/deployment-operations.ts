import { extensionTargetPrefix, targetPrefix } from '@nucleon/protocol';
import type { DeploymentsService } from '../app/deploy/deployments-service.js';
import type { EnvironmentsService } from '../app/deploy/environments-service.js';
import type { InstancesService } from '../app/deploy/instances-service.js';
import type { ServicesService } from '../app/deploy/services-service.js';
import type { RepositoriesService } from '../app/repositories-service.js';
import {
  componentView,
  environmentView,
  serviceInstanceView,
  servicePipelineView,
} from '../app/deploy/resource-views.js';
import type { ComponentsService } from '../app/deploy/components-service.js';
import type { OperationEntry } from './operation-registry.js';

type In = Record<string, unknown>;
const o = <T>(v: unknown): T => v as T;
const s = (v: unknown): string => v as string;
const opt = (v: unknown): string | undefined => v as string | undefined;
const page = (i: In) => ({ nextToken: opt(i.nextToken) });

/** Environments, services, instances, pipelines and deployments (Proton operations + details). */
export function deploymentOperations(deps: {
  environments: EnvironmentsService;
  services: ServicesService;
  instances: InstancesService;
  deployments: DeploymentsService;
  repositories: RepositoriesService;
  components: ComponentsService;
}): Array<[string, OperationEntry]> {
  const { environments, services, instances, deployments, repositories, components } = deps;
  const entries: Array<[string, OperationEntry]> = [];
  const op = (
    name: string,
    handler: OperationEntry['handler'],
    extra: Partial<OperationEntry> = {},
    prefix = targetPrefix,
  ) =>
    entries.push([
      `${prefix}.${name}`,
      { input: `${name}Input`, output: `${name}Output`, handler, ...extra },
    ]);

  const environmentKey = (i: In) => ({
    kind: 'ENVIRONMENT' as const,
    serviceName: '',
    name: s(i.environmentName),
  });
  op('CreateEnvironment', async (i: In) => ({ environment: await environments.create(o(i)) }));
  op('GetEnvironment', async (i: In) => ({ environment: await environments.get(s(i.name)) }));
  op('ListEnvironments', async (i: In) => environments.list(o(i)));
  op('UpdateEnvironment', async (i: In) => ({ environment: await environments.update(o(i)) }));
  op('DeleteEnvironment', async (i: In) => ({ environment: await environments.delete(s(i.name)) }));
  op('CancelEnvironmentDeployment', async (i: In) => ({
    environment: environmentView(await instances.cancel(environmentKey(i))),
  }));
  op('ListEnvironmentOutputs', async (i: In) =>
    instances.outputs(environmentKey(i), opt(i.deploymentId), page(i)),
  );
  op('ListEnvironmentProvisionedResources', async (i: In) =>
    instances.provisionedResources(environmentKey(i), page(i)),
  );

  op('CreateService', async (i: In) => ({ service: await services.create(o(i)) }));
  op('GetService', async (i: In) => ({ service: await services.get(s(i.name)) }));
  op('ListServices', async (i: In) => services.list(o(i)));
  op('UpdateService', async (i: In) => ({ service: await services.update(o(i)) }));
  op('DeleteService', async (i: In) => ({ service: await services.delete(s(i.name)) }));

  const instanceKey = (i: In) => ({
    kind: 'SERVICE_INSTANCE' as const,
    serviceName: s(i.serviceName),
    name: s(i.serviceInstanceName ?? i.name),
  });
  const pipelineKey = (i: In) => ({
    kind: 'SERVICE_PIPELINE' as const,
    serviceName: s(i.serviceName),
    name: 'pipeline',
  });
  op('CreateServiceInstance', async (i: In) => ({ serviceInstance: await instances.create(o(i)) }));
  op('GetServiceInstance', async (i: In) => ({
    serviceInstance: await instances.get(s(i.serviceName), s(i.name)),
  }));
  op('ListServiceInstances', async (i: In) => instances.list(o(i)));
  op('UpdateServiceInstance', async (i: In) => ({
    serviceInstance: await instances.update(instanceKey(i), o(i)),
  }));
  op('CancelServiceInstanceDeployment', async (i: In) => ({
    serviceInstance: serviceInstanceView(await instances.cancel(instanceKey(i))),
  }));
  op('ListServiceInstanceOutputs', async (i: In) =>
    instances.outputs(instanceKey(i), opt(i.deploymentId), page(i)),
  );
  op('ListServiceInstanceProvisionedResources', async (i: In) =>
    instances.provisionedResources(instanceKey(i), page(i)),
  );
  op('UpdateServicePipeline', async (i: In) => ({
    pipeline: await instances.update(pipelineKey(i), o(i)),
  }));
  op('CancelServicePipelineDeployment', async (i: In) => ({
    pipeline: servicePipelineView(await instances.cancel(pipelineKey(i))),
  }));
  op('ListServicePipelineOutputs', async (i: In) =>
    instances.outputs(pipelineKey(i), opt(i.deploymentId), page(i)),
  );
  op('ListServicePipelineProvisionedResources', async (i: In) =>
    instances.provisionedResources(pipelineKey(i), page(i)),
  );

  const componentKey = (i: In) => ({
    kind: 'COMPONENT' as const,
    serviceName: '',
    name: s(i.componentName),
  });
  op('CreateComponent', async (i: In) => ({ component: await components.create(o(i)) }));
  op('GetComponent', async (i: In) => ({ component: await components.get(s(i.name)) }));
  op('ListComponents', async (i: In) => components.list(o(i)));
  op('UpdateComponent', async (i: In) => ({ component: await components.update(o(i)) }));
  op('DeleteComponent', async (i: In) => ({ component: await components.delete(s(i.name)) }));
  op('CancelComponentDeployment', async (i: In) => ({
    component: componentView(await instances.cancel(componentKey(i))),
  }));
  op('ListComponentOutputs', async (i: In) =>
    instances.outputs(componentKey(i), opt(i.deploymentId), page(i)),
  );
  op('ListComponentProvisionedResources', async (i: In) =>
    instances.provisionedResources(componentKey(i), page(i)),
  );

  op('ListDeployments', async (i: In) => deployments.list(o(i)));
  op('GetDeployment', async (i: In) => deployments.get(o(i)));
  op('DeleteDeployment', async (i: In) => deployments.delete(s(i.id)));
  op(
    'NotifyResourceDeploymentStatusChange',
    async (i: In, ctx) => deployments.notify(o(i), ctx.principal),
    { allowScoped: true },
  );
  op('GetResourcesSummary', async () => deployments.summary());
  op('CreateRepository', async (i: In) => ({ repository: await repositories.create(o(i)) }));
  op('GetRepository', async (i: In) => ({
    repository: await repositories.get(s(i.provider), s(i.name)),
  }));
  op('ListRepositories', async (i: In) => repositories.list(o(i)));
  op('DeleteRepository', async (i: In) => ({
    repository: await repositories.delete(s(i.provider), s(i.name)),
  }));
  op(
    'SetRepositoryRemote',
    async (i: In) => repositories.setRemote(o(i)),
    {},
    extensionTargetPrefix,
  );
  op('GetDeploymentDetails', async (i: In) => deployments.details(o(i)), {}, extensionTargetPrefix);
  return entries;
}
