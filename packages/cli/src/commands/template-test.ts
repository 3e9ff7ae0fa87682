import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { formatBundleProblem, parseTerraformFiles, RenderError } from '@nucleon/templates';
import { loadToolkitBundle, type ToolkitBundle } from './template-bundle.js';
import { parseCloudFormationYaml } from './template-cfn-yaml.js';
import { EMPTY_CONTEXT, readContextFile } from './template-context.js';
import { runToolkitAction, TemplateToolkitError } from './template-errors.js';
import { readSpecFile, renderBundle, type BundleRenderResult } from './template-render.js';
import { diffBundleSchemas } from './template-schema-diff.js';
import { checkSnapshots } from './template-snapshots.js';

/** The outcome of one fixture. */
export interface FixtureResult {
  readonly name: string;
  readonly failures: readonly string[];
  readonly note?: string;
}

const FIXTURES_DIR = 'test';
const SNAPSHOTS_DIR = '__snapshots__';
const decoder = new TextDecoder();

/** Fixture names: folders `test/<name>/` of the bundle that hold a `spec.yaml`, sorted. */
export async function findFixtures(bundleDir: string): Promise<string[]> {
  const root = join(bundleDir, FIXTURES_DIR);
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const names: string[] = [];
  for (const entry of entries
    .filter((e) => e.isDirectory())
    .sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (await exists(join(root, entry.name, 'spec.yaml'))) names.push(entry.name);
  }
  return names;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * Renders one fixture (`test/<name>/spec.yaml` with the optional `test/<name>/context.json`)
 * like `template render` with neither --instance nor --pipeline, parses every rendered file
 * (CloudFormation YAML with the intrinsic short tags, Terraform, JSON), and compares the files
 * with `test/<name>/__snapshots__/` (or, with `update`, stores them there).
 */
export async function runFixture(
  bundle: ToolkitBundle,
  name: string,
  update: boolean,
): Promise<FixtureResult> {
  const folder = join(bundle.dir, FIXTURES_DIR, name);
  let result: BundleRenderResult;
  try {
    const spec = await readSpecFile(join(folder, 'spec.yaml'));
    const contextFile = join(folder, 'context.json');
    const context = (await exists(contextFile))
      ? await readContextFile(contextFile)
      : EMPTY_CONTEXT;
    result = renderBundle(bundle, spec, context, { mode: 'all' });
  } catch (error) {
    if (error instanceof TemplateToolkitError) return { name, failures: error.lines };
    throw error;
  }
  if (result.problems.length > 0) return { name, failures: result.problems };
  const parseFailures = await parseRenderedFiles(result);
  if (parseFailures.length > 0) return { name, failures: parseFailures };
  const display = `${FIXTURES_DIR}/${name}/${SNAPSHOTS_DIR}`;
  const outcome = await checkSnapshots(join(folder, SNAPSHOTS_DIR), display, result.files, update);
  return {
    name,
    failures: outcome.failures,
    ...(outcome.note === undefined ? {} : { note: outcome.note }),
  };
}

/** Parses each rendered file as what it is; returns `file:line: message` for each that does not parse. */
async function parseRenderedFiles(result: BundleRenderResult): Promise<string[]> {
  const failures: string[] = [];
  for (const [path, data] of result.files) {
    const text = decoder.decode(data);
    const check = result.checks.get(path) ?? 'none';
    if (check === 'cloudformation') {
      failures.push(...parseCloudFormationYaml(text, path).problems.map(formatBundleProblem));
    } else if (check === 'terraform') {
      try {
        await parseTerraformFiles({ [path]: text });
      } catch (error) {
        if (!(error instanceof RenderError)) throw error;
        failures.push(error.toString());
      }
    } else if (check === 'json') {
      try {
        JSON.parse(text);
      } catch (error) {
        failures.push(`${path}: invalid JSON: ${(error as Error).message}`);
      }
    }
  }
  return failures;
}

interface TestFlags {
  previous?: string;
  update?: boolean;
}

const TEST_HELP = `
Fixture layout, inside the bundle folder:
  test/<name>/spec.yaml        the spec (proton: EnvironmentSpec or proton: ServiceSpec)
  test/<name>/context.json     optional: names, account ids and outputs (see nucleon template render --help)
  test/<name>/__snapshots__/   the expected files, laid out as nucleon template render --out writes them
                               (service bundles: <instance>/... per instance and pipeline/...)

Each fixture is rendered, every rendered file is parsed (CloudFormation YAML with the intrinsic
short tags !Ref, !Sub, !GetAtt...; Terraform with hcl2json; generated JSON), and the files are
compared byte for byte with the snapshots. A missing snapshot fails unless --update is given.
Prints PASS/FAIL per fixture on stdout and the reasons on stderr.

With --previous, also prints each schema input change since that bundle and whether it is
minor-compatible or needs a new major version, ending with
"schema change: minor-compatible" or "schema change: needs a new major version" (informational:
it does not change the exit status).

Exit status: 0 when every fixture passed, 1 otherwise (or when there is no fixture and no --previous).`;

/** Registers `nucleon template test`. */
export function registerTemplateTestCommand(
  template: Command,
  setExit: (code: number) => void,
): void {
  template
    .command('test <bundle-dir>')
    .description(
      "render the bundle's test fixtures (test/<name>/spec.yaml) and compare them with stored snapshots",
    )
    .option(
      '--previous <bundle-dir>',
      "the previous version's bundle: classify the schema change as minor-compatible or major",
    )
    .option(
      '--update',
      'write new snapshots and accept changed ones (removes snapshots no longer rendered)',
    )
    .addHelpText('after', TEST_HELP)
    .action((dir: string, flags: TestFlags) =>
      runToolkitAction(setExit, () => testBundle(dir, flags)),
    );
}

async function testBundle(dir: string, flags: TestFlags): Promise<number> {
  const bundle = await loadToolkitBundle(dir);
  if (bundle.problems.length > 0) {
    throw new TemplateToolkitError([
      ...bundle.problems.map(formatBundleProblem),
      `${dir}: the bundle would not register; fix the problems above first (nucleon template lint shows them all)`,
    ]);
  }
  const names = await findFixtures(dir);
  if (names.length === 0) {
    process.stderr.write(
      `${dir}: no fixtures; add ${FIXTURES_DIR}/<name>/spec.yaml (and optionally context.json)\n`,
    );
  }
  let failed = 0;
  for (const name of names) {
    const result = await runFixture(bundle, name, flags.update === true);
    if (result.failures.length > 0) failed += 1;
    const status = result.failures.length > 0 ? 'FAIL' : 'PASS';
    process.stdout.write(
      `${status} ${name}${result.note === undefined ? '' : ` (${result.note})`}\n`,
    );
    const prefix = `${FIXTURES_DIR}/${name}`;
    process.stderr.write(
      result.failures
        .map((f) => (f.startsWith(`${prefix}/`) ? `${f}\n` : `${prefix}: ${f}\n`))
        .join(''),
    );
  }
  if (names.length > 0) {
    process.stdout.write(
      `${names.length} fixture${names.length === 1 ? '' : 's'}: ${names.length - failed} passed, ${failed} failed\n`,
    );
  }
  if (flags.previous !== undefined) {
    const diff = await diffBundleSchemas(flags.previous, bundle);
    process.stdout.write(diff.lines.map((line) => `${line}\n`).join(''));
  }
  return failed > 0 || (names.length === 0 && flags.previous === undefined) ? 1 : 0;
}
