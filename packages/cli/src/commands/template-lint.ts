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
import { loadToolkitBundle, type BundleKindOptions, type ToolkitBundle } from './template-bundle.js';
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
export async function lintBundle(dir: string, options: BundleKindOptions): Promise<BundleLintResult> {
  const bundle = await loadToolkitBundle(dir, options);
  const problems: BundleProblem[] = [...bundle.problems];
  const renderer = createRenderer();
  const { environment, instance, pipeline } = bundle.infrastructure;
  for (const manifest of [environment, instance, pipeline]) {
    if (manifest !== undefined) problems.push(...(await lintManifestFiles(bundle, manifest, renderer)));
  }
  return { bundle, problems };
}

async function lintManifestFiles(bundle: ToolkitBundle, manifest: ParsedManifest, renderer: Renderer): Promise<BundleProblem[]> {
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
      problems.push(error.line === undefined ? { file, message: error.message } : { file, line: error.line, message: error.message });
    }
  }
  return problems;
}

interface LintFlags {
  kind?: string;
  customerManaged?: boolean;
  pipeline?: boolean;
}

/** Registers `nucleon template lint`. */
export function registerTemplateLintCommand(template: Command, setExit: (code: number) => void): void {
  template
    .command('lint <bundle-dir>')
    .description(
      'check a template bundle folder as registration would (layout, sizes, schema/schema.yaml, manifest.yaml) plus the renderer lint of every Jinja (CloudFormation) template and the syntax of every Terraform file; prints "file:line: message" per problem on stderr and exits 1, or prints "ok: <n> files checked" (n = every file of the bundle)',
    )
    .option('--kind <kind>', 'environment or service (default: inferred: infrastructure/ or environment_input_type = environment; instance_infrastructure/ = service)')
    .option('--customer-managed', 'an environment template for customer-managed provisioning: schema/schema.yaml only, no infrastructure/')
    .option('--no-pipeline', 'a service template without a pipeline (default: it has one exactly when pipeline_infrastructure/ exists)')
    .addHelpText('after', '\nCodeBuild project_properties are not linted. Exit status: 0 when the bundle is clean, 1 otherwise.')
    .action((dir: string, flags: LintFlags) =>
      runToolkitAction(setExit, async () => {
        const { bundle, problems } = await lintBundle(dir, {
          ...(flags.kind === undefined ? {} : { kind: flags.kind }),
          ...(flags.customerManaged === true ? { customerManaged: true } : {}),
          ...(flags.pipeline === false ? { pipeline: false } : {}),
        });
        if (problems.length > 0) {
          process.stderr.write(problems.map((p) => `${formatBundleProblem(p)}\n`).join(''));
          process.stderr.write(`${problems.length} problem${problems.length === 1 ? '' : 's'} in ${bundle.kind} template bundle ${dir}\n`);
          return 1;
        }
        process.stdout.write(`ok: ${bundle.files.size} files checked\n`);
        return 0;
      }),
    );
}
