import type { Command } from 'commander';
import {
  createRenderer,
  formatBundleProblem,
  parseTerraformFiles,
  RenderError,
  type BundleProblem,
  type ParsedManifest,
  type Renderer,
} from '@nucleon/templates';
import {
  loadToolkitBundle,
  type BundleKindOptions,
  type ToolkitBundle,
} from './template-bundle.js';
import { EMPTY_CONTEXT } from './template-context.js';
import { runToolkitAction, TemplateToolkitError } from './template-errors.js';
import { readSpecFile } from './template-render.js';
import { planResources } from './template-resources.js';

/** What `template lint` found. */
export interface BundleLintResult {
  readonly bundle: ToolkitBundle;
  /** Registration problems first, then renderer lint and Terraform syntax findings. */
  readonly problems: readonly BundleProblem[];
  /** Problems of the spec given with `--spec` (invalid values of declared inputs), as `file:line: message`. */
  readonly specProblems: readonly string[];
  /**
   * What registration and deployment accept with a warning (ADR 0016): a manifest's `engine`
   * key, and inputs of the `--spec` file that the schema does not declare.
   */
  readonly warnings: readonly string[];
}

/**
 * Runs every check a bundle meets when registered as a template version (layout, sizes, schema,
 * manifests), the renderer's lint on every Jinja-rendered CloudFormation file, and a syntax
 * check of every Terraform file the manifests select. With `specFile`, also checks that spec's
 * inputs against the schema as a create or update would.
 */
export async function lintBundle(
  dir: string,
  options: BundleKindOptions & { readonly specFile?: string },
): Promise<BundleLintResult> {
  const bundle = await loadToolkitBundle(dir, options);
  const problems: BundleProblem[] = [...bundle.problems];
  const warnings = bundle.warnings.map(formatBundleProblem);
  const renderer = createRenderer();
  const { environment, instance, pipeline } = bundle.infrastructure;
  for (const manifest of [environment, instance, pipeline]) {
    if (manifest !== undefined)
      problems.push(...(await lintManifestFiles(bundle, manifest, renderer)));
  }
  const specProblems: string[] = [];
  if (options.specFile !== undefined && bundle.problems.length === 0) {
    const spec = await readSpecFile(options.specFile);
    try {
      planResources(bundle, spec, EMPTY_CONTEXT, { mode: 'all' }, warnings);
    } catch (error) {
      if (!(error instanceof TemplateToolkitError)) throw error;
      specProblems.push(...error.lines);
    }
  }
  return { bundle, problems, specProblems, warnings };
}

async function lintManifestFiles(
  bundle: ToolkitBundle,
  manifest: ParsedManifest,
  renderer: Renderer,
): Promise<BundleProblem[]> {
  const problems: BundleProblem[] = [];
  if (manifest.engine === 'codebuild') return problems;
  for (const file of manifest.files) {
    const text = Buffer.from(bundle.files.get(file) ?? new Uint8Array()).toString('utf8');
    if (manifest.engine === 'cloudformation') {
      problems.push(...renderer.lint(text, file));
      continue;
    }
    try {
      await parseTerraformFiles({ [file]: text });
    } catch (error) {
      if (!(error instanceof RenderError)) throw error;
      problems.push(
        error.line === undefined
          ? { file, message: error.message }
          : { file, line: error.line, message: error.message },
      );
    }
  }
  return problems;
}

interface LintFlags {
  spec?: string;
  kind?: string;
  customerManaged?: boolean;
  pipeline?: boolean;
}

const LINT_HELP = `
Checks what registering the bundle as a template version checks (folder layout for the kind,
file sizes and counts, schema/schema.yaml, every manifest.yaml), then runs the renderer's lint
on every Jinja-rendered CloudFormation template the manifests name and parses every Terraform
file they select. CodeBuild project_properties are not linted.

With --spec, also checks a spec file's inputs against schema/schema.yaml as creating or updating
the resource would: invalid values of declared inputs are problems.

Sizes follow Proton's quotas: a bundle of at most 5 MiB, manifest.yaml and schema/schema.yaml of
at most 50 KiB, each template file a manifest names at most 200 KiB; other files (a
package-lock.json, an image) count toward the bundle only.

What Proton accepted and Nucleon accepts too, but would like changed, is printed as
"warning: file:line: message" on stderr without failing the lint: a manifest's "engine" key
(read as "rendering_engine"), and, with --spec, spec inputs the schema does not declare and
unknown keys of the spec file (both ignored when rendering).

Prints one "file:line: message" line per problem on stderr ("file: message" when the line is
unknown) and exits 1; otherwise prints "ok: <n> files checked" (n = every file of the bundle,
followed by the number of warnings when there are any) and exits 0.`;

/** Registers `nucleon template lint`. */
export function registerTemplateLintCommand(
  template: Command,
  setExit: (code: number) => void,
): void {
  template
    .command('lint <bundle-dir>')
    .description(
      'check a bundle folder as registration would, plus the renderer lint and Terraform syntax',
    )
    .option(
      '--spec <spec.yaml>',
      'also check this spec file (proton: EnvironmentSpec or ServiceSpec) against the schema',
    )
    .option(
      '--kind <kind>',
      "environment or service (default: inferred: infrastructure/ = environment, instance_infrastructure/ or pipeline_infrastructure/ = service, else the schema's environment_input_type or service_input_type)",
    )
    .option(
      '--customer-managed',
      'an environment template for customer-managed provisioning: schema/schema.yaml only, no infrastructure/',
    )
    .option(
      '--no-pipeline',
      'a service template without a pipeline (default: it has one exactly when pipeline_infrastructure/ exists)',
    )
    .addHelpText('after', LINT_HELP)
    .action((dir: string, flags: LintFlags) =>
      runToolkitAction(setExit, async () => {
        const result = await lintBundle(dir, {
          ...(flags.spec === undefined ? {} : { specFile: flags.spec }),
          ...(flags.kind === undefined ? {} : { kind: flags.kind }),
          ...(flags.customerManaged === true ? { customerManaged: true } : {}),
          ...(flags.pipeline === false ? { pipeline: false } : {}),
        });
        const { bundle, warnings } = result;
        const problems = [...result.problems.map(formatBundleProblem), ...result.specProblems];
        process.stderr.write(warnings.map((w) => `warning: ${w}\n`).join(''));
        if (problems.length > 0) {
          process.stderr.write(problems.map((p) => `${p}\n`).join(''));
          process.stderr.write(
            `${plural(problems.length, 'problem')} in ${bundle.kind} template bundle ${dir}\n`,
          );
          return 1;
        }
        const note = warnings.length > 0 ? `, ${plural(warnings.length, 'warning')}` : '';
        process.stdout.write(`ok: ${bundle.files.size} files checked${note}\n`);
        return 0;
      }),
    );
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
