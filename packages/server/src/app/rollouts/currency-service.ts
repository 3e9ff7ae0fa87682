import { versionCurrency, type CurrencyVersion } from '@nucleon/core';
import type { DeployDeps } from '../deploy/deploy-context.js';

const TEMPLATE_KIND = {
  ENVIRONMENT: 'ENVIRONMENT',
  SERVICE_INSTANCE: 'SERVICE',
  SERVICE_PIPELINE: 'SERVICE',
} as const;

/** GetVersionCurrency: resources per template × version, how far behind and since when. */
export class CurrencyService {
  constructor(private readonly d: DeployDeps) {}

  async report(input: { templateName?: string }) {
    const resources = (await this.d.store.listResources({})).filter(
      (r) =>
        r.kind in TEMPLATE_KIND && (!input.templateName || r.templateName === input.templateName),
    );
    const versions = new Map<string, CurrencyVersion[]>();
    for (const r of resources) {
      const kind = TEMPLATE_KIND[r.kind as keyof typeof TEMPLATE_KIND];
      const key = `${kind}:${r.templateName}`;
      if (!versions.has(key))
        versions.set(
          key,
          (await this.d.catalog.listVersions(kind, r.templateName)).map((v) => ({
            major: v.major,
            minor: v.minor,
            status: v.status,
            publishedAt: v.lastModifiedAt,
          })),
        );
    }
    const rows = versionCurrency(
      resources.map((r) => ({
        kind: r.kind,
        templateKind: TEMPLATE_KIND[r.kind as keyof typeof TEMPLATE_KIND],
        templateName: r.templateName,
        major: r.templateMajor,
        minor: r.templateMinor,
      })),
      (kind, name) => versions.get(`${kind}:${name}`) ?? [],
    );
    return { versions: rows };
  }
}
