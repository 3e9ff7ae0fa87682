import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import {
  ProtonApiError,
  extensionTargetPrefix,
  type NucleonImportResult,
  type ProtonImportRequest,
} from '@nucleon/protocol';
import { resolveConnection, type ConnectionFlags } from '../connection.js';
import { printTable } from '../output.js';
import {
  AwsScopes,
  Checkouts,
  discoverRepository,
  discoverStacks,
  readFolderFiles,
  scopesOf,
  sortStacks,
  stackTemplate,
  starterFolderSpecs,
  starterSpecs,
  type DiscoveredFolder,
  type DiscoveredStack,
  type ImportSpecFile,
  type ProvisioningRepository,
} from '@nucleon/server/proton-estate';
import { fetchInputTypes } from './import-proton-infer.js';
import { readSpecFiles, writeSpecFiles } from './import-proton-specs.js';

interface ImportFlags extends Omit<ConnectionFlags, 'region'> {
  output?: string;
  /** Every --region given (the first also signs the requests to Nucleon). */
  region?: string[];
  roleArn?: string[];
  repository?: string;
  repositoryUrl?: string;
  specs?: string;
  acceptDifferences?: boolean;
  adopt?: boolean;
}

/** One resource's outcome, as printed. */
interface ResourceReport {
  file: string;
  resource: string;
  results: NucleonImportResult[];
  adopted?: boolean;
  /** Set when Nucleon could not match the resource at all. */
  unmatched?: string;
}

const DEFAULT_SPECS = 'proton-import';

const collect = (value: string, previous: string[]) => [...previous, value];

/** The Nucleon connection: signed for the first --region. */
const connection = (flags: ImportFlags) =>
  resolveConnection({
    ...flags,
    ...(flags.region?.[0] ? { region: flags.region[0] } : { region: undefined }),
  });

function options(cmd: Command, adopt: boolean): Command {
  cmd
    .option(
      '--region <region>',
      'AWS region of the stacks (AWS_REGION); repeat for several; the first is also the signing region for Nucleon',
      collect,
      [],
    )
    .option(
      '--role-arn <arn>',
      "discover: a role to assume (STS AssumeRole) to read another account's stacks; repeat for several accounts",
      collect,
      [],
    )
    .option('--specs <dir>', `folder of the per-resource spec files (default ./${DEFAULT_SPECS})`)
    .option(
      '--repository <provider:name[@branch]>',
      'discover: also the self-managed Terraform in this provisioning repository, named as Proton had it and as linked in Nucleon (e.g. GITHUB:acme/infra@main)',
    )
    .option(
      '--repository-url <url>',
      'discover: where to read --repository from (a git URL or path; read-only clone)',
    )
    .option(
      '--endpoint-url <url>',
      'Nucleon endpoint (AWS_ENDPOINT_URL_PROTON, AWS_ENDPOINT_URL; default http://127.0.0.1:8080)',
    )
    .option('--profile <name>', "Nucleon credentials profile (AWS's own chain reads AWS_PROFILE)")
    .option('-o, --output <format>', 'table (default) or json');
  if (adopt)
    cmd.option(
      '--accept-differences',
      'adopt resources whose stack template differs from the rendered one (shown as drifted)',
    );
  return cmd;
}

function printInventory(
  stacks: readonly DiscoveredStack[],
  folders: readonly DiscoveredFolder[],
  repo: ProvisioningRepository | undefined,
): void {
  const template = (
    s: Pick<DiscoveredStack, 'templateName' | 'templateMajorVersion' | 'templateMinorVersion'>,
  ) =>
    s.templateName
      ? `${s.templateName}${s.templateMajorVersion ? `:${s.templateMajorVersion}${s.templateMinorVersion ? `.${s.templateMinorVersion}` : ''}` : ''}`
      : '';
  const resource = (s: { kind: string; name: string; serviceName?: string }) =>
    s.serviceName && s.kind !== 'COMPONENT' ? `${s.serviceName}/${s.name}` : s.name;
  printTable(
    [
      ...stacks.map((s) => ({
        kind: s.kind,
        resource: resource(s),
        environment: s.environmentName ?? '',
        template: template(s),
        stack: s.stackName,
        where: `${s.account}/${s.region}`,
        status: s.status,
      })),
      ...folders.map((f) => ({
        kind: f.kind,
        resource: resource(f),
        environment: f.environmentName ?? '',
        template: template(f),
        stack: `${repo?.name ?? ''}@${repo?.branch ?? ''}:${f.folder}/`,
        where: 'repository',
        status: 'SELF_MANAGED',
      })),
    ],
    ['kind', 'resource', 'environment', 'template', 'stack', 'where', 'status'],
  );
}

async function discover(
  flags: ImportFlags,
  quiet = false,
): Promise<{ stacks: DiscoveredStack[]; specs: string; files: ImportSpecFile[] }> {
  const scopes = new AwsScopes();
  try {
    const { folders, repo } = await discoverRepository(flags.repository, flags.repositoryUrl);
    const found: DiscoveredStack[] = [];
    for (const scope of scopesOf(flags.region ?? [], flags.roleArn ?? []))
      found.push(...(await discoverStacks(await scopes.cloudFormation(scope), scope.roleArn)));
    const stacks = sortStacks(found);
    const { types, notes } = await fetchInputTypes(connection(flags).client, [
      ...stacks,
      ...folders,
    ]);
    const files = [
      ...starterSpecs(stacks, types),
      ...(repo ? starterFolderSpecs(folders, repo, types) : []),
    ];
    const specs = flags.specs ?? DEFAULT_SPECS;
    const written = await writeSpecFiles(specs, files);
    if (!quiet) {
      if (flags.output === 'json') {
        process.stdout.write(
          JSON.stringify(
            {
              stacks: stacks.map(({ template: _template, ...s }) => s),
              folders,
              specs,
              written: written.written,
              kept: written.kept,
              notes,
            },
            null,
            2,
          ) + '\n',
        );
      } else {
        printInventory(stacks, folders, repo);
        process.stdout.write(
          `\n${stacks.length} stack(s) tagged by Proton` +
            (repo ? `, ${folders.length} folder(s) in ${repo.name}@${repo.branch}` : '') +
            `. Spec files in ${specs}: ${written.written.length} written` +
            (written.kept.length ? `, ${written.kept.length} kept (exist already)` : '') +
            '.\nComplete their "spec" with the inputs Proton deployed each resource with, register the template versions, then run `nucleon import proton match`.\n',
        );
        for (const note of notes) process.stdout.write(`Note: ${note}.\n`);
      }
    }
    return { stacks, specs, files };
  } finally {
    scopes.destroy();
  }
}

/** The request for one spec file, with each stack's template and outputs (or folder's files) read now. */
async function requestOf(
  scopes: AwsScopes,
  spec: ImportSpecFile,
  checkouts: Checkouts,
): Promise<ProtonImportRequest> {
  const stacks = [];
  for (const s of spec.stacks ?? []) {
    const cfn = await scopes.cloudFormation({ region: s.region, roleArn: s.discoveryRoleArn });
    const described = (await cfn.describeStacks({ StackName: s.stackId })).Stacks?.[0];
    stacks.push({
      target: s.target,
      stackName: s.stackName,
      stackId: s.stackId,
      template: await stackTemplate(cfn, s.stackId),
      outputs: (described?.Outputs ?? []).map((o) => ({
        key: o.OutputKey ?? '',
        value: o.OutputValue ?? '',
      })),
    });
  }
  const folders = [];
  if (spec.folders?.length) {
    if (!spec.repositoryUrl || !spec.provisioningRepository?.branch)
      throw new Error(
        `${spec.name}: a spec file with folders needs repositoryUrl and provisioningRepository.branch`,
      );
    const dir = await checkouts.dir(spec.repositoryUrl, spec.provisioningRepository.branch);
    for (const f of spec.folders)
      folders.push({
        target: f.target,
        folder: f.folder,
        files: await readFolderFiles(dir, f.folder),
        outputs: Object.entries(f.outputs ?? {}).map(([key, value]) => ({
          key,
          value: String(value),
        })),
      });
  }
  // Empty or missing fields are left out (a starter file has empty repository fields).
  const given = (k: keyof ImportSpecFile) => {
    const v = spec[k] as unknown;
    return typeof v === 'string' || typeof v === 'number'
      ? v === ''
        ? {}
        : { [k]: String(v) }
      : {};
  };
  return {
    kind: spec.kind,
    name: spec.name,
    ...given('templateName'),
    ...given('templateMajorVersion'),
    ...given('templateMinorVersion'),
    ...given('spec'),
    ...given('protonServiceRoleArn'),
    ...given('componentRoleArn'),
    ...given('repositoryConnectionArn'),
    ...given('repositoryId'),
    ...given('branchName'),
    ...given('environmentName'),
    ...given('serviceName'),
    ...given('serviceInstanceName'),
    ...given('manifest'),
    ...given('templateFile'),
    // An environment's repository; a service's says where its pipeline folder was committed.
    ...(spec.kind !== 'COMPONENT' && spec.provisioningRepository
      ? { provisioningRepository: spec.provisioningRepository }
      : {}),
    stacks,
    ...(folders.length ? { folders } : {}),
  };
}

/** Match (`adopt` false) or adopt every resource of the spec folder, environments first. */
async function run(flags: ImportFlags, adopt: boolean, specs: string): Promise<ResourceReport[]> {
  const { client } = connection(flags);
  const scopes = new AwsScopes();
  const checkouts = new Checkouts();
  const reports: ResourceReport[] = [];
  try {
    for (const { file, spec } of await readSpecFiles(specs)) {
      const resource = `${spec.kind.toLowerCase()} ${spec.name}`;
      const request = await requestOf(scopes, spec, checkouts);
      try {
        const out = (await client.send(
          `${extensionTargetPrefix}.${adopt ? 'AdoptProtonResource' : 'MatchProtonResource'}`,
          adopt ? { ...request, acceptDifferences: flags.acceptDifferences === true } : request,
        )) as { results: NucleonImportResult[]; adopted?: boolean };
        reports.push({
          file,
          resource,
          results: out.results,
          ...(adopt ? { adopted: out.adopted === true } : {}),
        });
      } catch (error) {
        if (!(error instanceof ProtonApiError)) throw error;
        reports.push({ file, resource, results: [], unmatched: `${error.type}: ${error.message}` });
      }
    }
  } finally {
    scopes.destroy();
    await checkouts.close();
  }
  return reports;
}

function printReports(reports: readonly ResourceReport[], adopt: boolean, json: boolean): void {
  if (json) {
    process.stdout.write(JSON.stringify({ resources: reports }, null, 2) + '\n');
    return;
  }
  const rows = reports.flatMap((r) =>
    r.unmatched
      ? [{ resource: r.resource, target: '', stack: '', result: 'UNMATCHED', adopted: 'no' }]
      : r.results.map((x) => ({
          resource: r.resource,
          target: x.target,
          stack: x.stackName || (x.folder ? `${x.folder}/` : ''),
          result: x.match,
          adopted: x.adopted ? 'yes' : 'no',
        })),
  );
  printTable(
    rows,
    adopt
      ? ['resource', 'target', 'stack', 'result', 'adopted']
      : ['resource', 'target', 'stack', 'result'],
  );
  for (const r of reports) {
    if (r.unmatched) process.stdout.write(`\n${r.resource} (${r.file}): ${r.unmatched}\n`);
    for (const x of r.results) {
      if (x.diff)
        process.stdout.write(
          `\n${r.resource} ${x.target} (${x.stackName || `${x.folder ?? ''}/`}) differs:\n${x.diff}\n`,
        );
      if (adopt && x.message) process.stdout.write(`${r.resource} ${x.target}: ${x.message}\n`);
    }
  }
}

const allExact = (reports: readonly ResourceReport[]) =>
  reports.every((r) => !r.unmatched && r.results.every((x) => x.match === 'EXACT'));
const allAdopted = (reports: readonly ResourceReport[]) =>
  reports.every((r) => !r.unmatched && r.adopted);

/**
 * A subcommand's flags merged with `nucleon import proton`'s: the parent declares the same
 * options (for --adopt), and commander gives an option to the parent when both know it.
 */
const flagsOf = (cmd: Command): ImportFlags => cmd.optsWithGlobals<ImportFlags>();

/** `nucleon import proton discover|match|adopt` and `nucleon import proton --adopt` (ADR 0021). */
export function registerImportCommands(program: Command, setExit: (code: number) => void): void {
  const imports = program
    .command('import')
    .description('bring existing infrastructure under Nucleon');
  const proton = options(
    imports
      .command('proton')
      .description(
        'adopt what AWS Proton left behind, CloudFormation stacks and self-managed Terraform folders (environments, services with their instances and pipeline, components): discover, match, adopt (each can be re-run); with --adopt, all three for the resources that match exactly. Nothing is created, updated or deleted in CloudFormation, nothing is committed.',
      )
      .option('--adopt', 'discover, match and adopt the resources that match exactly, in one go'),
    false,
  ).action(async (flags: ImportFlags) => {
    if (!flags.adopt) {
      proton.help();
      return;
    }
    // Without --specs the starter specs live in a temporary folder, removed afterwards.
    const specs = flags.specs ?? (await mkdtemp(join(tmpdir(), 'nucleon-proton-import-')));
    try {
      await discover({ ...flags, specs }, true);
      const reports = await run({ ...flags, acceptDifferences: false }, true, specs);
      printReports(reports, true, flags.output === 'json');
      setExit(allAdopted(reports) ? 0 : 1);
    } finally {
      if (!flags.specs) await rm(specs, { recursive: true, force: true });
    }
  });

  options(proton.command('discover'), false)
    .description(
      'list the stacks carrying proton:* tags (read-only) and write a starter spec file per environment, service and component into --specs (existing files are kept); inputs a registered template exposes as stack parameters are filled in from the stacks',
    )
    .action(async (_: ImportFlags, cmd: Command) => {
      await discover(flagsOf(cmd));
      setExit(0);
    });

  options(proton.command('match'), false)
    .description(
      "render each spec file's registered template version with its spec on Nucleon and compare with the stack's current template: EXACT, DIFFERENT (with a diff) or UNMATCHED (read-only; exit 1 unless all are EXACT)",
    )
    .action(async (_: ImportFlags, cmd: Command) => {
      const flags = flagsOf(cmd);
      const reports = await run(flags, false, flags.specs ?? DEFAULT_SPECS);
      printReports(reports, false, flags.output === 'json');
      setExit(allExact(reports) ? 0 : 1);
    });

  options(proton.command('adopt'), true)
    .description(
      'create the Nucleon records bound to the existing stacks, with their outputs, for the resources that match (all with --accept-differences); re-running changes nothing (exit 1 unless all are adopted)',
    )
    .action(async (_: ImportFlags, cmd: Command) => {
      const flags = flagsOf(cmd);
      const reports = await run(flags, true, flags.specs ?? DEFAULT_SPECS);
      printReports(reports, true, flags.output === 'json');
      setExit(allAdopted(reports) ? 0 : 1);
    });
}
