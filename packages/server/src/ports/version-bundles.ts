import type { TemplateKind } from '@nucleon/core';

export type InfrastructureEngine = 'cloudformation' | 'terraform' | 'codebuild';

export interface InfrastructureFolder {
  engine: InfrastructureEngine;
  directory: string;
  /** Files to render / run, bundle-relative. */
  files: readonly string[];
  codebuild?: {
    provision: readonly string[];
    deprovision: readonly string[];
    /** The manifest's optional drift check (ADR 0023). */
    drift?: readonly string[] | undefined;
    env: Record<string, string>;
    image?: string | undefined;
    runtimes?: Readonly<Record<string, string>> | undefined;
  };
}

/** A registered version's bundle, unpacked and parsed (immutable, so cached by hash). */
export interface LoadedBundle {
  files: ReadonlyMap<string, Uint8Array>;
  environment?: InfrastructureFolder;
  instance?: InfrastructureFolder;
  pipeline?: InfrastructureFolder;
  /**
   * Validates and fills defaults for one input type; errors like `spec.port must be number`.
   * Inputs the schema does not declare are left out of `value` and named in `warnings`.
   */
  validateInputs(
    which: 'environment' | 'service' | 'pipeline',
    inputs: unknown,
  ):
    | { ok: true; value: Record<string, unknown>; warnings: readonly string[] }
    | { ok: false; errors: readonly string[]; warnings: readonly string[] };
  hasInputType(which: 'environment' | 'service' | 'pipeline'): boolean;
}

export interface VersionBundles {
  load(
    kind: TemplateKind,
    templateName: string,
    major: number,
    minor: number,
  ): Promise<LoadedBundle>;
}

/** Renders Jinja templates with Proton's semantics (off the event loop, within limits). */
export interface TemplateRenderer {
  render(source: string, context: Record<string, unknown>, fileName: string): Promise<string>;
}
