import {
  NotFoundError,
  ValidationError,
  parseProtonArn,
  parseVersionPart,
  type ArnScope,
  type TemplateKind,
} from '@nucleon/core';
import type { CatalogStore, Tag } from '../ports/catalog-store.js';
import { Pager } from './pagination.js';

const MAX_TAGS = 50;

/** Answers whether an ARN names a resource that exists (other resource kinds register here). */
export type ResourceResolver = (resourceType: string, resource: string) => Promise<boolean>;

/** TagResource, UntagResource and ListTagsForResource over any taggable resource. */
export class TagsService {
  private readonly resolvers = new Map<string, ResourceResolver>();

  constructor(
    private readonly store: CatalogStore,
    private readonly arnScope: ArnScope,
  ) {
    const templateResolver =
      (kind: TemplateKind): ResourceResolver =>
      async (_type, resource) => {
        const m = /^([^:]+)(?::(\d+)\.(\d+))?$/.exec(resource);
        if (!m) return false;
        if (m[2] === undefined) return (await store.getTemplate(kind, m[1]!)) !== undefined;
        return (
          (await store.getVersion(kind, m[1]!, parseVersionPart(m[2]), parseVersionPart(m[3]!))) !==
          undefined
        );
      };
    this.resolvers.set('environment-template', templateResolver('ENVIRONMENT'));
    this.resolvers.set('service-template', templateResolver('SERVICE'));
  }

  /** Lets later resource kinds (environments, services…) become taggable. */
  register(resourceType: string, resolver: ResourceResolver): void {
    this.resolvers.set(resourceType, resolver);
  }

  private async requireResource(arn: string): Promise<void> {
    const parsed = parseProtonArn(arn);
    if (
      !parsed ||
      parsed.accountId !== this.arnScope.accountId ||
      parsed.region !== this.arnScope.region
    ) {
      throw new NotFoundError(
        `The resource ${arn} does not exist in this Nucleon (account ${this.arnScope.accountId}, region ${this.arnScope.region}).`,
      );
    }
    const resolver = this.resolvers.get(parsed.resourceType);
    if (!resolver || !(await resolver(parsed.resourceType, parsed.resource))) {
      throw new NotFoundError(`The resource ${arn} does not exist.`);
    }
  }

  async tag(arn: string, tags: readonly Tag[]): Promise<void> {
    for (const t of tags) {
      if (t.key.toLowerCase().startsWith('aws:')) {
        throw new ValidationError(
          `Tag key "${t.key}" is reserved: keys starting with "aws:" are managed by the system.`,
        );
      }
    }
    await this.requireResource(arn);
    const existing = await this.store.listTags(arn);
    const keys = new Set([...existing.map((t) => t.key), ...tags.map((t) => t.key)]);
    if (keys.size > MAX_TAGS) {
      throw new ValidationError(
        `A resource can have at most ${MAX_TAGS} tags; ${arn} would have ${keys.size}. Remove some tags first.`,
      );
    }
    await this.store.putTags(arn, tags);
  }

  async untag(arn: string, keys: readonly string[]): Promise<void> {
    await this.requireResource(arn);
    await this.store.removeTags(arn, keys);
  }

  async list(arn: string, nextToken: string | undefined, maxResults: number | undefined) {
    await this.requireResource(arn);
    const pager = new Pager('ListTagsForResource', { arn }, { nextToken, maxResults });
    const page = pager.page(await this.store.pageTags(arn, pager.window), (t) => t.key);
    return { tags: page.items, nextToken: page.nextToken };
  }
}
