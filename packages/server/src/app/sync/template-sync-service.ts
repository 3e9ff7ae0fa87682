import {
  ConflictError,
  NotFoundError,
  coerceError,
  parseTemplateRegistration,
  parseVersionPart,
  type Logger,
  type TemplateKind,
} from '@nucleon/core';
import type { BundleStore } from '../../ports/bundle-store.js';
import type { CatalogStore } from '../../ports/catalog-store.js';
import type { Clock } from '../../ports/clock.js';
import type { JobHandler, JobQueue } from '../../ports/job-queue.js';
import type { MirrorTarget, RepositoryMirror } from '../../ports/repository-mirror.js';
import type {
  BranchMoved,
  RepositorySyncStore,
  Revision,
  SyncEvent,
} from '../../ports/repository-sync-store.js';
import type {
  TemplateSyncAttemptRecord,
  TemplateSyncConfigRecord,
  TemplateSyncStore,
} from '../../ports/template-sync-store.js';
import type { TemplatesService } from '../templates-service.js';
import type { BranchSubscriber } from './branch-subscriber.js';
import type { RepositorySyncService } from './repository-sync-service.js';
import { findTemplateFolder } from './template-folder.js';

export const TEMPLATE_SYNC_QUEUE = 'template-sync';

export interface TemplateSyncOptions {
  store: TemplateSyncStore;
  branches: RepositorySyncStore;
  repositories: RepositorySyncService;
  mirror: RepositoryMirror;
  templates: TemplatesService;
  catalog: CatalogStore;
  bundles: BundleStore;
  bucket: string;
  queue: JobQueue;
  clock: Clock;
  logger: Logger;
}

interface ConfigInput {
  templateName: string;
  templateType: TemplateKind;
  repositoryName: string;
  repositoryProvider: string;
  branch: string;
  subdirectory?: string;
}

const view = (c: TemplateSyncConfigRecord) => ({
  templateName: c.templateName,
  templateType: c.templateKind,
  repositoryName: c.repositoryName,
  repositoryProvider: c.provider,
  branch: c.branch,
  subdirectory: c.subdirectory ?? undefined,
});

const attemptView = (a: TemplateSyncAttemptRecord | undefined) =>
  a && {
    initialRevision: a.initialRevision,
    targetRevision: a.targetRevision,
    target: a.templateName,
    startedAt: a.startedAt,
    status: a.status,
    events: a.events,
  };

/**
 * Template sync (Proton §9.1): each commit to a config's branch that changes
 * `<subdirectory>/<template>/v<N>/` creates a new minor version of major N from that folder,
 * through the ordinary CreateTemplateVersion path and its registration job. The attempt stays
 * IN_PROGRESS until registration settles it (SUCCEEDED when the version is DRAFT, FAILED with
 * the registration's message otherwise).
 */
export class TemplateSyncService implements BranchSubscriber {
  readonly syncType = 'TEMPLATE_SYNC' as const;
  readonly queue = TEMPLATE_SYNC_QUEUE;
  readonly maxAttempts = 5;
  constructor(private readonly o: TemplateSyncOptions) {}

  private async requireConfig(kind: TemplateKind, name: string) {
    const c = await this.o.store.getConfig(kind, name);
    if (!c)
      throw new NotFoundError(
        `The ${kind === 'SERVICE' ? 'service' : 'environment'} template ${name} has no template sync config. Create one with CreateTemplateSyncConfig.`,
      );
    return c;
  }

  private async record(input: ConfigInput): Promise<TemplateSyncConfigRecord> {
    await this.o.templates.requireTemplate(input.templateType, input.templateName);
    await this.o.repositories.ensure(input.repositoryProvider, input.repositoryName);
    const subdirectory = input.subdirectory?.replace(/^\/+|\/+$/g, '') || null;
    return {
      templateKind: input.templateType,
      templateName: input.templateName,
      provider: input.repositoryProvider,
      repositoryName: input.repositoryName,
      branch: input.branch,
      subdirectory,
    };
  }

  /** Starts syncing at once: a fetch, and a sync of the branch's known tip (the fetch may find it unchanged). */
  private async kick(c: TemplateSyncConfigRecord): Promise<void> {
    const tip = await this.o.branches.branchTip(c.provider, c.repositoryName, c.branch);
    if (tip) {
      const payload: BranchMoved = {
        provider: c.provider,
        name: c.repositoryName,
        branch: c.branch,
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
        `The template ${input.templateName} already has a template sync config. Update it with UpdateTemplateSyncConfig, or delete it first.`,
      );
    await this.kick(c);
    return { templateSyncConfig: view(c) };
  }

  async getConfig(kind: TemplateKind, name: string) {
    return { templateSyncConfig: view(await this.requireConfig(kind, name)) };
  }

  async updateConfig(input: ConfigInput) {
    await this.requireConfig(input.templateType, input.templateName);
    const c = await this.record(input);
    await this.o.store.updateConfig(c);
    await this.kick(c);
    return { templateSyncConfig: view(c) };
  }

  async deleteConfig(kind: TemplateKind, name: string) {
    const c = await this.o.store.getConfig(kind, name);
    if (!c) return { templateSyncConfig: undefined };
    await this.o.store.deleteConfig(kind, name);
    return { templateSyncConfig: view(c) };
  }

  async status(input: {
    templateName: string;
    templateType: TemplateKind;
    templateVersion: string;
  }) {
    await this.requireConfig(input.templateType, input.templateName);
    const major = parseVersionPart(input.templateVersion);
    const [latest, good] = await Promise.all([
      this.o.store.latestAttempt(input.templateType, input.templateName, major),
      this.o.store.latestAttempt(input.templateType, input.templateName, major, 'SUCCEEDED'),
    ]);
    return {
      latestSync: attemptView(latest),
      latestSuccessfulSync: attemptView(good),
      desiredState: latest?.targetRevision,
    };
  }

  async watches(provider: string, name: string): Promise<string[]> {
    return [...new Set((await this.o.store.listConfigs(provider, name)).map((c) => c.branch))];
  }

  async definitions(provider: string, name: string) {
    return (await this.o.store.listConfigs(provider, name)).map((c) => ({
      branch: c.branch,
      directory: c.subdirectory ?? '/',
      parent: c.templateName,
      target: c.templateName,
    }));
  }

  /** The job of a branch move: syncs every template whose config watches that branch. */
  async handle(move: BranchMoved, signal?: AbortSignal): Promise<void> {
    // Commits are batched: a job overtaken by a later move leaves the work to that move's job.
    const tip = await this.o.branches.branchTip(move.provider, move.name, move.branch);
    if (tip !== move.commit) return;
    const configs = (await this.o.store.listConfigs(move.provider, move.name)).filter(
      (c) => c.branch === move.branch,
    );
    if (configs.length === 0) return;
    const target = await this.o.repositories.target(move.provider, move.name);
    await this.o.mirror.ensure(target, move.commit, signal);
    // Environment templates first: a service template may need one added in the same commit.
    configs.sort((a, b) =>
      a.templateKind === b.templateKind ? 0 : a.templateKind === 'ENVIRONMENT' ? -1 : 1,
    );
    for (const c of configs) await this.syncTemplate(c, target, move.commit);
  }

  private async syncTemplate(c: TemplateSyncConfigRecord, target: MirrorTarget, commit: string) {
    const folder = await findTemplateFolder(this.o.mirror, target, commit, c);
    if (!folder) return;
    const majors = ((await this.o.mirror.list(target, commit, folder)) ?? [])
      .map((e) => ({ ...e, major: /^v(\d+)$/.exec(e.name)?.[1] }))
      .filter((e) => e.type === 'tree' && e.major !== undefined)
      .sort((a, b) => Number(a.major) - Number(b.major));
    for (const m of majors)
      await this.syncMajor(c, target, commit, `${folder}/${m.name}`, Number(m.major), m.sha);
  }

  private revision(c: TemplateSyncConfigRecord, sha: string, directory: string): Revision {
    return {
      repositoryName: c.repositoryName,
      repositoryProvider: c.provider,
      branch: c.branch,
      sha,
      directory,
    };
  }

  private event(type: string, text: string, commit: string): SyncEvent {
    return { type, event: text, externalId: commit, time: this.o.clock.now() };
  }

  private async syncMajor(
    c: TemplateSyncConfigRecord,
    target: MirrorTarget,
    commit: string,
    path: string,
    major: number,
    tree: string,
  ) {
    const kind = c.templateKind;
    const last = await this.o.store.latestAttempt(kind, c.templateName, major);
    // Unchanged since the last attempt: nothing to register (unless that version was deleted).
    if (last && last.tree === tree && last.commit !== commit) {
      const gone =
        last.status === 'SUCCEEDED' &&
        last.minor !== null &&
        !(await this.o.catalog.getVersion(kind, c.templateName, major, last.minor));
      if (!gone) return;
    }
    const good = await this.o.store.latestAttempt(kind, c.templateName, major, 'SUCCEEDED');
    const targetRevision = this.revision(c, commit, path);
    const { attempt, created } = await this.o.store.startAttempt({
      templateKind: kind,
      templateName: c.templateName,
      major,
      commit,
      tree,
      startedAt: this.o.clock.now(),
      status: 'INITIATED',
      initialRevision: good?.targetRevision ?? targetRevision,
      targetRevision,
      events: [this.event('INITIATED', `Sync of ${path} at ${commit} initiated`, commit)],
      minor: null,
    });
    if (!created && attempt.status !== 'INITIATED') return;
    const events = [...attempt.events];
    const key = `template-sync/${kind.toLowerCase()}/${c.templateName}/v${major}/${commit}.tar.gz`;
    try {
      // A run interrupted after creating the version finds it by its bundle key.
      const existing = (await this.o.catalog.listVersions(kind, c.templateName)).find(
        (v) => v.major === major && v.sourceKey === key,
      );
      const minor = existing
        ? existing.minor
        : await this.register(c, target, commit, path, major, key);
      events.push(
        this.event('IN_PROGRESS', `Registering version ${major}.${minor} from ${path}`, commit),
      );
      await this.o.store.updateAttempt(attempt.id, { status: 'IN_PROGRESS', events, minor }, [
        'INITIATED',
      ]);
      // The registration may have settled before the attempt recorded its minor version.
      await this.settle(kind, c.templateName, major, minor);
    } catch (error) {
      const reason = coerceError(error).message;
      events.push(this.event('FAILED', reason, commit));
      await this.o.store.updateAttempt(attempt.id, { status: 'FAILED', events }, ['INITIATED']);
      this.o.logger.info('template sync failed', {
        template: c.templateName,
        major,
        commit,
        reason,
      });
    }
  }

  /** Creates the version from the folder, through CreateTemplateVersion's path; returns its minor. */
  private async register(
    c: TemplateSyncConfigRecord,
    target: MirrorTarget,
    commit: string,
    path: string,
    major: number,
    key: string,
  ): Promise<number> {
    const registration = parseTemplateRegistration(
      await this.o.mirror.read(target, commit, `${path}/.template-registration.yaml`),
      await this.o.mirror.read(target, commit, `${path}/.compatible-envs`),
    );
    const archive = await this.o.mirror.archive(target, commit, path);
    await this.o.bundles.putObject(this.o.bucket, key, archive);
    const version = await this.o.templates.createVersion(c.templateKind, {
      templateName: c.templateName,
      majorVersion: String(major),
      createMajor: true,
      description: `Synced from ${c.provider}:${c.repositoryName}@${c.branch} ${commit.slice(0, 12)} (${path})`,
      source: { s3: { bucket: this.o.bucket, key } },
      ...(c.templateKind === 'SERVICE'
        ? {
            compatibleEnvironmentTemplates: registration?.compatibleEnvironmentTemplates ?? [],
            ...(registration?.supportedComponentSources
              ? { supportedComponentSources: registration.supportedComponentSources }
              : {}),
          }
        : {}),
    });
    return Number(version.minorVersion);
  }

  /** Called when a version's registration ended: settles the sync attempt that created it. */
  async settle(kind: TemplateKind, name: string, major: number, minor: number): Promise<void> {
    const attempt = await this.o.store.attemptOfVersion(kind, name, major, minor);
    if (!attempt || attempt.status !== 'IN_PROGRESS') return;
    const version = await this.o.catalog.getVersion(kind, name, major, minor);
    if (!version || version.status === 'REGISTRATION_IN_PROGRESS') return;
    const ok = version.status !== 'REGISTRATION_FAILED';
    const events = [
      ...attempt.events,
      this.event(
        ok ? 'SUCCEEDED' : 'FAILED',
        ok
          ? `Version ${major}.${minor} registered`
          : `Version ${major}.${minor} failed to register: ${version.statusMessage ?? 'no reason given'}`,
        attempt.commit,
      ),
    ];
    await this.o.store.updateAttempt(attempt.id, { status: ok ? 'SUCCEEDED' : 'FAILED', events }, [
      'IN_PROGRESS',
    ]);
  }

  jobs(): JobHandler {
    return {
      run: (job, signal) => this.handle(job.payload as unknown as BranchMoved, signal),
      // The attempts the job started end FAILED with its last error; the next commit syncs again.
      exhausted: async (job) => {
        const move = job.payload as unknown as BranchMoved;
        const reason = `Nucleon gave up after ${job.attempts} attempts: ${job.lastError ?? 'each attempt was interrupted'}`;
        for (const a of await this.o.store.initiatedAttempts(move.commit))
          await this.o.store.updateAttempt(
            a.id,
            { status: 'FAILED', events: [...a.events, this.event('FAILED', reason, a.commit)] },
            ['INITIATED'],
          );
        this.o.logger.warn('gave up a template sync job; the next commit syncs again', {
          payload: job.payload,
          error: job.lastError,
        });
      },
    };
  }
}
