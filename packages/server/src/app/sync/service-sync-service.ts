import {
  ConflictError,
  NotFoundError,
  coerceError,
  parseProtonOps,
  type Logger,
  type OpsInstance,
} from '@nucleon/core';
import type { Clock } from '../../ports/clock.js';
import type { DeploymentStore } from '../../ports/deployment-store.js';
import type { JobHandler, JobQueue } from '../../ports/job-queue.js';
import type { MirrorTarget, RepositoryMirror } from '../../ports/repository-mirror.js';
import type {
  BranchMoved,
  RepositorySyncStore,
  Revision,
  SyncEvent,
} from '../../ports/repository-sync-store.js';
import type {
  InstanceSyncAttemptRecord,
  ServiceSyncConfigRecord,
  ServiceSyncStore,
} from '../../ports/service-sync-store.js';
import type { ResourceSyncStatus } from '../../ports/template-sync-store.js';
import type { InstancesService } from '../deploy/instances-service.js';
import type { ServicesService } from '../deploy/services-service.js';
import type { BranchSubscriber } from './branch-subscriber.js';
import type { RepositorySyncService } from './repository-sync-service.js';
import { blockerView, ServiceSyncBlockers } from './service-sync-blockers.js';
import { attemptView, view, type ConfigInput } from './service-sync-views.js';

export const SERVICE_SYNC_QUEUE = 'service-sync';

export interface ServiceSyncOptions {
  store: ServiceSyncStore;
  branches: RepositorySyncStore;
  repositories: RepositorySyncService;
  mirror: RepositoryMirror;
  services: ServicesService;
  instances: InstancesService;
  deployments: DeploymentStore;
  queue: JobQueue;
  clock: Clock;
  logger: Logger;
}

const FINAL_OK = new Set(['SUCCEEDED']);
const FINAL_BAD = new Set(['FAILED', 'CANCELLED', 'DELETE_FAILED', 'DELETE_COMPLETE']);

/**
 * Service sync (Proton §9.2): the config's proton-ops file maps instances to a branch and a
 * ServiceSpec file; a commit on an instance's branch that changes its spec file creates the
 * instance (CreateServiceInstance's path) or deploys it (UpdateServiceInstance, CURRENT_VERSION).
 * Blockers stop an instance (or the whole service) until UpdateServiceSyncBlocker resolves them.
 */
export class ServiceSyncService implements BranchSubscriber {
  readonly syncType = 'SERVICE_SYNC' as const;
  readonly queue = SERVICE_SYNC_QUEUE;
  /** A sync waits for running deployments of its instance by retrying: about an hour in all. */
  readonly maxAttempts = 20;
  /** Blockers and the manual-change rules that create them. */
  readonly blockers: ServiceSyncBlockers;
  constructor(private readonly o: ServiceSyncOptions) {
    this.blockers = new ServiceSyncBlockers(o.store, o.clock, o.logger);
  }

  private async requireConfig(serviceName: string) {
    const c = await this.o.store.getConfig(serviceName);
    if (!c)
      throw new NotFoundError(
        `The service ${serviceName} has no service sync config. Create one with CreateServiceSyncConfig.`,
      );
    return c;
  }

  private async record(input: ConfigInput): Promise<ServiceSyncConfigRecord> {
    await this.o.services.require(input.serviceName);
    await this.o.repositories.ensure(input.repositoryProvider, input.repositoryName);
    return {
      serviceName: input.serviceName,
      provider: input.repositoryProvider,
      repositoryName: input.repositoryName,
      branch: input.branch,
      filePath: input.filePath.replace(/^(\.\/)+/, '').replace(/^\/+/, ''),
    };
  }

  /** Syncs the known tips of the config's branches now, and asks for a fetch. */
  private async kick(c: Pick<ServiceSyncConfigRecord, 'provider' | 'repositoryName'>) {
    const repo = await this.o.branches.get(c.provider, c.repositoryName);
    if (repo)
      for (const config of await this.o.store.listConfigs(c.provider, c.repositoryName)) {
        const tip = await this.o.branches.branchTip(c.provider, c.repositoryName, config.branch);
        if (!tip) continue;
        const payload: BranchMoved = {
          provider: c.provider,
          name: c.repositoryName,
          branch: '*',
          commit: tip,
          previous: null,
        };
        await this.o.queue.enqueue({
          queue: this.queue,
          payload: { ...payload },
          maxAttempts: this.maxAttempts,
        });
      }
    await this.o.repositories.requestFetch(c.provider, c.repositoryName);
  }

  async createConfig(input: ConfigInput) {
    const c = await this.record(input);
    if (!(await this.o.store.insertConfig(c)))
      throw new ConflictError(
        `The service ${input.serviceName} already has a service sync config. Update it with UpdateServiceSyncConfig, or delete it first.`,
      );
    await this.kick(c);
    return { serviceSyncConfig: view(c) };
  }

  async getConfig(serviceName: string) {
    return { serviceSyncConfig: view(await this.requireConfig(serviceName)) };
  }

  async updateConfig(input: ConfigInput) {
    await this.requireConfig(input.serviceName);
    const c = await this.record(input);
    await this.o.store.updateConfig(c);
    await this.kick(c);
    return { serviceSyncConfig: view(c) };
  }

  async deleteConfig(serviceName: string) {
    const c = await this.o.store.getConfig(serviceName);
    if (!c) return { serviceSyncConfig: undefined };
    await this.o.store.deleteConfig(serviceName);
    return { serviceSyncConfig: view(c) };
  }

  async instanceStatus(serviceName: string, instanceName: string) {
    await this.o.instances.requireInstance(serviceName, instanceName);
    let latest = await this.o.store.latestAttempt(serviceName, instanceName);
    if (latest) latest = await this.settle(latest);
    const good = await this.o.store.latestAttempt(serviceName, instanceName, 'SUCCEEDED');
    return {
      latestSync: attemptView(latest),
      latestSuccessfulSync: attemptView(good),
      desiredState: latest?.targetRevision,
    };
  }

  async blockerSummary(serviceName: string, instanceName?: string) {
    await this.o.services.require(serviceName);
    // A deployment that failed since the last look blocks its instance: settle before answering.
    for (const a of await this.o.store.inProgress(serviceName)) await this.settle(a);
    const blockers = await this.o.store.latestBlockers(serviceName, instanceName);
    return {
      serviceSyncBlockerSummary: {
        serviceName,
        serviceInstanceName: instanceName,
        latestBlockers: blockers.map(blockerView),
      },
    };
  }

  async resolveBlocker(id: string, resolvedReason: string) {
    const b = await this.o.store.getBlocker(id);
    if (!b)
      throw new NotFoundError(
        `There is no sync blocker ${id}. GetServiceSyncBlockerSummary lists a service's blockers.`,
      );
    const resolved =
      b.status === 'ACTIVE'
        ? ((await this.o.store.resolveBlocker(id, resolvedReason, this.o.clock.now())) ??
          (await this.o.store.getBlocker(id))!)
        : b;
    const config = await this.o.store.getConfig(b.serviceName);
    if (config) await this.kick(config);
    return {
      serviceName: b.serviceName,
      serviceInstanceName: b.instanceName ?? undefined,
      serviceSyncBlocker: blockerView(resolved),
    };
  }

  async watches(provider: string, name: string, tips: ReadonlyMap<string, string>) {
    const branches = new Set<string>();
    for (const c of await this.o.store.listConfigs(provider, name)) {
      branches.add(c.branch);
      const tip = tips.get(c.branch);
      if (!tip) continue;
      try {
        const target = await this.o.repositories.target(provider, name);
        const text = await this.o.mirror.read(target, tip, c.filePath);
        if (text) for (const i of parseProtonOps(text, c.serviceName)) branches.add(i.branch);
      } catch {
        // A broken ops file is reported by the sync job of its branch.
      }
    }
    return [...branches];
  }

  async definitions(provider: string, name: string) {
    return (await this.o.store.listConfigs(provider, name)).map((c) => ({
      branch: c.branch,
      directory: c.filePath,
      parent: c.serviceName,
      target: c.serviceName,
    }));
  }

  private revision(
    c: ServiceSyncConfigRecord,
    branch: string,
    sha: string,
    directory: string,
  ): Revision {
    return {
      repositoryName: c.repositoryName,
      repositoryProvider: c.provider,
      branch,
      sha,
      directory,
    };
  }

  private event(type: string, text: string, commit: string): SyncEvent {
    return { type, event: text, externalId: commit, time: this.o.clock.now() };
  }

  /** The job of a branch move (branch '*': every branch of the configs, after a config or blocker change). */
  async handle(move: BranchMoved, signal?: AbortSignal): Promise<void> {
    const configs = await this.o.store.listConfigs(move.provider, move.name);
    if (configs.length === 0) return;
    const target = await this.o.repositories.target(move.provider, move.name);
    for (const c of configs) {
      const opsCommit = await this.o.branches.branchTip(c.provider, c.repositoryName, c.branch);
      if (!opsCommit) continue;
      await this.o.mirror.ensure(target, opsCommit, signal);
      const text = await this.o.mirror.read(target, opsCommit, c.filePath);
      let instances: OpsInstance[];
      try {
        if (text === undefined)
          throw new Error(
            `the proton-ops file ${c.filePath} does not exist on ${c.branch} at ${opsCommit}`,
          );
        instances = parseProtonOps(text, c.serviceName);
      } catch (error) {
        this.o.logger.warn('service sync: unreadable proton-ops file', {
          serviceName: c.serviceName,
          error: coerceError(error).message,
        });
        continue;
      }
      for (const i of instances) {
        if (move.branch !== '*' && i.branch !== move.branch) continue;
        const commit = await this.o.branches.branchTip(c.provider, c.repositoryName, i.branch);
        if (!commit) continue;
        await this.o.mirror.ensure(target, commit, signal);
        await this.syncInstance(c, target, i, commit);
      }
    }
  }

  private async syncInstance(
    c: ServiceSyncConfigRecord,
    target: MirrorTarget,
    i: OpsInstance,
    commit: string,
  ) {
    const last = await this.o.store.latestAttempt(c.serviceName, i.instanceName);
    if (last) await this.settle(last);
    const blockers = (await this.o.store.activeBlockers(c.serviceName)).filter(
      (b) => b.instanceName === null || b.instanceName === i.instanceName,
    );
    if (blockers.length > 0) return;
    const entries = await this.o.mirror.list(
      target,
      commit,
      i.spec.split('/').slice(0, -1).join('/'),
    );
    const blob = entries?.find((e) => e.name === i.spec.split('/').at(-1) && e.type === 'blob');
    const specSha = blob?.sha ?? 'missing';
    // Unchanged since the last attempt: nothing to deploy.
    if (last && last.specSha === specSha && last.status !== 'INITIATED') return;
    const good = await this.o.store.latestAttempt(c.serviceName, i.instanceName, 'SUCCEEDED');
    const targetRevision = this.revision(c, i.branch, commit, i.spec);
    const { attempt, created } = await this.o.store.startAttempt({
      serviceName: c.serviceName,
      instanceName: i.instanceName,
      commit,
      specSha,
      startedAt: this.o.clock.now(),
      status: 'INITIATED',
      initialRevision: good?.targetRevision ?? targetRevision,
      targetRevision,
      events: [this.event('INITIATED', `Sync of ${i.spec} at ${commit} initiated`, commit)],
      deploymentId: null,
    });
    if (!created && attempt.status !== 'INITIATED') return;
    const events = [...attempt.events];
    try {
      const spec = blob ? await this.o.mirror.read(target, commit, i.spec) : undefined;
      if (spec === undefined)
        throw new Error(`the spec file ${i.spec} does not exist on ${i.branch} at ${commit}`);
      const exists = await this.o.instances.requireInstance(c.serviceName, i.instanceName).then(
        () => true,
        (e: unknown) => {
          if (e instanceof NotFoundError) return false;
          throw e;
        },
      );
      const r = (
        exists
          ? await this.o.instances.update(
              { kind: 'SERVICE_INSTANCE', serviceName: c.serviceName, name: i.instanceName },
              { deploymentType: 'CURRENT_VERSION', spec },
            )
          : await this.o.instances.create({
              name: i.instanceName,
              serviceName: c.serviceName,
              spec,
            })
      ) as {
        lastAttemptedDeploymentId?: string;
      };
      events.push(
        this.event(
          'IN_PROGRESS',
          `${exists ? 'Updating' : 'Creating'} ${i.instanceName}: deployment ${r.lastAttemptedDeploymentId ?? ''}`,
          commit,
        ),
      );
      await this.o.store.updateAttempt(
        attempt.id,
        { status: 'IN_PROGRESS', events, deploymentId: r.lastAttemptedDeploymentId ?? null },
        ['INITIATED'],
      );
    } catch (error) {
      // A deployment of the instance or its service is running: try again later (the job retries
      // with backoff and finds this attempt still INITIATED).
      if (error instanceof ConflictError) throw error;
      const reason = coerceError(error).message;
      events.push(this.event('FAILED', reason, commit));
      await this.failAttempt(attempt, events, ['INITIATED'], reason);
    }
  }

  /**
   * Ends an attempt FAILED and blocks its instance, in one transaction (Proton's rule: a failed sync
   * blocks its instance); nothing happens when the attempt has left `expected` meanwhile.
   */
  private async failAttempt(
    a: Pick<InstanceSyncAttemptRecord, 'id' | 'serviceName' | 'instanceName' | 'commit'>,
    events: SyncEvent[],
    expected: readonly ResourceSyncStatus[],
    reason: string,
  ): Promise<boolean> {
    const blocker = this.blockers.record(
      a.serviceName,
      a.instanceName,
      `Sync of ${a.commit} failed: ${reason}`,
      [{ key: 'commit', value: a.commit }],
    );
    const failed = await this.o.store.updateAttempt(
      a.id,
      { status: 'FAILED', events },
      expected,
      blocker,
    );
    if (failed) this.blockers.logged(blocker);
    return failed;
  }

  /** Settles an IN_PROGRESS attempt from its deployment's persisted state; a failed one blocks the instance. */
  private async settle(a: InstanceSyncAttemptRecord): Promise<InstanceSyncAttemptRecord> {
    if (a.status !== 'IN_PROGRESS' || !a.deploymentId) return a;
    const d = await this.o.deployments.getDeployment(a.deploymentId);
    const status = d?.status ?? 'FAILED';
    if (!FINAL_OK.has(status) && !FINAL_BAD.has(status) && d) return a;
    const ok = FINAL_OK.has(status);
    const reason = d?.statusMessage ?? `the deployment ended ${status}`;
    const events = [
      ...a.events,
      this.event(
        ok ? 'SUCCEEDED' : 'FAILED',
        ok
          ? `Deployment ${a.deploymentId} succeeded`
          : `Deployment ${a.deploymentId} ${status}: ${reason}`,
        a.commit,
      ),
    ];
    const next = ok ? 'SUCCEEDED' : 'FAILED';
    const updated = ok
      ? await this.o.store.updateAttempt(a.id, { status: next, events }, ['IN_PROGRESS'])
      : await this.failAttempt(a, events, ['IN_PROGRESS'], reason);
    if (updated) return { ...a, status: next, events };
    return (await this.o.store.latestAttempt(a.serviceName, a.instanceName)) ?? a;
  }

  jobs(): JobHandler {
    return {
      run: (job, signal) => this.handle(job.payload as unknown as BranchMoved, signal),
      // The attempts the job started end FAILED and block their instance, as a failed sync does.
      exhausted: async (job) => {
        const move = job.payload as unknown as BranchMoved;
        const reason = `Nucleon gave up after ${job.attempts} attempts: ${job.lastError ?? 'each attempt was interrupted'}`;
        for (const a of await this.o.store.initiatedAttempts(move.commit)) {
          const events = [...a.events, this.event('FAILED', reason, a.commit)];
          await this.failAttempt(a, events, ['INITIATED'], reason);
        }
        this.o.logger.warn('gave up a service sync job', {
          payload: job.payload,
          error: job.lastError,
        });
      },
    };
  }
}
