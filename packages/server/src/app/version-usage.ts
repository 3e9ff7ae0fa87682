import { versionInUseError, type TemplateKind } from '@nucleon/core';

/** Counts the resources deployed on a template version (environments, instances, pipelines). */
export interface VersionUsageCounter {
  count(
    kind: TemplateKind,
    templateName: string,
    major: number,
    minor: number,
  ): Promise<{ environments?: number; serviceInstances?: number; pipelines?: number }>;
}

/** Applies core's "a version in use can't be deleted" rule over the counter. */
export class VersionUsage {
  constructor(private readonly counter: VersionUsageCounter) {}

  async usageOf(
    kind: TemplateKind,
    templateName: string,
    major: number,
    minor: number,
  ): Promise<string | undefined> {
    return versionInUseError(
      { major, minor },
      await this.counter.count(kind, templateName, major, minor),
    );
  }
}

/** Until environments and services exist in the database, nothing uses a version. */
export const noResourcesYet: VersionUsageCounter = { count: () => Promise.resolve({}) };
