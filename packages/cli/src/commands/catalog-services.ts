import type { Command } from 'commander';
import type { ProtonClient, ServiceInstanceSummary } from '@nucleon/protocol';
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
  sleep,
  withConnection,
  type CatalogFlags,
  type SetExit,
} from './catalog-common.js';
import { watchOrFail } from './catalog-deploy.js';
import {
  behindness,
  instanceSpec,
  readSpecFile,
  recommended,
  refsCache,
  updateTarget,
  versionInputs,
  versionLabel,
  versionRefs,
} from './catalog-spec.js';

interface WaitFlags extends CatalogFlags {
  wait?: boolean;
}

const svcNotFound = { ResourceNotFoundException: 'list the services with `nucleon services list`' };

async function listInstances(
  client: ProtonClient,
  serviceName?: string,
): Promise<ServiceInstanceSummary[]> {
  return listAll(async (nextToken) => {
    const o = await client.call('ListServiceInstances', {
      ...(serviceName ? { serviceName } : {}),
      ...(nextToken ? { nextToken } : {}),
    });
    return { items: o.serviceInstances, nextToken: o.nextToken };
  });
}

/** Instances with whether each is behind its template's recommended version. */
async function instanceRows(client: ProtonClient, instances: ServiceInstanceSummary[]) {
  const refs = refsCache(client, 'svc');
  return Promise.all(
    instances.map(async (i) => ({
      ...i,
      ...behindness(
        await refs(i.templateName),
        Number(i.templateMajorVersion),
        Number(i.templateMinorVersion),
      ),
    })),
  );
}

function printInstances(
  rows: Awaited<ReturnType<typeof instanceRows>>,
  withService: boolean,
): void {
  printTable(
    rows.map((i) => ({
      service: i.serviceName,
      instance: i.name,
      environment: i.environmentName,
      version: versionLabel(i.templateName, i.templateMajorVersion, i.templateMinorVersion),
      recommended: i.recommended,
      behind: i.behind,
      status: i.deploymentStatus,
    })),
    [
      ...(withService ? ['service'] : []),
      'instance',
      'environment',
      'version',
      'recommended',
      'behind',
      'status',
    ],
  );
}

/** The deployments a service operation started: its instances' (and pipeline's) last attempts. */
async function serviceDeploymentIds(
  client: ProtonClient,
  name: string,
  before: Set<string>,
): Promise<string[]> {
  const deployments = (await client.call('ListDeployments', { serviceName: name })).deployments;
  return deployments.filter((d) => !before.has(d.id)).map((d) => d.id);
}

async function deploymentIdsOf(client: ProtonClient, name: string): Promise<Set<string>> {
  return new Set(
    (await orUndefined(client.call('ListDeployments', { serviceName: name })))?.deployments.map(
      (d) => d.id,
    ) ?? [],
  );
}

async function showService(
  client: ProtonClient,
  name: string,
  flags: CatalogFlags,
  heading?: string,
): Promise<void> {
  const svc = (await client.call('GetService', { name })).service;
  if (!svc)
    throw new CliError(
      `no service named ${name}.`,
      'list the services with `nucleon services list`.',
    );
  const rows = await instanceRows(client, await listInstances(client, name));
  if (flags.output === 'json') return printJson({ service: svc, instances: rows });
  process.stdout.write(
    [
      heading ?? `service ${svc.name}`,
      `  status    ${svc.status}${svc.statusMessage ? ` — ${svc.statusMessage}` : ''}`,
      `  template  ${svc.templateName}`,
      `  pipeline  ${svc.pipeline ? `${svc.pipeline.deploymentStatus} on ${svc.pipeline.templateMajorVersion}.${svc.pipeline.templateMinorVersion}` : 'none'}`,
      `  created   ${formatTime(svc.createdAt)}`,
      ...(svc.description ? [`  description ${svc.description}`] : []),
      '',
    ].join('\n') + '\n',
  );
  if (rows.length) printInstances(rows, false);
  else process.stdout.write('no instances\n');
}

export function registerServicesCommands(program: Command, setExit: SetExit): void {
  const services = program
    .command('services')
    .description(
      'services and their instances: list, show, create and delete, with a live view of their deployments (--wait)',
    );

  withConnection(services.command('list', { isDefault: true }))
    .description('list services with their template, status and number of instances')
    .action(
      action(setExit, {}, async (client, flags: CatalogFlags) => {
        const all = await listAll(async (nextToken) => {
          const o = await client.call('ListServices', nextToken ? { nextToken } : {});
          return { items: o.services, nextToken: o.nextToken };
        });
        const instances = await listInstances(client);
        const rows = all.map((s) => ({
          ...s,
          instances: instances.filter((i) => i.serviceName === s.name).length,
        }));
        if (flags.output === 'json') return printJson(rows);
        if (rows.length === 0) {
          process.stdout.write(
            'no services yet. Create one with: nucleon services create <name> --template <service-template> --spec service.yaml --wait\n',
          );
          return;
        }
        printTable(
          rows.map((s) => ({
            name: s.name,
            template: s.templateName,
            status: s.status,
            instances: s.instances,
            created: formatTime(s.createdAt),
          })),
          ['name', 'template', 'status', 'instances', 'created'],
        );
      }),
    );

  withConnection(services.command('show <name>'))
    .description("a service's status, pipeline and instances")
    .action(
      action(setExit, svcNotFound, (client, name: string, flags: CatalogFlags) =>
        showService(client, name, flags),
      ),
    );

  withConnection(services.command('create <name>'))
    .description('create a service and its instances from a service spec')
    .requiredOption('--template <template>', 'service template name')
    .option('--major <n>', "template major version (default: the template's recommended one)")
    .requiredOption(
      '--spec <file>',
      'service spec: `proton: ServiceSpec` with `instances:` (name, environment, spec) (- for stdin)',
    )
    .option('--description <text>', 'description')
    .option(
      '--repository <id>',
      'templates with a pipeline: the repository it builds from (repositoryId, e.g. my-org/my-app)',
    )
    .option('--branch <branch>', 'templates with a pipeline: the branch it builds from')
    .option('--connection-arn <arn>', 'templates with a pipeline: the repository connection ARN')
    .option('--wait', "show the instances' (and pipeline's) deployments live; exit 1 if one fails")
    .addHelpText(
      'after',
      '\nExample service.yaml:\n  proton: ServiceSpec\n  instances:\n    - name: web-dev\n      environment: dev\n      spec:\n        port: 8080\n\n  nucleon services create web --template my-svc --spec service.yaml --wait',
    )
    .action(
      action(
        setExit,
        (name: string) => ({
          ValidationException:
            'check the spec against the template inputs (`nucleon templates show <template>`) and that its environments exist (`nucleon envs list`); a template with a pipeline also needs --repository and --branch',
          ConflictException: `a service named ${name} exists: see it with \`nucleon services show ${name}\``,
        }),
        async (
          client,
          name: string,
          flags: WaitFlags & {
            template: string;
            major?: string;
            spec: string;
            description?: string;
            repository?: string;
            branch?: string;
            connectionArn?: string;
          },
        ) => {
          const template = await orUndefined(
            client.call('GetServiceTemplate', { name: flags.template }),
          );
          if (!template)
            throw new CliError(
              `no service template named ${flags.template}.`,
              'list the templates with `nucleon templates list`.',
            );
          const major =
            parseMajor(flags.major) ??
            recommended(await versionRefs(client, 'svc', flags.template))?.major;
          if (major === undefined)
            throw new CliError(
              `${flags.template} has no published version yet.`,
              `publish one with \`nucleon templates publish ${flags.template} <major.minor>\`.`,
            );
          const spec = readSpecFile(flags.spec);
          const before = await deploymentIdsOf(client, name);
          const svc = (
            await client.call('CreateService', {
              name,
              templateName: flags.template,
              templateMajorVersion: String(major),
              spec,
              ...(flags.description ? { description: flags.description } : {}),
              ...(flags.repository ? { repositoryId: flags.repository } : {}),
              ...(flags.branch ? { branchName: flags.branch } : {}),
              ...(flags.connectionArn ? { repositoryConnectionArn: flags.connectionArn } : {}),
            })
          ).service;
          const ids = await serviceDeploymentIds(client, name, before);
          if (!flags.wait) {
            if (flags.output === 'json') return printJson({ service: svc, deploymentIds: ids });
            process.stdout.write(
              `creating service ${name} (${ids.length} deployment${ids.length === 1 ? '' : 's'}). Follow with: nucleon deployments list --service ${name}; nucleon services show ${name}\n`,
            );
            return;
          }
          if (ids.length) await watchOrFail(client, ids, flags);
          await showService(client, name, flags, `service ${name} created`);
        },
      ),
    );

  withConnection(services.command('delete <name>'))
    .description('delete a service, its instances and its pipeline')
    .option('-y, --yes', 'do not ask for confirmation (needed when not on a terminal)')
    .option('--wait', 'show the deletions live; exit 1 if one fails')
    .action(
      action(
        setExit,
        svcNotFound,
        async (client, name: string, flags: WaitFlags & { yes?: boolean }) => {
          await client.call('GetService', { name });
          await confirmDelete(`service ${name} and its instances`, flags.yes);
          const before = await deploymentIdsOf(client, name);
          await client.call('DeleteService', { name });
          const ids = await serviceDeploymentIds(client, name, before);
          if (!flags.wait) {
            if (flags.output === 'json') return printJson({ deleting: name, deploymentIds: ids });
            process.stdout.write(
              `deleting service ${name}. Follow with: nucleon deployments list --service ${name}\n`,
            );
            return;
          }
          if (ids.length) await watchOrFail(client, ids, flags);
          for (let i = 0; i < 40 && (await orUndefined(client.call('GetService', { name }))); i++)
            await sleep(500);
          if (flags.output === 'json') return printJson({ deleted: name });
          process.stdout.write(`deleted service ${name}\n`);
        },
      ),
    );

  const instances = program
    .command('instances')
    .description(
      'service instances: which template version each runs, whether it is behind, and updating them',
    );

  withConnection(instances.command('list', { isDefault: true }))
    .description(
      'list service instances with their deployed version and whether they are behind the recommended version',
    )
    .option('--service <service>', 'only the instances of this service')
    .option('--env <environment>', 'only the instances in this environment')
    .action(
      action(
        setExit,
        svcNotFound,
        async (client, flags: CatalogFlags & { service?: string; env?: string }) => {
          if (flags.service) await client.call('GetService', { name: flags.service });
          const rows = (
            await instanceRows(client, await listInstances(client, flags.service))
          ).filter((i) => !flags.env || i.environmentName === flags.env);
          if (flags.output === 'json') return printJson(rows);
          if (rows.length === 0) {
            process.stdout.write(
              'no service instances. Create a service with: nucleon services create <name> --template <t> --spec service.yaml --wait\n',
            );
            return;
          }
          printInstances(rows, true);
        },
      ),
    );

  withConnection(instances.command('update <service> <instance>'))
    .description(
      'redeploy a service instance with changed inputs, or move it to a newer template version',
    )
    .option('--set <key=value>', 'change one input, keeping the others (repeatable)', collect)
    .option(
      '--spec <file>',
      'a service spec whose entry for this instance replaces its inputs (- for stdin)',
    )
    .option('--minor [n]', "move to the major's recommended minor version (or to minor n)")
    .option('--major [n]', 'move to the recommended major version (or to major n)')
    .option('--wait', 'show the deployment live; exit 1 if it fails')
    .addHelpText(
      'after',
      '\nExamples:\n  nucleon instances update web web-dev --set message=hello --wait\n  nucleon instances update web web-dev --minor --wait',
    )
    .action(
      action(
        setExit,
        (service: string) => ({
          ResourceNotFoundException: `list the instances with \`nucleon instances list --service ${service}\``,
          ValidationException:
            "see the template's versions and inputs with `nucleon templates show <template>`",
          ConflictException: `a deployment is running: see \`nucleon deployments list --service ${service}\``,
        }),
        async (
          client,
          service: string,
          name: string,
          flags: WaitFlags & {
            set?: string[];
            spec?: string;
            minor?: string | boolean;
            major?: string | boolean;
          },
        ) => {
          const inst = (await client.call('GetServiceInstance', { serviceName: service, name }))
            .serviceInstance;
          const refs = await versionRefs(client, 'svc', inst.templateName);
          const target = updateTarget(
            refs,
            { major: Number(inst.templateMajorVersion), minor: Number(inst.templateMinorVersion) },
            flags,
          );
          const { props, where } = await versionInputs(
            client,
            'svc',
            inst.templateName,
            target.major,
            target.minor,
          );
          const spec = instanceSpec(
            flags.spec ? readSpecFile(flags.spec) : inst.spec,
            { name, environmentName: inst.environmentName },
            flags.set ?? [],
            props,
            where,
          );
          const { major: _m, minor: _n, ...input } = target;
          const updated = (
            await client.call('UpdateServiceInstance', {
              serviceName: service,
              name,
              spec,
              ...input,
            })
          ).serviceInstance;
          if (!flags.wait) {
            if (flags.output === 'json') return printJson({ serviceInstance: updated });
            process.stdout.write(
              `updating ${service}/${name} (deployment ${updated.lastAttemptedDeploymentId}). Follow it with: nucleon deployments watch ${updated.lastAttemptedDeploymentId}\n`,
            );
            return;
          }
          const [details] = await watchOrFail(client, [updated.lastAttemptedDeploymentId!], flags);
          const now = (await client.call('GetServiceInstance', { serviceName: service, name }))
            .serviceInstance;
          if (flags.output === 'json')
            return printJson({ serviceInstance: now, outputs: details?.outputs ?? [] });
          process.stdout.write(
            [
              `instance ${service}/${name} updated: ${now.deploymentStatus} on ${versionLabel(now.templateName, now.templateMajorVersion, now.templateMinorVersion)}`,
              ...(details?.outputs?.length
                ? ['outputs', ...details.outputs.map((o) => `  ${o.key} = ${o.valueString}`)]
                : []),
            ].join('\n') + '\n',
          );
        },
      ),
    );
}
