import type { TemplateKind } from '@nucleon/core';

export interface BundleCheckOptions {
  kind: TemplateKind;
  /** Environment template with provisioning CUSTOMER_MANAGED: schema only. */
  customerManaged: boolean;
  /** Service template with a pipeline (pipelineProvisioning not CUSTOMER_MANAGED). */
  pipeline: boolean;
}

/**
 * A valid bundle's schema, with warnings about what Proton accepted but Nucleon would like
 * changed (`file:line: message`, e.g. a manifest's `engine` key); or why the bundle is refused.
 */
export type BundleCheckResult =
  { ok: true; schemaText: string; warnings: string[] } | { ok: false; message: string };

/** Unpacks and validates a template bundle; answers with Proton-style status messages. */
export interface BundleChecker {
  check(archive: Uint8Array, options: BundleCheckOptions): Promise<BundleCheckResult>;
  /** Why `next` is not a backward-compatible minor of `previous` (empty when it is). */
  minorCompatibilityProblems(
    previousSchemaText: string,
    nextSchemaText: string,
    options: BundleCheckOptions,
  ): string[];
}
