import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { coerceError, NotFoundError, type Logger } from '@nucleon/core';
import type { ClaimedJob, JobHandler } from '../../ports/job-queue.js';
import type { MirrorTarget, RepositoryMirror } from '../../ports/repository-mirror.js';
import type { RepositoryRecord, RepositoryStore } from '../../ports/repository-store.js';
import type {
  BranchMoved,
  RepositorySyncRecord,
  RepositorySyncStore,
  SyncEvent,
  SyncType,
} from '../../ports/repository-sync-store.js';
import type { Clock } from '../../ports/clock.js';
import type { BranchSubscriber } from './branch-subscriber.js';
import { checkWebhookSignature, pushedBranch } from './webhook-signature.js';

export const FETCH_QUEUE = 'repository-fetch';

export interface RepositorySyncOptions {
  repositories: RepositoryStore;
  store: RepositorySyncStore;
  mirror: RepositoryMirror;
  clock: Clock;
  logger: Logger;
  /** Where the bare mirrors live (under the data dir). */
  mirrorRoot: string;
  /** The server's public URL, for webhook URLs. */
  endpoint: () => string;
  poke: () => void;
}

/**
 * Keeps a mirror of each synced repository and tells the sync kinds when a branch they watch
 * moved. Polling and webhook deliveries both end in the same fetch job (FETCH_QUEUE).
 */
export class RepositorySyncService {
  private readonly subscribers: BranchSubscriber[] = [];
  constructor(private readonly o: RepositorySyncOptions) {}

  subscribe(subscriber: BranchSubscriber): void {
    this.subscribers.push(subscriber);
  }

  private async requireRepository(provider: string, name: string): Promise<RepositoryRecord> {
    const r = await this.o.repositories.get(provider, name);
    if (!r)
      throw new NotFoundError(
        `The repository ${provider}:${name} is not linked. Link it with CreateRepository.`,
      );
    return r;
  }

  /** The mirror folder of a repository: derived from its ARN, so it never collides or moves. */
  private mirrorOf(r: RepositoryRecord): string {
    const id = createHash('sha256').update(r.arn).digest('hex').slice(0, 16);
    const readable = r.name.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^\.+/, '_');
    return join(this.o.mirrorRoot, `${r.provider.toLowerCase()}-${readable}-${id}.git`);
  }

  /** The repository's sync row (created on first use) and its webhook URL. */
  async ensure(provider: string, name: string): Promise<RepositorySyncRecord> {
    const r = await this.requireRepository(provider, name);
    return this.o.store.ensure(provider, name, this.mirrorOf(r));
  }

  /** The webhook's URL; the secret only when it was just set (it is shown once, like GitHub's). */
  private webhookView(s: RepositorySyncRecord, showSecret: boolean) {
    return {
      url: `${this.o.endpoint().replace(/\/$/, '')}/webhooks/repositories/${s.webhookId}`,
      secretSet: s.webhookSecret !== null,
      ...(showSecret && s.webhookSecret ? { secret: s.webhookSecret } : {}),
    };
  }

  /** Nucleon extension: sets (or generates) the webhook secret; returns the URL and the secret. */
  async setWebhook(input: { provider: string; name: string; secret?: string }) {
    await this.ensure(input.provider, input.name);
    const secret = input.secret ?? randomBytes(24).toString('hex');
    await this.o.store.setWebhookSecret(input.provider, input.name, secret);
    const s = (await this.o.store.get(input.provider, input.name))!;
    return { webhook: this.webhookView(s, true) };
  }

  async getWebhook(input: { provider: string; name: string }) {
    return { webhook: this.webhookView(await this.ensure(input.provider, input.name), false) };
  }

  /** Asks for a fetch of the repository soon (sync config created, push announced). */
  async requestFetch(provider: string, name: string): Promise<void> {
    await this.ensure(provider, name);
    await this.o.store.requestFetch(provider, name, FETCH_QUEUE);
    this.o.poke();
  }

  /**
   * A webhook delivery: verified against the repository's secret, then a fetch is enqueued.
   * The payload is only a hint; the fetch reads the remote itself.
   */
  async receiveWebhook(
    webhookId: string,
    headers: Record<string, string>,
    body: Uint8Array,
  ): Promise<{ status: number; message: string }> {
    const s = await this.o.store.byWebhookId(webhookId);
    if (!s) return { status: 404, message: 'no repository has this webhook id' };
    const check = checkWebhookSignature(headers, body, s.webhookSecret);
    if (!check.ok) {
      this.o.logger.warn('webhook delivery refused', {
        repository: `${s.provider}:${s.name}`,
        reason: check.reason,
      });
      return { status: check.status, message: check.reason };
    }
    await this.o.store.requestFetch(s.provider, s.name, FETCH_QUEUE);
    this.o.poke();
    const branch = pushedBranch(body);
    return {
      status: 202,
      message: `fetch of ${s.provider}:${s.name} queued${branch ? ` (push to ${branch})` : ''}`,
    };
  }

  /** Enqueues the fetch of every synced repository whose poll is due. */
  async pollDue(everyMs: number): Promise<number> {
    const n = await this.o.store.claimDuePolls(everyMs, FETCH_QUEUE, 100);
    if (n > 0) this.o.poke();
    return n;
  }

  async target(provider: string, name: string): Promise<MirrorTarget> {
    const r = await this.requireRepository(provider, name);
    const s = await this.o.store.ensure(provider, name, this.mirrorOf(r));
    if (!r.remoteUrl)
      throw new Error(
        `the repository ${provider}:${name} has no git remote; set it with SetRepositoryRemote (nucleon repos link)`,
      );
    return { arn: r.arn, mirror: s.mirror, remoteUrl: r.remoteUrl, token: r.token };
  }

  /** The fetch job: fetches every branch, then tells subscribers about the watched ones that moved. */
  async fetch(provider: string, name: string, signal?: AbortSignal): Promise<void> {
    const watched = new Map<string, BranchSubscriber[]>();
    const startedAt = this.o.clock.now();
    const event = (type: string, text: string, externalId?: string): SyncEvent => ({
      type,
      event: text,
      ...(externalId ? { externalId } : {}),
      time: this.o.clock.now(),
    });
    const record = async (
      branch: string,
      syncType: SyncType,
      status: 'SUCCEEDED' | 'FAILED',
      events: SyncEvent[],
    ) =>
      this.o.store.recordAttempt(
        { provider, name, branch, syncType },
        { startedAt, status, events },
      );
    const initiated = event('INITIATED', `Fetching ${provider}:${name}`);
    let tips: Map<string, string>;
    try {
      const target = await this.target(provider, name);
      tips = await this.o.mirror.fetch(target, signal);
      for (const s of this.subscribers)
        for (const b of await s.watches(provider, name, tips))
          watched.set(b, [...(watched.get(b) ?? []), s]);
      for (const [branch, subscribers] of watched) {
        const commit = tips.get(branch);
        if (!commit) {
          for (const s of subscribers)
            await record(branch, s.syncType, 'FAILED', [
              initiated,
              event('FAILED', `The branch ${branch} does not exist in the repository`),
            ]);
          continue;
        }
        await this.advance(target, { provider, name, branch, commit, previous: null }, subscribers);
        for (const s of subscribers)
          await record(branch, s.syncType, 'SUCCEEDED', [
            initiated,
            event('SUCCEEDED', `The branch ${branch} is at ${commit}`, commit),
          ]);
      }
    } catch (error) {
      const reason = coerceError(error).message;
      // The fetch failed before the watched branches were known: report it on the ones known without tips.
      if (watched.size === 0)
        for (const s of this.subscribers)
          for (const b of await s.watches(provider, name, new Map()).catch(() => []))
            watched.set(b, [...(watched.get(b) ?? []), s]);
      for (const [branch, subscribers] of watched)
        for (const s of subscribers)
          await record(branch, s.syncType, 'FAILED', [initiated, event('FAILED', reason)]);
      throw error;
    }
  }

  /** Records the branch's new tip and enqueues the subscribers' jobs, unless it did not move forward. */
  private async advance(target: MirrorTarget, move: BranchMoved, subscribers: BranchSubscriber[]) {
    for (;;) {
      const from = await this.o.store.branchTip(move.provider, move.name, move.branch);
      if (from === move.commit) return;
      // A slower fetch must not move the branch back to a commit it already passed.
      if (from && (await this.o.mirror.isAncestor(target, move.commit, from))) return;
      const payload = { ...move, previous: from ?? null };
      const moved = await this.o.store.moveBranch(
        { provider: move.provider, name: move.name, branch: move.branch, from, to: move.commit },
        subscribers.map((s) => ({
          queue: s.queue,
          payload: { ...payload },
          maxAttempts: s.maxAttempts,
        })),
      );
      if (moved) {
        this.o.logger.info('branch moved', {
          repository: `${move.provider}:${move.name}`,
          branch: move.branch,
          commit: move.commit,
        });
        this.o.poke();
        return;
      }
    }
  }

  async syncStatus(input: {
    repositoryName: string;
    repositoryProvider: string;
    branch: string;
    syncType: SyncType;
  }) {
    await this.requireRepository(input.repositoryProvider, input.repositoryName);
    const a = await this.o.store.latestAttempt({
      provider: input.repositoryProvider,
      name: input.repositoryName,
      branch: input.branch,
      syncType: input.syncType,
    });
    return { latestSync: a };
  }

  async definitions(input: {
    repositoryName: string;
    repositoryProvider: string;
    syncType: SyncType;
  }) {
    await this.requireRepository(input.repositoryProvider, input.repositoryName);
    const defs = [];
    for (const s of this.subscribers.filter((x) => x.syncType === input.syncType))
      defs.push(...(await s.definitions(input.repositoryProvider, input.repositoryName)));
    return { syncDefinitions: defs };
  }

  jobs(): JobHandler {
    return {
      run: (job: ClaimedJob, signal) =>
        this.fetch(String(job.payload.provider), String(job.payload.name), signal),
      // The next poll or delivery fetches again; the failure is in GetRepositorySyncStatus.
      exhausted: (job) => {
        this.o.logger.warn('gave up fetching a repository; the next poll or webhook tries again', {
          repository: `${String(job.payload.provider)}:${String(job.payload.name)}`,
          error: job.lastError,
        });
        return Promise.resolve();
      },
    };
  }
}
