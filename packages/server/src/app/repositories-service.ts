import {
  ConflictError,
  NotFoundError,
  ValidationError,
  protonArn,
  type ArnScope,
} from '@nucleon/core';
import type { CatalogStore, Tag } from '../ports/catalog-store.js';
import type { Clock } from '../ports/clock.js';
import type {
  RepositoryRecord,
  RepositoryStore,
  RepositorySummary,
} from '../ports/repository-store.js';
import { Pager, jsonKey } from './pagination.js';

const view = (r: RepositorySummary) => ({
  arn: r.arn,
  provider: r.provider,
  name: r.name,
  connectionArn: r.connectionArn,
  encryptionKey: r.encryptionKey ?? undefined,
});

/** Linked repositories (Proton) and, as a Nucleon extension, the git remote each one lives at. */
export class RepositoriesService {
  constructor(
    private readonly store: RepositoryStore,
    private readonly catalog: CatalogStore,
    private readonly arnScope: ArnScope,
    private readonly clock: Clock,
  ) {}

  async require(provider: string, name: string): Promise<RepositoryRecord> {
    const r = await this.store.get(provider, name);
    if (!r)
      throw new NotFoundError(
        `The repository ${provider}:${name} is not linked. Link it with CreateRepository.`,
      );
    return r;
  }

  async create(input: {
    provider: string;
    name: string;
    connectionArn: string;
    encryptionKey?: string;
    tags?: Tag[];
  }) {
    const existing = await this.store.get(input.provider, input.name);
    if (existing) {
      if (existing.connectionArn === input.connectionArn) return view(existing);
      throw new ConflictError(
        `The repository ${input.provider}:${input.name} is already linked with another connection.`,
      );
    }
    const record: RepositoryRecord = {
      provider: input.provider,
      name: input.name,
      arn: protonArn(this.arnScope, `repository/${input.provider.toLowerCase()}:${input.name}`),
      connectionArn: input.connectionArn,
      encryptionKey: input.encryptionKey ?? null,
      remoteUrl: null,
      token: null,
      createdAt: this.clock.now(),
    };
    await this.store.insert(record);
    if (input.tags?.length) await this.catalog.putTags(record.arn, input.tags);
    return view(record);
  }

  async get(provider: string, name: string) {
    return view(await this.require(provider, name));
  }

  async list(input: { provider?: string; nextToken?: string; maxResults?: number }) {
    const filter = input.provider ? { provider: input.provider } : {};
    const pager = new Pager('ListRepositories', filter, input);
    const after = pager.afterParts(2);
    const rows = await this.store.page(filter, {
      after: after ? [after[0]!, after[1]!] : undefined,
      limit: pager.limit,
    });
    const page = pager.page(rows, (r) => jsonKey(r.provider, r.name));
    return { repositories: page.items.map(view), nextToken: page.nextToken };
  }

  async delete(provider: string, name: string) {
    const r = await this.store.get(provider, name);
    if (!r) return undefined;
    await this.store.delete(provider, name);
    return view(r);
  }

  /** Nucleon extension: where the linked repository's git remote is (local path, SSH or HTTPS + token). */
  async setRemote(input: { provider: string; name: string; remoteUrl: string; token?: string }) {
    const url = input.remoteUrl;
    const ok =
      url.startsWith('/') || /^(ssh|https?|file):\/\//.test(url) || /^[\w.-]+@[\w.-]+:/.test(url);
    if (!ok)
      throw new ValidationError(
        'remoteUrl must be an absolute local path, an ssh:// or user@host: URL, or an http(s):// URL.',
      );
    if (input.token && !url.startsWith('https://'))
      throw new ValidationError('A token can only be used with an https:// remote.');
    await this.require(input.provider, input.name);
    await this.store.setRemote(input.provider, input.name, url, input.token ?? null);
    return { repository: await this.get(input.provider, input.name) };
  }
}
