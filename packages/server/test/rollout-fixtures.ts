import {
  CreateEnvironmentCommand,
  CreateServiceCommand,
  CreateEnvironmentTemplateVersionCommand,
  CreateServiceTemplateVersionCommand,
  GetDeploymentCommand,
  ListServiceInstanceOutputsCommand,
  ListServiceInstancesCommand,
  UpdateEnvironmentTemplateVersionCommand,
  UpdateServiceTemplateVersionCommand,
  waitUntilEnvironmentDeployed,
  waitUntilServiceCreated,
  waitUntilEnvironmentTemplateVersionRegistered,
  waitUntilServiceTemplateVersionRegistered,
  type ProtonClient as SdkProtonClient,
} from '@aws-sdk/client-proton';
import { extensionTargetPrefix } from '@nucleon/protocol';
import { waitFor, type TestServer } from '@nucleon/test-utils';
import { nucleonClient, publishFixture, pushFixture, sdkClient } from './helpers.js';

export const w = (client: SdkProtonClient) => ({
  client,
  maxWaitTime: 120,
  minDelay: 1,
  maxDelay: 1,
});

export interface RolloutView {
  rolloutId: string;
  status: string;
  phase: string;
  statusMessage?: string;
  currentWave: number;
  waveCount: number;
  instances: Array<{
    serviceName: string;
    serviceInstanceName: string;
    environmentName: string;
    wave: number;
    state: string;
    previousVersion?: string;
    deploymentId?: string;
    rollbackDeploymentId?: string;
    deploymentStatus?: string;
    message?: string;
  }>;
}

/** Calls a rollout extension operation with Nucleon's own signed client. */
export async function rolloutCall(
  server: TestServer,
  op: string,
  input: Record<string, unknown>,
): Promise<RolloutView> {
  const out = (await nucleonClient(server).send(`${extensionTargetPrefix}.${op}`, input)) as {
    rollout: RolloutView;
  };
  return out.rollout;
}

export function waitRollout(
  server: TestServer,
  rolloutId: string,
  until: (r: RolloutView) => boolean,
  what: string,
): Promise<RolloutView> {
  return waitFor(
    async () => {
      const r = await rolloutCall(server, 'GetRollout', { rolloutId });
      return until(r) ? r : undefined;
    },
    { timeoutMs: 180_000, intervalMs: 200, what },
  );
}

/** Registers and publishes another minor version of the rollout service template in major 1. */
export async function publishMinor(server: TestServer, template: string, fixture: string) {
  const proton = sdkClient(server);
  const v = (
    await proton.send(
      new CreateServiceTemplateVersionCommand({
        templateName: template,
        majorVersion: '1',
        source: { s3: await pushFixture(server, fixture, `${template}-${fixture}.tar.gz`) },
        compatibleEnvironmentTemplates: [{ templateName: 'rollout-env', majorVersion: '1' }],
      }),
    )
  ).serviceTemplateVersion!;
  const ref = { templateName: template, majorVersion: '1', minorVersion: v.minorVersion! };
  await waitUntilServiceTemplateVersionRegistered(w(proton), ref);
  await proton.send(new UpdateServiceTemplateVersionCommand({ ...ref, status: 'PUBLISHED' }));
  return ref;
}

/** Registers and publishes another minor version of an environment template in major 1. */
export async function publishEnvMinor(server: TestServer, template: string, fixture: string) {
  const proton = sdkClient(server);
  const v = (
    await proton.send(
      new CreateEnvironmentTemplateVersionCommand({
        templateName: template,
        majorVersion: '1',
        source: { s3: await pushFixture(server, fixture, `${template}-${fixture}.tar.gz`) },
      }),
    )
  ).environmentTemplateVersion!;
  const ref = { templateName: template, majorVersion: '1', minorVersion: v.minorVersion! };
  await waitUntilEnvironmentTemplateVersionRegistered(w(proton), ref);
  await proton.send(new UpdateEnvironmentTemplateVersionCommand({ ...ref, status: 'PUBLISHED' }));
}

/**
 * A fleet on template `template` 1.0: environments dev, staging and prod (CodeBuild), and
 * services each with one instance per environment (`<service>-<env>`). `failOn` sets an
 * instance's fail_on input (the fixture's provision fails on that version).
 */
export async function createFleet(
  server: TestServer,
  template: string,
  services: string[],
  failOn: Record<string, string> = {},
  envs = ['dev', 'staging', 'prod'],
  fixture = 'svc-rollout-1_0',
) {
  const proton = sdkClient(server);
  await publishFixture(server, {
    kind: 'ENVIRONMENT',
    template: 'rollout-env',
    fixture: 'env-rollout',
  });
  await publishFixture(server, {
    kind: 'SERVICE',
    template,
    fixture,
    compatible: [{ templateName: 'rollout-env', majorVersion: '1' }],
  });
  for (const env of envs) {
    await proton
      .send(
        new CreateEnvironmentCommand({
          name: env,
          templateName: 'rollout-env',
          templateMajorVersion: '1',
          spec: 'proton: EnvironmentSpec\nspec: {}\n',
        }),
      )
      .catch((e: Error) => {
        if (e.name !== 'ConflictException') throw e;
      });
    await waitUntilEnvironmentDeployed(w(proton), { name: env });
  }
  for (const svc of services) {
    const spec = `proton: ServiceSpec\ninstances:\n${envs
      .map((env) => {
        const name = `${svc}-${env}`;
        return `  - name: ${name}\n    environment: ${env}\n    spec:\n${failOn[name] ? `      fail_on: "${failOn[name]}"\n` : '      fail_on: none\n'}`;
      })
      .join('')}`;
    await proton.send(
      new CreateServiceCommand({
        name: svc,
        templateName: template,
        templateMajorVersion: '1',
        spec,
      }),
    );
    await waitUntilServiceCreated(w(proton), { name: svc });
  }
}

/** Every instance of the services with its version, last attempted deployment and outputs. */
export async function fleetState(server: TestServer, services: string[]) {
  const proton = sdkClient(server);
  const out: Record<
    string,
    { version: string; lastAttempted: string; status: string; outputs: Record<string, string> }
  > = {};
  for (const svc of services) {
    const list = await proton.send(new ListServiceInstancesCommand({ serviceName: svc }));
    for (const i of list.serviceInstances ?? []) {
      const outputs = await proton.send(
        new ListServiceInstanceOutputsCommand({ serviceName: svc, serviceInstanceName: i.name! }),
      );
      out[`${svc}/${i.name!}`] = {
        version: `${i.templateMajorVersion}.${i.templateMinorVersion}`,
        lastAttempted: i.lastAttemptedDeploymentId ?? '',
        status: i.deploymentStatus ?? '',
        outputs: Object.fromEntries((outputs.outputs ?? []).map((o) => [o.key!, o.valueString!])),
      };
    }
  }
  return out;
}

export async function deploymentTimes(server: TestServer, id: string) {
  const d = (await sdkClient(server).send(new GetDeploymentCommand({ id }))).deployment!;
  return { createdAt: d.createdAt!, completedAt: d.completedAt, status: d.deploymentStatus };
}
