import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Option, type Command } from 'commander';
import { extensionTargetPrefix, type ProtonClient } from '@nucleon/protocol';
import { unpackBundleArchive } from '@nucleon/templates';
import { printTable } from '../output.js';
import {
  CliError,
  action,
  formatTime,
  listAll,
  orUndefined,
  parseMajor,
  parseVersion,
  printJson,
  sleep,
  withConnection,
  type CatalogFlags,
  type SetExit,
} from './catalog-common.js';
import {
  listVersionSummaries,
  schemaInputs,
  versionLabel,
  type TemplateKind,
} from './catalog-spec.js';
import { packBundleParts } from './pack-bundle-parts.js';
import { parseCompatible, registerTarget } from './register-target.js';

const KIND_NAME: Record<TemplateKind, string> = {
  env: 'environment template',
  svc: 'service template',
};
const kindOption = () =>
  new Option(
    '--kind <kind>',
    'env or svc, when an environment and a service template share the name',
  ).choices(['env', 'svc']);

interface TemplateInfo {
  kind: TemplateKind;
  name: string;
  displayName?: string;
  description?: string;
  recommendedVersion?: string;
  pipelineProvisioning?: string;
  arn: string;
  createdAt: Date;
}

interface VersionInfo {
  templateName: string;
  majorVersion: string;
  minorVersion: string;
  status: string;
  statusMessage?: string;
  recommendedMinorVersion?: string;
  description?: string;
  createdAt: Date;
  schema?: string;
  compatibleEnvironmentTemplates?: Array<{ templateName: string; majorVersion: string }>;
}

export async function listTemplates(client: ProtonClient): Promise<TemplateInfo[]> {
  const envs = await listAll(async (nextToken) => {
    const o = await client.call('ListEnvironmentTemplates', nextToken ? { nextToken } : {});
    return { items: o.templates, nextToken: o.nextToken };
  });
  const svcs = await listAll(async (nextToken) => {
    const o = await client.call('ListServiceTemplates', nextToken ? { nextToken } : {});
    return { items: o.templates, nextToken: o.nextToken };
  });
  return [
    ...envs.map((t) => ({ kind: 'env' as const, ...t })),
    ...svcs.map((t) => ({ kind: 'svc' as const, ...t })),
  ];
}

async function getTemplate(
  client: ProtonClient,
  kind: TemplateKind,
  name: string,
): Promise<TemplateInfo | undefined> {
  if (kind === 'env') {
    const t = await orUndefined(client.call('GetEnvironmentTemplate', { name }));
    return t && { kind, ...t.environmentTemplate };
  }
  const t = await orUndefined(client.call('GetServiceTemplate', { name }));
  return t && { kind, ...t.serviceTemplate };
}

/** Finds a template by name; --kind settles a name used by both kinds. */
export async function findTemplate(
  client: ProtonClient,
  name: string,
  kind: TemplateKind | undefined,
): Promise<TemplateInfo> {
  const found = (
    await Promise.all(
      (kind ? [kind] : (['env', 'svc'] as const)).map((k) => getTemplate(client, k, name)),
    )
  ).filter((t): t is TemplateInfo => !!t);
  if (found.length === 0) {
    throw new CliError(
      `no ${kind ? KIND_NAME[kind] : 'template'} named ${name}.`,
      'list the templates with `nucleon templates list`, or register one with `nucleon templates register <name> <bundle-dir>`.',
    );
  }
  if (found.length > 1)
    throw new CliError(
      `both an environment template and a service template are named ${name}.`,
      'say which with --kind env or --kind svc.',
    );
  return found[0]!;
}

export async function getVersion(
  client: ProtonClient,
  kind: TemplateKind,
  templateName: string,
  majorVersion: string,
  minorVersion: string,
): Promise<VersionInfo> {
  if (kind === 'env')
    return (
      await client.call('GetEnvironmentTemplateVersion', {
        templateName,
        majorVersion,
        minorVersion,
      })
    ).environmentTemplateVersion;
  return (
    await client.call('GetServiceTemplateVersion', { templateName, majorVersion, minorVersion })
  ).serviceTemplateVersion;
}

async function publish(
  client: ProtonClient,
  kind: TemplateKind,
  templateName: string,
  majorVersion: string,
  minorVersion: string,
): Promise<VersionInfo> {
  const input = { templateName, majorVersion, minorVersion, status: 'PUBLISHED' as const };
  if (kind === 'env')
    return (await client.call('UpdateEnvironmentTemplateVersion', input))
      .environmentTemplateVersion;
  return (await client.call('UpdateServiceTemplateVersion', input)).serviceTemplateVersion;
}

/** Reads a bundle folder (packed) or archive, and tells an environment bundle from a service one. */
async function loadBundle(path: string): Promise<{
  data: Uint8Array;
  kind: TemplateKind | undefined;
  files: Map<string, Uint8Array>;
  leftOut: readonly string[];
}> {
  const info = await stat(path).catch(() => undefined);
  if (!info)
    throw new CliError(
      `no bundle at ${path}.`,
      'give a bundle folder (with schema/schema.yaml) or a .tar.gz of one.',
    );
  const packed = info.isDirectory()
    ? await packBundleParts(path)
    : { data: new Uint8Array(await readFile(path)), leftOut: [] };
  const data = packed.data;
  const files = await unpackBundleArchive(data);
  // Proton's template sync reads a service version's compatible environments beside the bundle.
  for (const name of ['.template-registration.yaml', '.compatible-envs']) {
    const text = info.isDirectory()
      ? await readFile(join(path, name)).catch(() => undefined)
      : undefined;
    if (text) files.set(name, new Uint8Array(text));
  }
  const paths = [...files.keys()];
  const kind = paths.some((p) => p.startsWith('infrastructure/'))
    ? 'env'
    : paths.some((p) => /^(instance|pipeline)_infrastructure\//.test(p))
      ? 'svc'
      : undefined;
  return { data, kind, files, leftOut: packed.leftOut };
}

interface RegisterFlags extends CatalogFlags {
  kind?: TemplateKind;
  major?: string;
  newMajor?: boolean;
  compatible?: string[];
  publish?: boolean;
  wait?: boolean;
  pipeline: boolean;
  description?: string;
  timeout: string;
}

async function register(
  client: ProtonClient,
  name: string,
  path: string,
  flags: RegisterFlags,
): Promise<number> {
  const json = flags.output === 'json';
  const say = (line: string) => (json ? process.stderr : process.stdout).write(line + '\n');
  const compatible = (flags.compatible ?? []).map((c) => parseCompatible(c, '--compatible'));
  const bundle = await loadBundle(path);
  const found = (
    await Promise.all(
      (flags.kind ? [flags.kind] : (['env', 'svc'] as const)).map((k) =>
        getTemplate(client, k, name),
      ),
    )
  ).filter((t): t is TemplateInfo => !!t);
  const kind: TemplateKind | undefined =
    flags.kind ??
    (found.length === 1 ? found[0]!.kind : undefined) ??
    (compatible.length ? 'svc' : bundle.kind);
  const existing = found.find((t) => t.kind === kind);
  if (!kind)
    throw new CliError(
      `cannot tell whether ${path} is an environment or a service bundle.`,
      'say which with --kind env or --kind svc.',
    );
  if (bundle.kind && bundle.kind !== kind) {
    throw new CliError(
      `${path} is ${bundle.kind === 'env' ? 'an environment' : 'a service'} bundle, but ${name} is ${kind === 'env' ? 'an environment' : 'a service'} template.`,
      'check the bundle path and --kind.',
    );
  }
  const target = await registerTarget(
    client,
    kind,
    name,
    { major: parseMajor(flags.major), newMajor: flags.newMajor, compatible },
    bundle.files,
    !!existing,
  );
  const major = target.major;
  if (!existing) {
    if (kind === 'env')
      await client.call('CreateEnvironmentTemplate', {
        name,
        ...(flags.description ? { description: flags.description } : {}),
      });
    else
      await client.call('CreateServiceTemplate', {
        name,
        ...(flags.description ? { description: flags.description } : {}),
        ...(flags.pipeline ? {} : { pipelineProvisioning: 'CUSTOMER_MANAGED' as const }),
      });
    say(`created ${KIND_NAME[kind]} ${name}`);
  }
  const sha = createHash('sha256').update(bundle.data).digest('hex');
  const key = `${
    basename(path)
      .replace(/\.(tar\.gz|tgz)$/, '')
      .replace(/[^A-Za-z0-9._-]/g, '-') || 'bundle'
  }-${sha.slice(0, 12)}.tar.gz`;
  const pushed = (await client.send(`${extensionTargetPrefix}.PutBundle`, {
    key,
    content: Buffer.from(bundle.data).toString('base64'),
  })) as { s3: { bucket: string; key: string }; size: number };
  say(`pushed the bundle (${pushed.size} bytes) to s3://${pushed.s3.bucket}/${pushed.s3.key}`);
  if (bundle.leftOut.length)
    say(`left out what is not part of a bundle: ${bundle.leftOut.join(', ')}`);
  const source = { s3: pushed.s3 };
  let version: VersionInfo =
    kind === 'env'
      ? (
          await client.call('CreateEnvironmentTemplateVersion', {
            templateName: name,
            source,
            ...(major ? { majorVersion: major } : {}),
          })
        ).environmentTemplateVersion
      : (
          await client.call('CreateServiceTemplateVersion', {
            templateName: name,
            source,
            compatibleEnvironmentTemplates: target.compatible,
            ...(major ? { majorVersion: major } : {}),
          })
        ).serviceTemplateVersion;
  const label = versionLabel(name, version.majorVersion, version.minorVersion);
  say(
    `created version ${label} (${version.status})${
      target.compatibleFrom
        ? `, compatible with ${target.compatible.map((c) => `${c.templateName}:${c.majorVersion}`).join(', ')} (from ${target.compatibleFrom})`
        : ''
    }`,
  );
  if (flags.wait || flags.publish) {
    const deadline = Date.now() + Number(flags.timeout) * 1000;
    while (version.status === 'REGISTRATION_IN_PROGRESS') {
      if (Date.now() > deadline)
        throw new CliError(
          `${label} is still registering after ${flags.timeout}s.`,
          `check later with: nucleon templates show ${name}`,
        );
      await sleep(500);
      version = await getVersion(client, kind, name, version.majorVersion, version.minorVersion);
    }
    if (version.status === 'REGISTRATION_FAILED') {
      if (json) printJson(version);
      throw new CliError(
        `registration of ${label} failed: ${version.statusMessage ?? '(no message)'}`,
        `fix the bundle (nucleon template lint ${path} finds most problems) and register it again.`,
      );
    }
    say(`registered ${label} (${version.status})`);
    if (flags.publish) {
      version = await publish(client, kind, name, version.majorVersion, version.minorVersion);
      say(
        `published ${label}; new ${kind === 'env' ? 'environments' : 'services'} get it by default`,
      );
    }
  } else {
    say(`registration runs in the background; check it with: nucleon templates show ${name}`);
  }
  if (json) printJson({ kind, ...version });
  return 0;
}

export function registerTemplatesCommands(program: Command, setExit: SetExit): void {
  const templates = program
    .command('templates')
    .description(
      'the template catalog: environment and service templates, their versions, registering and publishing',
    );
  const notFound = {
    ResourceNotFoundException: 'list the templates with `nucleon templates list`',
  };

  withConnection(templates.command('list', { isDefault: true }))
    .description('list environment and service templates with their recommended version')
    .action(
      action(setExit, notFound, async (client, flags: CatalogFlags) => {
        const all = await listTemplates(client);
        if (flags.output === 'json') return printJson(all);
        if (all.length === 0) {
          process.stdout.write(
            'no templates yet. Register one with: nucleon templates register <name> <bundle-dir> --publish --wait\n',
          );
          return;
        }
        printTable(
          all.map((t) => ({
            name: t.name,
            kind: t.kind,
            recommended: t.recommendedVersion ?? '(none published)',
            pipeline:
              t.kind === 'svc'
                ? t.pipelineProvisioning === 'CUSTOMER_MANAGED'
                  ? 'no'
                  : 'yes'
                : '',
            description: t.description ?? t.displayName ?? '',
          })),
          ['name', 'kind', 'recommended', 'pipeline', 'description'],
        );
      }),
    );

  withConnection(templates.command('show <name>'))
    .description(
      "a template's versions with their status, and the inputs of its recommended version",
    )
    .addOption(kindOption())
    .action(
      action(
        setExit,
        notFound,
        async (client, name: string, flags: CatalogFlags & { kind?: TemplateKind }) => {
          const t = await findTemplate(client, name, flags.kind);
          const versions = await listVersionSummaries(client, t.kind, name);
          const detailed = await Promise.all(
            versions.map((v) => getVersion(client, t.kind, name, v.majorVersion, v.minorVersion)),
          );
          if (flags.output === 'json') return printJson({ template: t, versions: detailed });
          process.stdout.write(
            [
              `${KIND_NAME[t.kind]} ${t.name}${t.displayName ? ` (${t.displayName})` : ''}`,
              ...(t.description ? [`  description  ${t.description}`] : []),
              `  recommended  ${t.recommendedVersion ?? '(none published: nucleon templates publish ' + name + ' <major.minor>)'}`,
              ...(t.kind === 'svc'
                ? [
                    `  pipeline     ${t.pipelineProvisioning === 'CUSTOMER_MANAGED' ? 'none (customer managed)' : 'provisioned by Nucleon'}`,
                  ]
                : []),
              `  created      ${formatTime(t.createdAt)}`,
              '',
            ].join('\n') + '\n',
          );
          if (detailed.length === 0)
            process.stdout.write(
              `no versions yet. Register one with: nucleon templates register ${name} <bundle-dir>\n`,
            );
          else
            printTable(
              detailed.map((v) => ({
                version: `${v.majorVersion}.${v.minorVersion}`,
                status: v.status,
                recommended:
                  `${v.majorVersion}.${v.minorVersion}` === t.recommendedVersion ? '*' : '',
                ...(t.kind === 'svc'
                  ? {
                      compatible: (v.compatibleEnvironmentTemplates ?? [])
                        .map((c) => `${c.templateName}:${c.majorVersion}`)
                        .join(' '),
                    }
                  : {}),
                created: formatTime(v.createdAt),
                message: v.statusMessage ?? '',
              })),
              [
                'version',
                'status',
                'recommended',
                ...(t.kind === 'svc' ? ['compatible'] : []),
                'created',
                'message',
              ],
            );
          const shown =
            detailed.find((v) => `${v.majorVersion}.${v.minorVersion}` === t.recommendedVersion) ??
            detailed.filter((v) => v.schema).at(-1);
          const inputs = schemaInputs(shown?.schema, t.kind === 'env' ? 'environment' : 'service');
          if (shown && inputs && Object.keys(inputs).length) {
            process.stdout.write(
              `\ninputs of ${shown.majorVersion}.${shown.minorVersion} (set them with --set key=value)\n`,
            );
            printTable(
              Object.entries(inputs).map(([input, p]) => ({
                input,
                type: p.type ?? '',
                default:
                  p.default === undefined
                    ? p.required
                      ? '(required)'
                      : ''
                    : typeof p.default === 'string'
                      ? p.default
                      : JSON.stringify(p.default),
                description: p.description ?? '',
              })),
              ['input', 'type', 'default', 'description'],
            );
          }
        },
      ),
    );

  withConnection(templates.command('publish <name> <version>'))
    .description(
      'publish a registered (DRAFT) version, e.g. `nucleon templates publish my-env 1.0`; the highest published version is the recommended one',
    )
    .addOption(kindOption())
    .action(
      action(
        setExit,
        (name: string) => ({
          ResourceNotFoundException: `see the versions with \`nucleon templates show ${name}\``,
        }),
        async (
          client,
          name: string,
          text: string,
          flags: CatalogFlags & { kind?: TemplateKind },
        ) => {
          const { major, minor } = parseVersion(text);
          const t = await findTemplate(client, name, flags.kind);
          const current = await getVersion(client, t.kind, name, major, minor);
          const label = versionLabel(name, major, minor);
          if (current.status === 'REGISTRATION_IN_PROGRESS')
            throw new CliError(
              `${label} is still registering.`,
              `wait for it (nucleon templates show ${name}), or register with --publish --wait next time.`,
            );
          if (current.status === 'REGISTRATION_FAILED')
            throw new CliError(
              `${label} failed registration, so it cannot be published: ${current.statusMessage ?? ''}`,
              `fix the bundle and register it again: nucleon templates register ${name} <bundle-dir> --major ${major} --publish --wait`,
            );
          const v = await publish(client, t.kind, name, major, minor);
          if (flags.output === 'json') return printJson({ kind: t.kind, ...v });
          process.stdout.write(`published ${versionLabel(name, major, minor)} (${v.status})\n`);
        },
      ),
    );

  withConnection(templates.command('register <name> <bundle>'))
    .description(
      'register a bundle folder or .tar.gz as a new version of a template, creating the template if needed',
    )
    .addOption(
      new Option(
        '--kind <kind>',
        "env or svc (default: the existing template's kind, else guessed from the bundle)",
      ).choices(['env', 'svc']),
    )
    .option(
      '--major <n>',
      "add a minor version to this major (default: the template's newest registered major)",
    )
    .option('--new-major', 'register a new major version (the first version is always 1.0)')
    .option(
      '--compatible <env-template:major>',
      "service templates: an environment template major it runs on (repeatable; default: the bundle's .template-registration.yaml, else the previous minor's)",
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option(
      '--no-pipeline',
      'service templates: create the template without a pipeline (pipelineProvisioning CUSTOMER_MANAGED)',
    )
    .option('--description <text>', 'description of a newly created template')
    .option('--wait', 'wait for the registration; exit 1 with its message if it fails')
    .option('--publish', 'publish the version once registered (implies --wait)')
    .option('--timeout <seconds>', 'how long --wait waits', '300')
    .addHelpText(
      'after',
      "\nA template without versions gets 1.0; after that each register adds a minor to the newest major\n(like Proton's console), unless --major or --new-major says otherwise.\n\nExamples:\n  nucleon templates register my-env ./my-env-bundle --publish --wait    # 1.0, then 1.1, 1.2, ...\n  nucleon templates register my-svc ./svc.tar.gz --kind svc --no-pipeline --compatible my-env:1 --publish --wait\n  nucleon templates register my-env ./my-env-bundle --new-major --wait  # a new major, e.g. 2.0",
    )
    .action(
      action(
        setExit,
        { ValidationException: 'check the bundle with `nucleon template lint <bundle-dir>`' },
        (client, name: string, path: string, flags: RegisterFlags) =>
          register(client, name, path, flags),
      ),
    );
}
