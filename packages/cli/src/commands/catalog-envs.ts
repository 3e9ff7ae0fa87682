import type { Command } from 'commander';
import type { Environment, ProtonClient } from '@nucleon/protocol';
import { printTable } from '../output.js';
import {
  CliError,
  action,
  collect,
  confirmDelete,
  formatTime,
  listAll,
  orUndefined,
  parseMajor,
  printJson,
  withConnection,
  type CatalogFlags,
  type SetExit,
} from './catalog-common.js';
import { watchOrFail } from './catalog-deploy.js';
import {
  behindness,
  environmentSpec,
  readSpecFile,
  recommended,
  refsCache,
  updateTarget,
  versionInputs,
  versionLabel,
  versionRefs,
} from './catalog-spec.js';

interface SpecFlags extends CatalogFlags {
  spec?: string;
  set?: string[];
  wait?: boolean;
}

const notFound = (name?: string) => ({
  ResourceNotFoundException: `list the environments with \`nucleon envs list\`${name ? ` (is "${name}" spelled right?)` : ''}`,
});
const specHint =
  "see the template's versions and inputs with `nucleon templates show <template>`; set inputs with --set key=value or --spec file.yaml";

/** Prints what an environment looks like after a command (or its JSON). */
async function report(
  client: ProtonClient,
  name: string,
  flags: CatalogFlags,
  verb: string,
): Promise<void> {
  const env = (await client.call('GetEnvironment', { name })).environment;
  const outputs = env.lastSucceededDeploymentId
    ? (await client.call('ListEnvironmentOutputs', { environmentName: name })).outputs
    : [];
  if (flags.output === 'json') return printJson({ environment: env, outputs });
  process.stdout.write(
    [
      `environment ${name} ${verb}: ${env.deploymentStatus} on ${versionLabel(env.templateName, env.templateMajorVersion, env.templateMinorVersion)}`,
      ...(outputs.length
        ? ['outputs', ...outputs.map((o) => `  ${o.key} = ${o.valueString ?? ''}`)]
        : []),
    ].join('\n') + '\n',
  );
}

function started(env: Environment, verb: string, flags: CatalogFlags): void {
  if (flags.output === 'json') return printJson({ environment: env });
  process.stdout.write(
    `${verb} environment ${env.name} (deployment ${env.lastAttemptedDeploymentId}). Follow it with: nucleon deployments watch ${env.lastAttemptedDeploymentId}\n`,
  );
}

export function registerEnvsCommands(program: Command, setExit: SetExit): void {
  const envs = program
    .command('envs')
    .description(
      'environments: list, show, create, update and delete, with a live view of their deployments (--wait)',
    );

  withConnection(envs.command('list', { isDefault: true }))
    .description(
      'list environments with their template version, status and whether they are behind the recommended version',
    )
    .action(
      action(setExit, {}, async (client, flags: CatalogFlags) => {
        const all = await listAll(async (nextToken) => {
          const o = await client.call('ListEnvironments', nextToken ? { nextToken } : {});
          return { items: o.environments, nextToken: o.nextToken };
        });
        const refs = refsCache(client, 'env');
        const rows = await Promise.all(
          all.map(async (e) => ({
            ...e,
            ...behindness(
              await refs(e.templateName),
              Number(e.templateMajorVersion),
              Number(e.templateMinorVersion),
            ),
          })),
        );
        if (flags.output === 'json') return printJson(rows);
        if (rows.length === 0) {
          process.stdout.write(
            'no environments yet. Create one with: nucleon envs create <name> --template <environment-template> --wait\n',
          );
          return;
        }
        printTable(
          rows.map((e) => ({
            name: e.name,
            template: e.templateName,
            version: `${e.templateMajorVersion}.${e.templateMinorVersion}`,
            behind: e.behind === 'no' ? '' : `${e.behind} → ${e.recommended}`,
            status: e.deploymentStatus,
            'last deployed': formatTime(e.lastDeploymentAttemptedAt),
          })),
          ['name', 'template', 'version', 'behind', 'status', 'last deployed'],
        );
      }),
    );

  withConnection(envs.command('show <name>'))
    .description(
      "an environment's status, template version, inputs (spec), outputs and last deployments",
    )
    .action(
      action(
        setExit,
        (name: string) => notFound(name),
        async (client, name: string, flags: CatalogFlags) => {
          const env = (await client.call('GetEnvironment', { name })).environment;
          const outputs = (await client.call('ListEnvironmentOutputs', { environmentName: name }))
            .outputs;
          const deployments = (
            await client.call('ListDeployments', { environmentName: name })
          ).deployments
            .filter((d) => d.targetResourceType === 'ENVIRONMENT')
            .slice(0, 5);
          const state = behindness(
            await versionRefs(client, 'env', env.templateName).catch(() => []),
            Number(env.templateMajorVersion),
            Number(env.templateMinorVersion),
          );
          if (flags.output === 'json')
            return printJson({ environment: env, outputs, deployments, ...state });
          process.stdout.write(
            [
              `environment ${env.name}`,
              `  status     ${env.deploymentStatus}${env.deploymentStatusMessage ? ` — ${env.deploymentStatusMessage}` : ''}`,
              `  template   ${versionLabel(env.templateName, env.templateMajorVersion, env.templateMinorVersion)}${state.behind === 'no' ? '' : ` (behind: ${state.recommended} is recommended; nucleon envs update ${name} --${state.behind})`}`,
              `  created    ${formatTime(env.createdAt)}`,
              ...(env.description ? [`  description ${env.description}`] : []),
              'spec',
              ...(env.spec ?? '')
                .trimEnd()
                .split('\n')
                .map((l) => `  ${l}`),
              'outputs',
              ...(outputs.length
                ? outputs.map((o) => `  ${o.key} = ${o.valueString ?? ''}`)
                : ['  (none)']),
              'last deployments',
            ].join('\n') + '\n',
          );
          printTable(
            deployments.map((d) => ({
              id: d.id,
              status: d.deploymentStatus,
              started: formatTime(d.createdAt),
              ended: formatTime(d.completedAt),
            })),
            ['id', 'status', 'started', 'ended'],
          );
        },
      ),
    );

  withConnection(envs.command('create <name>'))
    .description('create an environment from a published environment template')
    .requiredOption('--template <template>', 'environment template name')
    .option('--major <n>', "template major version (default: the template's recommended one)")
    .option(
      '--spec <file>',
      'spec file: `proton: EnvironmentSpec` with `spec:` inputs, or just the inputs (- for stdin)',
    )
    .option(
      '--set <key=value>',
      'set one input (repeatable); typed by the template schema',
      collect,
    )
    .option('--description <text>', 'description')
    .option(
      '--connection <id>',
      'provision in a workload account through this CONNECTED environment account connection (see `nucleon connections`)',
    )
    .option('--wait', 'show the deployment live; exit 1 if it fails')
    .addHelpText(
      'after',
      '\nExample:\n  nucleon envs create dev --template my-env --set greeting=hello --wait',
    )
    .action(
      action(
        setExit,
        (name: string) => ({
          ValidationException: specHint,
          ConflictException: `an environment named ${name} exists: see it with \`nucleon envs show ${name}\``,
        }),
        async (
          client,
          name: string,
          flags: SpecFlags & {
            template: string;
            major?: string;
            description?: string;
            connection?: string;
          },
        ) => {
          const template = await orUndefined(
            client.call('GetEnvironmentTemplate', { name: flags.template }),
          );
          if (!template)
            throw new CliError(
              `no environment template named ${flags.template}.`,
              'list the templates with `nucleon templates list`.',
            );
          const refs = await versionRefs(client, 'env', flags.template);
          const major = Number(parseMajor(flags.major) ?? recommended(refs)?.major);
          if (Number.isNaN(major))
            throw new CliError(
              `${flags.template} has no published version yet.`,
              `publish one with \`nucleon templates publish ${flags.template} <major.minor>\` (see \`nucleon templates show ${flags.template}\`).`,
            );
          const { props, where } = await versionInputs(
            client,
            'env',
            flags.template,
            major,
            recommended(refs, major)?.minor,
          );
          const spec = environmentSpec(
            flags.spec ? readSpecFile(flags.spec) : undefined,
            flags.set ?? [],
            props,
            where,
          );
          const env = (
            await client.call('CreateEnvironment', {
              name,
              templateName: flags.template,
              templateMajorVersion: String(major),
              spec,
              ...(flags.description ? { description: flags.description } : {}),
              ...(flags.connection ? { environmentAccountConnectionId: flags.connection } : {}),
            })
          ).environment;
          if (!flags.wait) return started(env, 'creating', flags);
          await watchOrFail(client, [env.lastAttemptedDeploymentId!], flags);
          await report(client, name, flags, 'created');
        },
      ),
    );

  withConnection(envs.command('update <name>'))
    .description('redeploy an environment with new inputs, or move it to a newer template version')
    .option('--spec <file>', 'new spec file (replaces the current spec; - for stdin)')
    .option('--set <key=value>', 'change one input, keeping the others (repeatable)', collect)
    .option('--minor [n]', "move to the major's recommended minor version (or to minor n)")
    .option('--major [n]', 'move to the recommended major version (or to major n)')
    .option('--wait', 'show the deployment live; exit 1 if it fails')
    .addHelpText(
      'after',
      '\nExamples:\n  nucleon envs update dev --set greeting=bonjour --wait\n  nucleon envs update dev --minor --wait',
    )
    .action(
      action(
        setExit,
        (name: string) => ({
          ...notFound(name),
          ValidationException: specHint,
          ConflictException: `a deployment of ${name} is running: follow it with \`nucleon deployments list --env ${name}\`, then try again`,
        }),
        async (
          client,
          name: string,
          flags: SpecFlags & { minor?: string | boolean; major?: string | boolean },
        ) => {
          const env = (await client.call('GetEnvironment', { name })).environment;
          const refs = await versionRefs(client, 'env', env.templateName);
          const target = updateTarget(
            refs,
            { major: Number(env.templateMajorVersion), minor: Number(env.templateMinorVersion) },
            flags,
          );
          const { props, where } = await versionInputs(
            client,
            'env',
            env.templateName,
            target.major,
            target.minor,
          );
          const spec = environmentSpec(
            flags.spec ? readSpecFile(flags.spec) : env.spec,
            flags.set ?? [],
            props,
            where,
          );
          const { major: _m, minor: _n, ...input } = target;
          const updated = (await client.call('UpdateEnvironment', { name, spec, ...input }))
            .environment;
          if (!flags.wait) return started(updated, 'updating', flags);
          await watchOrFail(client, [updated.lastAttemptedDeploymentId!], flags);
          await report(client, name, flags, 'updated');
        },
      ),
    );

  withConnection(envs.command('delete <name>'))
    .description(
      'delete an environment and what it provisioned (its service instances must be deleted first)',
    )
    .option('-y, --yes', 'do not ask for confirmation (needed when not on a terminal)')
    .option('--wait', 'show the deletion live; exit 1 if it fails')
    .action(
      action(
        setExit,
        (name: string) => ({
          ...notFound(name),
          ConflictException: `delete the services with instances in ${name} first (nucleon instances list), or wait for its running deployment`,
        }),
        async (client, name: string, flags: CatalogFlags & { yes?: boolean; wait?: boolean }) => {
          await client.call('GetEnvironment', { name });
          await confirmDelete(`environment ${name}`, flags.yes);
          const env = (await client.call('DeleteEnvironment', { name })).environment;
          if (!env) throw new CliError(`no environment named ${name}.`);
          if (!flags.wait) return started(env, 'deleting', flags);
          await watchOrFail(client, [env.lastAttemptedDeploymentId!], flags);
          if (flags.output === 'json') return printJson({ deleted: name });
          process.stdout.write(`deleted environment ${name}\n`);
        },
      ),
    );
}
