import { NotFoundError, type TemplateKind } from '@nucleon/core';
import {
  compileInputValidator,
  inputTypeName,
  unpackBundleArchive,
  validateBundle,
  type BundleLimits,
  type ParsedManifest,
} from '@nucleon/templates';
import type { BundleStore } from '../../ports/bundle-store.js';
import type { CatalogStore } from '../../ports/catalog-store.js';
import type {
  InfrastructureFolder,
  LoadedBundle,
  VersionBundles,
} from '../../ports/version-bundles.js';

function folder(m: ParsedManifest | undefined): InfrastructureFolder | undefined {
  if (!m) return undefined;
  return {
    engine: m.engine,
    directory: m.directory,
    files: m.files,
    ...(m.settings
      ? {
          codebuild: {
            provision: m.settings.provision,
            deprovision: m.settings.deprovision,
            ...(m.settings.drift ? { drift: m.settings.drift } : {}),
            env: { ...(m.settings.env?.variables ?? {}) },
            ...(m.settings.image ? { image: m.settings.image } : {}),
            ...(m.settings.runtimes ? { runtimes: m.settings.runtimes } : {}),
          },
        }
      : {}),
  };
}

/** Loads a registered version's bundle from the blob store; bundles are immutable, so cached. */
export class StoredVersionBundles implements VersionBundles {
  private readonly cache = new Map<string, Promise<LoadedBundle>>();

  constructor(
    private readonly catalog: CatalogStore,
    private readonly blobs: BundleStore,
    /** The limits registration applied; a bundle registered under them loads under them. */
    private readonly limits?: BundleLimits,
  ) {}

  async load(
    kind: TemplateKind,
    templateName: string,
    major: number,
    minor: number,
  ): Promise<LoadedBundle> {
    const [version, template] = await Promise.all([
      this.catalog.getVersion(kind, templateName, major, minor),
      this.catalog.getTemplate(kind, templateName),
    ]);
    if (!version?.bundleSha256 || !template) {
      throw new NotFoundError(
        `The ${kind === 'ENVIRONMENT' ? 'environment' : 'service'} template version ${templateName}:${major}.${minor} does not exist or is not registered.`,
      );
    }
    const sha = version.bundleSha256;
    let loaded = this.cache.get(sha + kind + (template.provisioning ?? ''));
    if (!loaded) {
      loaded = this.unpack(sha, kind, template.provisioning);
      this.cache.set(sha + kind + (template.provisioning ?? ''), loaded);
      loaded.catch(() => this.cache.delete(sha + kind + (template.provisioning ?? '')));
    }
    return loaded;
  }

  private async unpack(
    sha: string,
    kind: TemplateKind,
    provisioning: string | null,
  ): Promise<LoadedBundle> {
    const data = await this.blobs.getBlob(sha);
    if (!data) throw new Error(`bundle blob ${sha} is missing from the store`);
    const files = await unpackBundleArchive(data, this.limits);
    const report = validateBundle(files, {
      ...(this.limits ? { limits: this.limits } : {}),
      templateKind: kind,
      customerManaged: kind === 'ENVIRONMENT' && provisioning === 'CUSTOMER_MANAGED',
      pipeline: kind === 'SERVICE' && provisioning !== 'CUSTOMER_MANAGED',
    });
    const schema = report.schema;
    if (!schema) throw new Error('a registered bundle no longer validates');
    const validators = new Map<string, ReturnType<typeof compileInputValidator>>();
    return {
      files,
      ...(report.infrastructure?.environment
        ? { environment: folder(report.infrastructure.environment)! }
        : {}),
      ...(report.infrastructure?.instance
        ? { instance: folder(report.infrastructure.instance)! }
        : {}),
      ...(report.infrastructure?.pipeline
        ? { pipeline: folder(report.infrastructure.pipeline)! }
        : {}),
      hasInputType: (which) => inputTypeName(schema, which) !== undefined,
      validateInputs: (which, inputs) => {
        let v = validators.get(which);
        if (!v) {
          v = compileInputValidator(schema, which);
          validators.set(which, v);
        }
        return v(inputs);
      },
    };
  }
}
