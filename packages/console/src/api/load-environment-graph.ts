import type {
  GraphComponent,
  GraphInstance,
  GraphResource,
  EnvironmentGraphData,
} from '../graph/environment-graph-layout.js';
import { ApiError, api } from './console-api.js';
import { listAll } from './list-all.js';
import { getTemplate, newerVersion } from './template-calls.js';

const notFound = (e: unknown) => e instanceof ApiError && e.type === 'ResourceNotFoundException';

/** The recommended version of a template, or undefined when it cannot be read (deleted meanwhile). */
async function recommendedOf(
  load: () => Promise<{ recommendedVersion?: string }>,
): Promise<string | undefined> {
  try {
    return (await load()).recommendedVersion;
  } catch (e) {
    if (notFound(e)) return undefined;
    throw e;
  }
}

/**
 * Everything the environment graph draws, through public operations only: the environment, the
 * service instances running in it (`ListServiceInstances` filtered on `environmentName`), their
 * services (`GetService`), the components in it (`ListComponents`), and the templates'
 * recommended versions (to show what is behind).
 */
export async function loadEnvironmentGraph(name: string): Promise<EnvironmentGraphData> {
  const [env, instances, components, serviceTemplates] = await Promise.all([
    api.call('GetEnvironment', { name }).then((o) => o.environment),
    listAll(
      (nextToken) =>
        api.call('ListServiceInstances', {
          filters: [{ key: 'environmentName', value: name }],
          nextToken,
        }),
      (o) => o.serviceInstances,
    ),
    listAll(
      (nextToken) => api.call('ListComponents', { environmentName: name, nextToken }),
      (o) => o.components,
    ),
    listAll(
      (nextToken) => api.call('ListServiceTemplates', { nextToken }),
      (o) => o.templates,
    ),
  ]);
  const serviceNames = [...new Set(instances.map((i) => i.serviceName))];
  const [envRecommended, services] = await Promise.all([
    recommendedOf(() => getTemplate('environment', env.templateName)),
    Promise.all(
      serviceNames.map(async (serviceName): Promise<GraphResource> => {
        try {
          const service = (await api.call('GetService', { name: serviceName })).service;
          return service
            ? { name: serviceName, status: service.status, templateName: service.templateName }
            : { name: serviceName, status: 'UNKNOWN' };
        } catch (e) {
          // Deleted between the two calls: still drawn, as unknown, until the next refresh.
          if (notFound(e)) return { name: serviceName, status: 'UNKNOWN' };
          throw e;
        }
      }),
    ),
  ]);
  const recommended = new Map(serviceTemplates.map((t) => [t.name, t.recommendedVersion]));

  const environment: GraphResource = {
    name: env.name,
    status: env.deploymentStatus,
    templateName: env.templateName,
    version: `${env.templateMajorVersion}.${env.templateMinorVersion}`,
  };
  const envAvailable = newerVersion(
    envRecommended,
    env.templateMajorVersion,
    env.templateMinorVersion,
  );
  if (envAvailable) environment.available = envAvailable;

  return {
    environment,
    services,
    instances: instances.map((i): GraphInstance => {
      const available = newerVersion(
        recommended.get(i.templateName),
        i.templateMajorVersion,
        i.templateMinorVersion,
      );
      const node: GraphInstance = {
        name: i.name,
        serviceName: i.serviceName,
        status: i.deploymentStatus,
        templateName: i.templateName,
        version: `${i.templateMajorVersion}.${i.templateMinorVersion}`,
      };
      if (available) node.available = available;
      return node;
    }),
    components: components.map((c): GraphComponent => {
      const node: GraphComponent = { name: c.name, status: c.deploymentStatus };
      if (c.serviceName) node.serviceName = c.serviceName;
      if (c.serviceInstanceName) node.serviceInstanceName = c.serviceInstanceName;
      return node;
    }),
  };
}
