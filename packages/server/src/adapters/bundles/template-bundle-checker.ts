import {
  checkMinorCompatibility,
  formatBundleProblem,
  formatBundleProblems,
  loadTemplateSchema,
  unpackBundleArchive,
  validateBundle,
  type BundleLimits,
} from '@nucleon/templates';
import type {
  BundleChecker,
  BundleCheckOptions,
  BundleCheckResult,
} from '../../ports/bundle-checker.js';

/** The BundleChecker port over @nucleon/templates' in-memory unpacking and validation. */
export class TemplateBundleChecker implements BundleChecker {
  constructor(private readonly limits?: BundleLimits) {}

  async check(archive: Uint8Array, options: BundleCheckOptions): Promise<BundleCheckResult> {
    let files;
    try {
      files = await unpackBundleArchive(archive, this.limits);
    } catch (error) {
      return { ok: false, message: `The bundle archive was refused: ${(error as Error).message}` };
    }
    const report = validateBundle(files, {
      templateKind: options.kind,
      customerManaged: options.customerManaged,
      pipeline: options.pipeline,
      ...(this.limits ? { limits: this.limits } : {}),
    });
    if (report.problems.length > 0 || report.schemaText === undefined) {
      return {
        ok: false,
        message: formatBundleProblems(report.problems) || 'schema/schema.yaml is missing',
      };
    }
    return {
      ok: true,
      schemaText: report.schemaText,
      warnings: report.warnings.map((w) => formatBundleProblem(w)),
    };
  }

  minorCompatibilityProblems(previousSchemaText: string, nextSchemaText: string): string[] {
    return checkMinorCompatibility(
      loadTemplateSchema(previousSchemaText),
      loadTemplateSchema(nextSchemaText),
    );
  }
}
