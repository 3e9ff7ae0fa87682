import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { createRenderer, formatBundleProblem, type ManifestEngine } from '@nucleon/templates';
import {
  PLACEHOLDER_ACCOUNT_ID,
  PLACEHOLDER_DEPLOYMENT_ID,
  TOOLKIT_REGION,
} from './template-arns.js';
import { loadToolkitBundle, type ToolkitBundle } from './template-bundle.js';
import { EMPTY_CONTEXT, readContextFile, type ToolkitContext } from './template-context.js';
import { runToolkitAction, TemplateToolkitError } from './template-errors.js';
import {
  assertSafeRelativePath,
  joinTreePath,
  writeFileTree,
  type FileTree,
} from './template-files.js';
import { planResources, type RenderTarget, type SpecSource } from './template-resources.js';
import { buildWorkspace } from './template-workspace.js';

/** Every file a render produced, keyed by path under the output folder, or the problems that stopped it. */
export interface BundleRenderResult {
  readonly files: FileTree;
  /** Permission bits of the executable files copied from the bundle. */
  readonly modes: ReadonlyMap<string, number>;
  readonly problems: readonly string[];
  /**
   * What was accepted but would like changing: inputs the schema does not declare (left out of
   * the render, as on the server) and the bundle's registration warnings.
   */
  readonly warnings: readonly string[];
  /** The resources rendered, e.g. `instance "api-prod"`, `pipeline`. */
  readonly labels: readonly string[];
  /** How each file can be checked: parsed as CloudFormation, Terraform or JSON, or not at all (copied). */
  readonly checks: ReadonlyMap<string, FileCheck>;
}

/** The parse check that applies to a rendered file. */
export type FileCheck = 'cloudformation' | 'terraform' | 'json' | 'none';

function fileCheck(engine: ManifestEngine, path: string): FileCheck {
  if (engine === 'cloudformation') return 'cloudformation';
  if (engine === 'terraform')
    return path.endsWith('.tf') ? 'terraform' : path.endsWith('.json') ? 'json' : 'none';
  return path === 'proton-inputs.json' ? 'json' : 'none';
}

/**
 * Renders the resources a spec describes, in memory. A service bundle rendered with target
 * `all` puts each instance under `<instance>/` and the pipeline under `pipeline/`; a single
 * instance, the pipeline, or an environment go at the top. Problems in any resource are all
 * collected; spec, schema and bundle problems throw {@link TemplateToolkitError}.
 */
export function renderBundle(
  bundle: ToolkitBundle,
  spec: SpecSource,
  context: ToolkitContext,
  target: RenderTarget,
): BundleRenderResult {
  const warnings = bundle.warnings.map(formatBundleProblem);
  const planned = planResources(bundle, spec, context, target, warnings);
  const options = {
    bundle,
    renderer: createRenderer(),
    arnAccountId: context.environment?.account_id ?? PLACEHOLDER_ACCOUNT_ID,
  };
  const files: FileTree = new Map();
  const problems: string[] = [];
  const checks = new Map<string, FileCheck>();
  const modes = new Map<string, number>();
  for (const resource of planned) {
    const workspace = buildWorkspace(resource, options);
    problems.push(...workspace.problems);
    for (const [path, data] of workspace.files) {
      const full = joinTreePath(resource.outDir, path);
      assertSafeRelativePath(full);
      files.set(full, data);
      checks.set(full, fileCheck(resource.manifest.engine, path));
      const mode = workspace.modes.get(path);
      if (mode !== undefined) modes.set(full, mode);
    }
  }
  return { files, modes, problems, warnings, labels: planned.map((p) => p.label), checks };
}

/** Reads a spec file for {@link renderBundle}. */
export async function readSpecFile(path: string): Promise<SpecSource> {
  try {
    return { text: await readFile(path, 'utf8'), file: path };
  } catch (error) {
    throw new TemplateToolkitError([
      `${path}: cannot read the spec file (${(error as Error).message})`,
    ]);
  }
}

interface RenderFlags {
  spec: string;
  instance?: string;
  pipeline?: boolean;
  context?: string;
  out: string;
}

const RENDER_HELP = `
What is written (exactly what the provisioning engine would receive):
  CloudFormation (jinja)  the rendered template under its bundle file name (e.g. cloudformation.yaml)
  Terraform (hcl)         the manifest's .tf files, proton.<kind>.variables.tf, proton.auto.tfvars.json
                          and .proton/deployment-metadata.json
  CodeBuild               the infrastructure folder's files (without manifest.yaml) and proton-inputs.json
A service bundle rendered without --instance or --pipeline gets <out>/<instance>/ per instance
and <out>/pipeline/ when the template has a pipeline. Nothing is written unless every resource
renders, and nothing is ever written outside --out (existing files with other names are kept).

Inputs are the spec values validated against schema/schema.yaml, with defaults filled in. An
input the schema does not declare is left out of the render, as the server does, and printed
as "warning: <spec file>: spec: undeclared input ..." on stderr; the render still goes ahead.
context.json supplies everything else (every field optional):
  {"environment":  {"name": "...", "account_id": "123456789012", "outputs": {"VpcId": "..."}},
   "environments": {"<env name>": {"account_id": "...", "outputs": {...}}},
   "service":      {"name", "repository_id", "repository_connection_arn", "branch_name"},
   "instance_outputs": {"<instance name>": {"<output>": "..."}}}
An instance's environment is environments[<its environment>], falling back to environment.
A template that reads a value the context lacks fails, naming every missing value.

Generated Terraform files use deploymentId ${PLACEHOLDER_DEPLOYMENT_ID}, region ${TOOLKIT_REGION},
the account of environment.account_id (${PLACEHOLDER_ACCOUNT_ID} when absent) in ARNs, and the bundle
folder's name as the template name (for <name>/v<major>/, the parent's name and that major), version <major>.0.

Exit status: 0 when everything was written, 1 on any problem (printed on stderr as file:line: message).`;

/** Registers `nucleon template render`. */
export function registerTemplateRenderCommand(
  template: Command,
  setExit: (code: number) => void,
): void {
  template
    .command('render <bundle-dir>')
    .description(
      'render a template bundle offline for a spec file and write what the engine would receive',
    )
    .requiredOption(
      '--spec <spec.yaml>',
      'spec file: proton: EnvironmentSpec or proton: ServiceSpec',
    )
    .option('--instance <name>', 'render only this service instance (service bundles)')
    .option(
      '--pipeline',
      "render only the service's pipeline (service bundles with pipeline_infrastructure/)",
    )
    .option(
      '--context <context.json>',
      'names, account ids and outputs the templates read (see below)',
    )
    .requiredOption('--out <dir>', 'output folder (created when missing)')
    .addHelpText('after', RENDER_HELP)
    .action((dir: string, flags: RenderFlags) =>
      runToolkitAction(setExit, async () => {
        if (flags.instance !== undefined && flags.pipeline === true) {
          throw new TemplateToolkitError(['--instance and --pipeline cannot be used together']);
        }
        const target: RenderTarget =
          flags.instance !== undefined
            ? { mode: 'instance', name: flags.instance }
            : flags.pipeline === true
              ? { mode: 'pipeline' }
              : { mode: 'all' };
        const spec = await readSpecFile(flags.spec);
        const context =
          flags.context === undefined ? EMPTY_CONTEXT : await readContextFile(flags.context);
        const bundle = await loadToolkitBundle(dir);
        const result = renderBundle(bundle, spec, context, target);
        process.stderr.write(result.warnings.map((w) => `warning: ${w}\n`).join(''));
        if (result.problems.length > 0) {
          process.stderr.write(result.problems.map((p) => `${p}\n`).join(''));
          process.stderr.write(`nothing written to ${flags.out}\n`);
          return 1;
        }
        const written = await writeFileTree(flags.out, result.files, result.modes);
        process.stdout.write(written.map((path) => `wrote ${join(flags.out, path)}\n`).join(''));
        process.stdout.write(
          `rendered ${result.labels.join(', ')}: ${written.length} file${written.length === 1 ? '' : 's'} in ${flags.out}\n`,
        );
        return 0;
      }),
    );
}
