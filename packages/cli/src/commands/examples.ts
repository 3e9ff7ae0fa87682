import { isAbsolute, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { resolveConnection, type ConnectionFlags } from '../connection.js';
import { printTable } from '../output.js';
import {
  defaultExamplesDir,
  EXAMPLE_GROUPS,
  ExamplesError,
  loadCatalog,
  type ExampleEntry,
  type ExampleGroup,
} from './examples-catalog.js';
import { installExamples, type InstallResult } from './examples-install.js';

interface ExamplesFlags extends ConnectionFlags {
  only?: string;
  publish?: boolean;
  examplesDir?: string;
  waitTimeout?: string;
  output?: string;
}

const INSTALL_HELP = `
For each example bundle (examples/catalog.json, in order): creates the template when missing
(service templates without a pipeline: pipelineProvisioning CUSTOMER_MANAGED), pushes the
bundle to Nucleon's bundle store as examples/<name>-<sha256 prefix>.tar.gz, registers it as a
version (1.0 for a new template, else a new minor of the newest major, and only when the bundle
changed), waits for registration and publishes it. Running it again changes nothing and says so.

The local examples are provisioned by Nucleon on its own host (CodeBuild-style commands run with
bash and Node); state goes under $HOME/.nucleon-examples of the Nucleon process (or the
local-env input state_root). The cloudformation examples need Nucleon to reach CloudFormation:
AWS credentials and region in its environment, e.g. AWS_ENDPOINT_URL_CLOUDFORMATION for moto.

Exit status: 0 when every selected example is installed, 1 otherwise.`;

/** Registers `nucleon examples install|list`. */
export function registerExamplesCommands(program: Command, setExit: (code: number) => void): void {
  const examples = program
    .command('examples')
    .description(
      'example templates that provision real things: install them into a running Nucleon',
    );

  examples
    .command('install')
    .description('create, push, register and publish the example templates (idempotent)')
    .option('--only <group>', `install one group: ${EXAMPLE_GROUPS.join(' or ')}`)
    .option('--publish', 'publish the registered versions (default)')
    .option('--no-publish', 'leave new versions in DRAFT')
    .option('--wait-timeout <seconds>', 'longest wait for one version to register', '120')
    .option(
      '--examples-dir <dir>',
      'the examples folder (default: examples/ of this Nucleon checkout)',
    )
    .option(
      '--endpoint-url <url>',
      'Nucleon endpoint (AWS_ENDPOINT_URL_PROTON, AWS_ENDPOINT_URL; default http://127.0.0.1:8080)',
    )
    .option('--profile <name>', 'credentials profile (AWS_PROFILE)')
    .option('--region <region>', 'signing region (AWS_REGION; default us-east-1)')
    .option('-o, --output <format>', 'table or json', 'table')
    .addHelpText('after', INSTALL_HELP)
    .action(async (flags: ExamplesFlags) => {
      const selected = await selectExamples(flags, setExit);
      if (!selected) return;
      const waitSeconds = Number(flags.waitTimeout);
      if (!Number.isFinite(waitSeconds) || waitSeconds <= 0)
        return usage(
          setExit,
          `--wait-timeout must be a positive number of seconds, not ${flags.waitTimeout}`,
        );
      const { client, endpoint } = resolveConnection(flags);
      const json = flags.output === 'json';
      const results = await installExamples(client, selected, {
        publish: flags.publish !== false,
        waitTimeoutMs: waitSeconds * 1000,
        progress: json ? undefined : (line) => process.stderr.write(`${line}\n`),
      });
      const failed = results.filter((r) => r.error !== undefined);
      const changed = results.some((r) => r.changed);
      const ok = new Set(results.filter((r) => r.error === undefined).map((r) => r.template));
      const region =
        flags.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
      const steps = nextSteps(
        selected.filter((e) => ok.has(e.name)),
        results,
        endpoint,
        region,
      );
      if (json) {
        process.stdout.write(
          JSON.stringify({ changed, results, nextSteps: steps }, null, 2) + '\n',
        );
      } else {
        printTable(
          results.map((r) => ({
            ...r,
            action: r.error
              ? `FAILED: ${r.error}`
              : r.actions.length
                ? r.actions.join('; ')
                : 'up to date',
          })),
          ['template', 'kind', 'group', 'engine', 'version', 'status', 'action'],
        );
        process.stdout.write('\n');
        const changedCount = results.filter((r) => r.changed).length;
        const upToDate = results.length - changedCount - failed.length;
        if (failed.length > 0)
          process.stdout.write(
            `${failed.length} of ${results.length} example templates could not be installed (see ACTION).\n`,
          );
        else if (!changed)
          process.stdout.write(
            `Nothing to do: all ${results.length} example templates are installed and up to date.\n`,
          );
        else
          process.stdout.write(
            `Changed ${changedCount} of ${results.length} example templates${upToDate > 0 ? `; ${upToDate} already up to date` : ''}.\n`,
          );
        if (steps.length > 0) process.stdout.write(`\n${steps.join('\n')}\n`);
      }
      setExit(failed.length > 0 ? 1 : 0);
    });

  examples
    .command('list')
    .description('list the example templates and their spec files (no server needed)')
    .option('--only <group>', `one group: ${EXAMPLE_GROUPS.join(' or ')}`)
    .option(
      '--examples-dir <dir>',
      'the examples folder (default: examples/ of this Nucleon checkout)',
    )
    .option('-o, --output <format>', 'table or json', 'table')
    .action(async (flags: ExamplesFlags) => {
      const selected = await selectExamples(flags, setExit);
      if (!selected) return;
      const rows = selected.map((e) => ({
        template: e.name,
        kind: e.kind,
        group: e.group,
        engine: e.engine,
        bundle: display(e.dir),
        spec: display(e.try.spec),
        description: e.description,
      }));
      if (flags.output === 'json') process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
      else printTable(rows, ['template', 'kind', 'group', 'engine', 'bundle', 'spec']);
      setExit(0);
    });
}

function usage(setExit: (code: number) => void, message: string): undefined {
  process.stderr.write(`nucleon examples: ${message}\n`);
  setExit(2);
  return undefined;
}

async function selectExamples(
  flags: ExamplesFlags,
  setExit: (code: number) => void,
): Promise<ExampleEntry[] | undefined> {
  if (flags.only !== undefined && !EXAMPLE_GROUPS.includes(flags.only as ExampleGroup)) {
    return usage(setExit, `--only must be ${EXAMPLE_GROUPS.join(' or ')}, not ${flags.only}`);
  }
  let catalog: ExampleEntry[];
  try {
    catalog = await loadCatalog(resolve(flags.examplesDir ?? defaultExamplesDir()));
  } catch (error) {
    if (error instanceof ExamplesError) return usage(setExit, error.message);
    throw error;
  }
  return catalog.filter((e) => flags.only === undefined || e.group === flags.only);
}

/** A path as people type it here: relative to the current folder when inside it. */
function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

const GROUP_NOTES: Record<ExampleGroup, string> = {
  local: 'Nucleon runs their commands on its own host; each instance is a Node server on 127.0.0.1',
  cloudformation:
    'Nucleon deploys them with CloudFormation: start it with AWS credentials and region, e.g. moto: moto_server -p 5000 and AWS_ENDPOINT_URL_CLOUDFORMATION=http://127.0.0.1:5000 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test',
};

/** The AWS CLI commands to try the installed examples, group by group. */
export function nextSteps(
  installed: readonly ExampleEntry[],
  results: readonly InstallResult[],
  endpoint: string,
  region: string,
): string[] {
  const version = (name: string) =>
    results.find((r) => r.template === name)?.version?.split('.')[0] ?? '1';
  const lines: string[] = [];
  for (const group of EXAMPLE_GROUPS) {
    const envs = installed.filter((e) => e.group === group && e.kind === 'environment');
    const services = installed.filter((e) => e.group === group && e.kind === 'service');
    if (envs.length === 0 && services.length === 0) continue;
    if (lines.length === 0) {
      lines.push(
        'Point the AWS CLI at Nucleon (with the credentials `nucleon up` wrote, e.g. AWS_SHARED_CREDENTIALS_FILE=$PWD/.nucleon/credentials AWS_PROFILE=nucleon):',
      );
      lines.push(
        `  export AWS_ENDPOINT_URL_PROTON=${endpoint} AWS_REGION=${region} AWS_DEFAULT_REGION=${region}`,
      );
    }
    lines.push('', `Try the ${group} examples (${GROUP_NOTES[group]}):`);
    for (const env of envs) {
      lines.push(
        `  aws proton create-environment --name ${env.try.name} --template-name ${env.name} --template-major-version ${version(env.name)} --spec file://${display(env.try.spec)}`,
      );
      lines.push(`  aws proton wait environment-deployed --name ${env.try.name}`);
      lines.push(`  aws proton list-environment-outputs --environment-name ${env.try.name}`);
    }
    for (const svc of services) {
      lines.push(
        `  aws proton create-service --name ${svc.try.name} --template-name ${svc.name} --template-major-version ${version(svc.name)} --spec file://${display(svc.try.spec)}`,
      );
      lines.push(`  aws proton wait service-created --name ${svc.try.name}`);
      if (svc.try.instance) {
        lines.push(
          `  aws proton list-service-instance-outputs --service-name ${svc.try.name} --service-instance-name ${svc.try.instance}`,
        );
        if (svc.try.update) {
          lines.push(
            `  aws proton update-service-instance --service-name ${svc.try.name} --name ${svc.try.instance} --deployment-type CURRENT_VERSION --spec file://${display(svc.try.update)}`,
          );
          lines.push(
            `  aws proton wait service-instance-deployed --service-name ${svc.try.name} --name ${svc.try.instance}`,
          );
        }
      }
    }
    for (const svc of services)
      lines.push(
        `  aws proton delete-service --name ${svc.try.name} && aws proton wait service-deleted --name ${svc.try.name}`,
      );
    for (const env of envs) lines.push(`  aws proton delete-environment --name ${env.try.name}`);
  }
  return lines;
}
