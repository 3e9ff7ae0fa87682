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
import { runToolkitAction } from './template-errors.js';

/** What `template lint` found. */
export interface BundleLintResult {
  readonly bundle: ToolkitBundle;
  /** Registration problems first, then renderer lint and Terraform syntax findings. */
  readonly problems: readonly BundleProblem[];
}

/**
 * Runs every check a bundle meets when registered as a template version (layout, sizes, schema,
 * manifests), the renderer's lint on every Jinja-rendered CloudFormation file, and a syntax
 * check of every Terraform file the manifests select.
 */
export async function lintBundle(
  dir: string,
  options: BundleKindOptions,
): Promise<BundleLintResult> {
  const bundle = await loadToolkitBundle(dir, options);
  const problems: BundleProblem[] = [...bundle.problems];
  const renderer = createRenderer();
  const { environment, instance, pipeline } = bundle.infrastructure;
  for (const manifest of [environment, instance, pipeline]) {
    if (manifest !== undefined)
      problems.push(...(await lintManifestFiles(bundle, manifest, renderer)));
  }
  return { bundle, problems };
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
  kind?: string;
  customerManaged?: boolean;
  pipeline?: boolean;
}

const LINT_HELP = `
Checks what registering the bundle as a template version checks (folder layout for the kind,
file sizes and counts, schema/schema.yaml, every manifest.yaml), then runs the renderer's lint
on every Jinja-rendered CloudFormation template the manifests name and parses every Terraform
file they select. CodeBuild project_properties are not linted.

Prints one "file:line: message" line per problem on stderr ("file: message" when the line is
unknown) and exits 1; otherwise prints "ok: <n> files checked" (n = every file of the bundle)
and exits 0.`;

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
        const { bundle, problems } = await lintBundle(dir, {
          ...(flags.kind === undefined ? {} : { kind: flags.kind }),
          ...(flags.customerManaged === true ? { customerManaged: true } : {}),
          ...(flags.pipeline === false ? { pipeline: false } : {}),
        });
        if (problems.length > 0) {
          process.stderr.write(problems.map((p) => `${formatBundleProblem(p)}\n`).join(''));
          process.stderr.write(
            `${problems.length} problem${problems.length === 1 ? '' : 's'} in ${bundle.kind} template bundle ${dir}\n`,
          );
          return 1;
        }
        process.stdout.write(`ok: ${bundle.files.size} files checked\n`);
        return 0;
      }),
    );
}
