import { chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArnScope, Logger, TemplateKind } from '@nucleon/core';
import type { Kysely } from 'kysely';
import type { SecretBox } from '../adapters/auth/secret-box.js';
import { PostgresRepositoryStore } from '../adapters/db/postgres-repository-store.js';
import { TerraformRepositoryProvisioner } from '../adapters/engines/terraform-repository-provisioner.js';
import { GitCliPublisher } from '../adapters/git/git-cli-publisher.js';
import { StsRoleCredentials } from '../adapters/auth/sts-role-credentials.js';
import { TerraformCliExecutor } from '../adapters/engines/terraform-cli-executor.js';
import { TerraformCliProvisioner } from '../adapters/engines/terraform-cli-provisioner.js';
import { TerraformCliPlanner } from '../adapters/engines/terraform-cli-planner.js';
import { RepositoriesService } from '../app/repositories-service.js';
import { AccountSettingsService } from '../app/account-settings-service.js';
import { PostgresSettingsStore } from '../adapters/db/postgres-settings-store.js';
import { accountSettingsOperations } from '../http/account-settings-operations.js';
import { StoredVersionBundles } from '../adapters/bundles/stored-version-bundles.js';
import { PostgresDeploymentStore } from '../adapters/db/postgres-deployment-store.js';
import type { Database } from '../adapters/db/schema.js';
import { CloudFormationProvisioner } from '../adapters/engines/cloudformation-provisioner.js';
import { CodeBuildProvisioner } from '../adapters/engines/codebuild-provisioner.js';
import { LocalCommandRunner } from '../adapters/runners/local-command-runner.js';
import { PooledTemplateRenderer } from '../adapters/render/pooled-template-renderer.js';
import { detectCommandSandbox, type CommandSandbox } from '../adapters/runners/command-sandbox.js';
import type { AccessKeysService } from '../app/access-keys-service.js';
import type { DeployDeps } from '../app/deploy/deploy-context.js';
import { DeploymentRunner } from '../app/deploy/deployment-runner.js';
import { DeploymentsService, keyOfArn } from '../app/deploy/deployments-service.js';
import { EnvironmentsService } from '../app/deploy/environments-service.js';
import { ComponentsService } from '../app/deploy/components-service.js';
import { InstancesService } from '../app/deploy/instances-service.js';
import { reconcileServiceJob } from '../app/deploy/reconcile-service.js';
import { ServicesService } from '../app/deploy/services-service.js';
import type { VersionUsageCounter } from '../app/version-usage.js';
import { deploymentOperations } from '../http/deployment-operations.js';
import { protonImportOperations } from '../http/proton-import-operations.js';
import { ProtonImportService } from '../app/adopt/proton-import-service.js';
import { ProtonDiscoveryService } from '../app/adopt/proton-discovery-service.js';
import { AwsProtonEstate } from '../adapters/proton-estate/aws-proton-estate.js';
import type { BundleStore } from '../ports/bundle-store.js';
import type { CatalogStore } from '../ports/catalog-store.js';
import type { Clock } from '../ports/clock.js';
import type { JobHandler } from '../ports/job-queue.js';
import type { Provisioner } from '../ports/provisioner.js';
import { FaultStep, noFaults, type FaultInjector } from '../ports/fault-injector.js';
import { ConfiguredFaults } from '../adapters/configured-faults.js';
import { bundleLimitsOf, type NucleonConfig } from './config.js';
import { PostgresConnectionStore } from '../adapters/db/postgres-connection-store.js';
import { ConnectionsService } from '../app/accounts/connections-service.js';
import { connectionOperations } from '../http/connection-operations.js';
import { wireRollouts } from './wire-rollouts.js';
import { wireRunners } from './wire-runners.js';
import { loadInstallationId } from './bootstrap-secrets.js';

/** Lets the catalog ask about version usage before the deployment store exists. */
export class DeferredUsageCounter implements VersionUsageCounter {
  current: VersionUsageCounter | undefined;
  count(kind: TemplateKind, name: string, major: number, minor: number) {
    return this.current ? this.current.count(kind, name, major, minor) : Promise.resolve({});
  }
}

/** Test-only fault injection (NUCLEON_FAULTS); nothing in production. */
function faultsOf(config: NucleonConfig, logger: Logger): FaultInjector {
  if (!config.faults) return noFaults;
  logger.warn('fault injection is enabled (NUCLEON_FAULTS); this is for tests only', {
    faults: config.faults,
  });
  return ConfiguredFaults.parse(config.faults);
}

/** The commands' PATH: the server's own, or the usual system directories. */
function commandPath(): string {
  return process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin';
}

/** What the host offers for template commands: a Terraform/OpenTofu binary and a sandbox. */
export interface HostProbes {
  terraform: TerraformCliExecutor | undefined;
  sandbox: CommandSandbox;
}

/**
 * Starts the host probes (a PATH search plus `terraform version`, a sandboxed `id -u`): child
 * processes that need nothing from the database, so the composition root starts them first and
 * they run while the database opens. The returned promise is marked handled; await it to see
 * its outcome.
 */
export function startHostProbes(config: NucleonConfig): Promise<HostProbes> {
  const path = commandPath();
  const probes = Promise.all([
    TerraformCliExecutor.detect({ path }),
    detectCommandSandbox({
      policy: config.runnerSandbox,
      path,
      uid: config.runnerUid,
      serverUid: process.getuid?.() ?? -1,
    }),
  ]).then(([terraform, sandbox]) => ({ terraform, sandbox }));
  probes.catch(() => undefined);
  return probes;
}

/** Builds the deployment side of the system: store, engines, use cases, operations, job handler. */
export async function wireDeployments(w: {
  config: NucleonConfig;
  db: Kysely<Database>;
  catalogStore: CatalogStore;
  bundleStore: BundleStore;
  keys: AccessKeysService;
  box: SecretBox;
  clock: Clock;
  arnScope: ArnScope;
  accountId: string;
  logger: Logger;
  poke: () => void;
  endpoint: () => string;
  /** Probes already started ({@link startHostProbes}); started here when left out. */
  probes?: Promise<HostProbes>;
}) {
  const store = new PostgresDeploymentStore(w.db);
  // Commands get a clean environment: PATH, HOME, LANG and only the variables the operator names.
  const passed = Object.fromEntries(
    w.config.runnerPassEnv
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n && process.env[n] !== undefined)
      .map((n) => [n, process.env[n]!]),
  );
  const baseEnv = {
    PATH: commandPath(),
    HOME: process.env.HOME ?? '/tmp',
    LANG: 'C.UTF-8',
    ...passed,
  };
  const { terraform, sandbox } = await (w.probes ?? startHostProbes(w.config));
  const repositoryStore = new PostgresRepositoryStore(w.db, w.box);
  const repositories = new RepositoriesService(
    repositoryStore,
    w.catalogStore,
    w.arnScope,
    w.clock,
  );
  const faults = faultsOf(w.config, w.logger);
  const connectionStore = new PostgresConnectionStore(w.db);
  const connections = new ConnectionsService({
    store: connectionStore,
    tags: w.catalogStore,
    clock: w.clock,
    arnScope: w.arnScope,
    maxPerEnvironmentAccount: w.config.maxConnectionsPerAccount,
  });
  const d: DeployDeps = {
    connections,
    catalog: w.catalogStore,
    store,
    bundles: new StoredVersionBundles(w.catalogStore, w.bundleStore, bundleLimitsOf(w.config)),
    clock: w.clock,
    arnScope: w.arnScope,
    poke: w.poke,
    terraformCli: terraform !== undefined,
  };
  const environments = new EnvironmentsService(d);
  const services = new ServicesService(d);
  const instances = new InstancesService(d, services);
  const deployments = new DeploymentsService(d);
  const sandboxLog = w.logger.child({ component: 'runner' });
  if (sandbox.kind === 'none')
    sandboxLog.warn(`command sandbox: ${sandbox.kind}; ${sandbox.notice}`, {
      sandbox: sandbox.kind,
    });
  else
    sandboxLog.info(`command sandbox: ${sandbox.kind}; ${sandbox.notice}`, {
      sandbox: sandbox.kind,
    });
  const runner = await LocalCommandRunner.create({ sandbox });
  // Workspaces live outside the data dir: a data dir inside a project would make the project's
  // package.json, .npmrc or terraform files apply to the templates' commands.
  const workspaceRoot = w.config.workspaceDir ?? mkdtempSync(join(tmpdir(), 'nucleon-workspaces-'));
  // Traversable but not listable: a command switched to another uid reaches only its own workspace.
  if (sandbox.owner) {
    mkdirSync(workspaceRoot, { recursive: true, mode: 0o711 });
    chmodSync(workspaceRoot, 0o711);
  }
  const sts = new StsRoleCredentials(w.config.region);
  const installationId = await loadInstallationId(w.db);
  const runnerFor = wireRunners({
    config: w.config,
    local: runner,
    installationId,
    logger: w.logger,
  });
  const codebuild = new CodeBuildProvisioner({
    runnerFor,
    workspaceRoot,
    region: w.config.region,
    endpoint: w.endpoint,
    mintCredentials: async (arn, ttlMs, roleArn, sessionName, deploymentId) => {
      if (roleArn) {
        try {
          const assumed = await sts.assume(roleArn, sessionName, Math.ceil(ttlMs / 1000));
          await w.keys.registerScoped(assumed, arn, deploymentId);
          return assumed;
        } catch (error) {
          throw new Error(
            `could not assume the environment's codebuildRoleArn ${roleArn}: ${(error as Error).message}`,
          );
        }
      }
      const k = await w.keys.mintScoped(arn, ttlMs, deploymentId);
      return {
        accessKeyId: k.accessKeyId,
        secretAccessKey: k.secretAccessKey,
        sessionToken: k.sessionToken,
      };
    },
    revokeCredentials: (id) => w.keys.delete(id),
    baseEnv,
  });
  // The CloudFormation SDK is loaded on the first CloudFormation deployment: it costs start-up time.
  let cfn: Promise<Provisioner> | undefined;
  const cloudformation: Provisioner = {
    run: async (request) => {
      cfn ??= import('../adapters/engines/cloudformation-stack-engine.js').then(
        ({ CloudFormationStackEngine }) =>
          new CloudFormationProvisioner(
            CloudFormationStackEngine.create({ pollIntervalMs: w.config.cfnPollMs }),
            w.config.region,
          ),
      );
      return (await cfn).run(request);
    },
  };
  const renderer = new PooledTemplateRenderer({
    size: w.config.renderWorkers,
    timeoutMs: w.config.renderTimeoutMs,
    budget: { maxSteps: w.config.renderMaxSteps, maxOutputChars: w.config.renderMaxOutputChars },
  });
  const accountSettings = new AccountSettingsService(
    new PostgresSettingsStore(w.db),
    repositoryStore,
  );
  const pipelineRepository = async () =>
    (await accountSettings.get()).accountSettings.pipelineProvisioningRepository;
  const deploymentRunner = new DeploymentRunner({
    store,
    bundles: d.bundles,
    renderer,
    provisioners: {
      codebuild,
      cloudformation,
      terraform: new TerraformRepositoryProvisioner(repositoryStore, new GitCliPublisher()),
      ...(terraform
        ? {
            'terraform-cli': new TerraformCliProvisioner(
              terraform,
              workspaceRoot,
              join(w.config.dataDir, 'terraform-state'),
              baseEnv,
            ),
          }
        : {}),
    },
    accountId: w.accountId,
    installationId,
    arnScope: w.arnScope,
    logger: w.logger.child({ component: 'deployments' }),
    timeoutMs: w.config.deploymentTimeoutMs,
    stallWarningMs: w.config.stallWarningMs,
    faults,
    connections: connectionStore,
    pipelineRepository,
  });
  const rollouts = wireRollouts({
    db: w.db,
    deploy: d,
    renderer,
    accountId: w.accountId,
    logger: w.logger,
    box: w.box,
    driftIntervalSeconds: w.config.driftIntervalSeconds,
    eventRetentionDays: w.config.eventRetentionDays,
    terraformPlanner: terraform
      ? new TerraformCliPlanner(
          terraform,
          workspaceRoot,
          join(w.config.dataDir, 'terraform-state'),
          baseEnv,
        )
      : undefined,
    driftCommands: { commands: codebuild, timeoutMs: w.config.deploymentTimeoutMs },
  });
  const handleDeployJob: JobHandler = {
    run: (job, signal) => deploymentRunner.handle(job, signal),
    exhausted: (job) => deploymentRunner.exhausted(job),
  };
  const reconcile = reconcileServiceJob(d);
  const handleReconcileJob: JobHandler = {
    run: (job) => {
      faults.at(FaultStep.RECONCILE, String(job.payload.serviceName));
      return reconcile(job);
    },
    // Reconciling only reads and writes the database: a job that failed every attempt met a database
    // that kept failing. The next deployment end of the service enqueues a new one; say so loudly.
    exhausted: (job) => {
      w.logger.error(
        'gave up reconciling a service after every attempt failed; it is reconciled again when one of its deployments ends, or at the next start',
        {
          serviceName: String(job.payload.serviceName),
        },
      );
      return Promise.resolve();
    },
  };
  const exists = async (arn: string) => {
    const key = keyOfArn(arn);
    return key ? (await store.getResource(key)) !== undefined : false;
  };
  const components = new ComponentsService(d);
  return {
    services,
    instances,
    store,
    operations: [
      ...rollouts.operations,
      ...deploymentOperations({
        environments,
        services,
        instances,
        deployments,
        repositories,
        components,
      }),
      ...connectionOperations(connections),
      ...protonImportOperations(
        new ProtonImportService({
          ...d,
          renderer,
          accountId: w.accountId,
          services,
          components,
          pipelineRepository,
        }),
        new ProtonDiscoveryService({
          estate: new AwsProtonEstate(),
          catalog: w.catalogStore,
          repositories: repositoryStore,
          region: w.arnScope.region,
        }),
      ),
      ...accountSettingsOperations(accountSettings),
    ],
    handleDeployJob,
    handleReconcileJob,
    handleRolloutJob: rollouts.handleRolloutJob,
    handleDriftScanJob: rollouts.handleDriftScanJob,
    handleEventJob: rollouts.handleEventJob,
    handleEventPruneJob: rollouts.handleEventPruneJob,
    scheduleDrift: rollouts.scheduleDrift,
    scheduleEventPruning: rollouts.scheduleEventPruning,
    /** Stops the render workers and the EventBridge clients (on shutdown). */
    close: () => {
      rollouts.close();
      return renderer.close();
    },
    usage: {
      count: (kind: TemplateKind, name: string, major: number, minor: number) =>
        store.countVersionUsage(kind, name, major, minor),
    },
    resolvers: {
      // Tag operations reach connections whose environment account is this installation's.
      connection: async (_t: string, resource: string) =>
        (await connectionStore.get(resource))?.environmentAccountId === w.arnScope.accountId,
      component: (_t: string, resource: string) =>
        exists(`arn:aws:proton:${w.arnScope.region}:${w.arnScope.accountId}:component/${resource}`),
      environment: (_t: string, resource: string) =>
        exists(
          `arn:aws:proton:${w.arnScope.region}:${w.arnScope.accountId}:environment/${resource}`,
        ),
      service: async (_t: string, resource: string) =>
        resource.includes('/')
          ? exists(
              `arn:aws:proton:${w.arnScope.region}:${w.arnScope.accountId}:service/${resource}`,
            )
          : (await store.getService(resource)) !== undefined,
    },
  };
}
