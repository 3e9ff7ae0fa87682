import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CloudFormation, type Stack } from '@aws-sdk/client-cloudformation';
import { parse, stringify } from 'yaml';

/** The tags Proton put on every stack it provisioned (values are Proton ARNs). */
export const PROTON_TAGS = {
  account: 'proton:account',
  template: 'proton:template',
  environment: 'proton:environment',
  service: 'proton:service',
  instance: 'proton:service-instance',
  component: 'proton:component',
} as const;

export type DiscoveredKind = 'ENVIRONMENT' | 'SERVICE_INSTANCE' | 'SERVICE_PIPELINE' | 'COMPONENT';

/** One stack Proton left behind, classified by its tags. */
export interface DiscoveredStack {
  kind: DiscoveredKind;
  /** Environment, instance or component name; 'pipeline' for a pipeline. */
  name: string;
  serviceName?: string;
  environmentName?: string;
  resourceArn: string;
  templateKind?: 'ENVIRONMENT' | 'SERVICE';
  templateName?: string;
  templateMajorVersion?: string;
  templateMinorVersion?: string;
  stackName: string;
  stackId: string;
  status: string;
  parameters: Record<string, string>;
  outputs: Array<{ key: string; value: string }>;
  tags: Record<string, string>;
}

/** The resource name at the end of a Proton ARN's resource part, e.g. `service/a/service-instance/b`. */
function arnResource(arn: string | undefined): string[] {
  if (!arn) return [];
  const resource = arn.split(':').slice(5).join(':');
  return resource.split('/');
}

/** `…:environment-template/name[:major[.minor]]` → kind, name and version when the ARN has it. */
export function templateOfArn(
  arn: string | undefined,
): Pick<
  DiscoveredStack,
  'templateKind' | 'templateName' | 'templateMajorVersion' | 'templateMinorVersion'
> {
  const [type, rest] = arnResource(arn);
  if (!rest || (type !== 'environment-template' && type !== 'service-template')) return {};
  const [name, version] = rest.split(':');
  const [major, minor] = (version ?? '').split('.');
  return {
    templateKind: type === 'environment-template' ? 'ENVIRONMENT' : 'SERVICE',
    templateName: name!,
    ...(major ? { templateMajorVersion: major } : {}),
    ...(minor ? { templateMinorVersion: minor } : {}),
  };
}

/** Classifies a stack by its proton:* tags; undefined for a stack Proton did not tag. */
export function classifyStack(stack: Stack): DiscoveredStack | undefined {
  const tags = Object.fromEntries((stack.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
  if (!Object.keys(tags).some((k) => k.startsWith('proton:'))) return undefined;
  const base = {
    stackName: stack.StackName ?? '',
    stackId: stack.StackId ?? '',
    status: stack.StackStatus ?? '',
    parameters: Object.fromEntries(
      (stack.Parameters ?? []).map((p) => [p.ParameterKey ?? '', p.ParameterValue ?? '']),
    ),
    outputs: (stack.Outputs ?? []).map((o) => ({
      key: o.OutputKey ?? '',
      value: o.OutputValue ?? '',
    })),
    tags,
    ...templateOfArn(tags[PROTON_TAGS.template]),
  };
  const envName = arnResource(tags[PROTON_TAGS.environment])[1];
  const env = envName ? { environmentName: envName } : {};
  const componentArn = tags[PROTON_TAGS.component];
  const instanceArn = tags[PROTON_TAGS.instance];
  const serviceArn = tags[PROTON_TAGS.service];
  if (componentArn) {
    const arn = componentArn;
    return {
      ...base,
      ...env,
      kind: 'COMPONENT',
      name: arnResource(arn)[1] ?? '',
      resourceArn: arn,
    };
  }
  if (instanceArn) {
    const arn = instanceArn;
    const [, service, , instance] = arnResource(arn);
    return {
      ...base,
      ...env,
      kind: 'SERVICE_INSTANCE',
      name: instance ?? '',
      serviceName: service ?? '',
      resourceArn: arn,
    };
  }
  if (serviceArn) {
    const arn = serviceArn;
    return {
      ...base,
      kind: 'SERVICE_PIPELINE',
      name: 'pipeline',
      serviceName: arnResource(arn)[1] ?? '',
      resourceArn: arn,
    };
  }
  if (envName) {
    return {
      ...base,
      ...env,
      kind: 'ENVIRONMENT',
      name: envName,
      resourceArn: tags[PROTON_TAGS.environment]!,
    };
  }
  return undefined;
}

/**
 * A CloudFormation client through the SDK's standard chain: credentials from the environment,
 * AWS_PROFILE and the shared files; endpoint from AWS_ENDPOINT_URL_CLOUDFORMATION or AWS_ENDPOINT_URL.
 */
export function cloudFormationClient(region: string | undefined): CloudFormation {
  return new CloudFormation(region ? { region } : {});
}

/** Every live stack carrying proton:* tags in the client's region (read-only calls). */
export async function discoverStacks(cfn: CloudFormation): Promise<DiscoveredStack[]> {
  const found: DiscoveredStack[] = [];
  let token: string | undefined;
  do {
    const page = await cfn.describeStacks(token ? { NextToken: token } : {});
    for (const stack of page.Stacks ?? []) {
      if (stack.StackStatus === 'DELETE_COMPLETE') continue;
      const d = classifyStack(stack);
      if (d) found.push(d);
    }
    token = page.NextToken;
  } while (token);
  const order: DiscoveredKind[] = [
    'ENVIRONMENT',
    'SERVICE_INSTANCE',
    'SERVICE_PIPELINE',
    'COMPONENT',
  ];
  return found.sort(
    (a, b) =>
      order.indexOf(a.kind) - order.indexOf(b.kind) ||
      (a.serviceName ?? '').localeCompare(b.serviceName ?? '') ||
      a.name.localeCompare(b.name),
  );
}

/** A stack's current template body as CloudFormation returns it (the original text). */
export async function stackTemplate(cfn: CloudFormation, stackId: string): Promise<string> {
  const out = await cfn.getTemplate({ StackName: stackId, TemplateStage: 'Original' });
  return out.TemplateBody ?? '';
}

/** A starter spec file: what `match` and `adopt` send to Nucleon for one resource. */
export interface ImportSpecFile {
  kind: 'ENVIRONMENT' | 'SERVICE';
  name: string;
  templateName: string;
  templateMajorVersion: string;
  templateMinorVersion?: string;
  stacks: Array<{ target: string; stackName: string; stackId: string }>;
  /** The Proton spec (inputs) to render the template with; the user completes it. */
  spec: string;
  /** What discovery found but Nucleon does not adopt yet (pipelines). */
  notAdopted?: string[];
}

/** Groups discovered stacks into the environment and service spec files. */
export function starterSpecs(stacks: readonly DiscoveredStack[]): ImportSpecFile[] {
  const files: ImportSpecFile[] = [];
  for (const s of stacks.filter((x) => x.kind === 'ENVIRONMENT')) {
    files.push({
      kind: 'ENVIRONMENT',
      name: s.name,
      templateName: s.templateName ?? '',
      templateMajorVersion: s.templateMajorVersion ?? '1',
      ...(s.templateMinorVersion ? { templateMinorVersion: s.templateMinorVersion } : {}),
      stacks: [{ target: 'environment', stackName: s.stackName, stackId: s.stackId }],
      spec: stringify({ proton: 'EnvironmentSpec', spec: {} }),
    });
  }
  const services = new Map<string, DiscoveredStack[]>();
  for (const s of stacks.filter(
    (x) => x.kind === 'SERVICE_INSTANCE' || x.kind === 'SERVICE_PIPELINE',
  )) {
    const list = services.get(s.serviceName ?? '') ?? [];
    list.push(s);
    services.set(s.serviceName ?? '', list);
  }
  for (const [name, list] of services) {
    const instances = list.filter((x) => x.kind === 'SERVICE_INSTANCE');
    const pipeline = list.find((x) => x.kind === 'SERVICE_PIPELINE');
    const first = instances[0] ?? list[0]!;
    files.push({
      kind: 'SERVICE',
      name,
      templateName: first.templateName ?? '',
      templateMajorVersion: first.templateMajorVersion ?? '1',
      ...(first.templateMinorVersion ? { templateMinorVersion: first.templateMinorVersion } : {}),
      stacks: instances.map((i) => ({
        target: `instance/${i.name}`,
        stackName: i.stackName,
        stackId: i.stackId,
      })),
      spec: stringify({
        proton: 'ServiceSpec',
        instances: instances.map((i) => ({
          name: i.name,
          environment: i.environmentName,
          spec: {},
        })),
      }),
      ...(pipeline ? { notAdopted: [`pipeline (stack ${pipeline.stackName})`] } : {}),
    });
  }
  return files;
}

const fileName = (f: ImportSpecFile) =>
  `${f.kind === 'ENVIRONMENT' ? 'environment' : 'service'}-${f.name}.yaml`;

/**
 * Writes one YAML per resource into `dir`. A file that exists already is kept (the user may have
 * completed its spec): re-running discovery never overwrites their inputs.
 */
export async function writeSpecFiles(
  dir: string,
  files: readonly ImportSpecFile[],
): Promise<{ written: string[]; kept: string[] }> {
  await mkdir(dir, { recursive: true });
  const existing = new Set(await readdir(dir));
  const written: string[] = [];
  const kept: string[] = [];
  for (const f of files) {
    const name = fileName(f);
    if (existing.has(name)) {
      kept.push(name);
      continue;
    }
    const header =
      `# nucleon import proton: ${f.kind === 'ENVIRONMENT' ? 'environment' : 'service'} ${f.name}, found by discovery.\n` +
      '# Complete "spec" with the inputs Proton deployed it with (and check the template version),\n' +
      '# then run `nucleon import proton match`.\n';
    await writeFile(join(dir, name), header + stringify(f, { lineWidth: 0 }));
    written.push(name);
  }
  return { written, kept };
}

/** Reads every spec file of a --specs folder, environments first. */
export async function readSpecFiles(
  dir: string,
): Promise<Array<{ file: string; spec: ImportSpecFile }>> {
  const names = (await readdir(dir))
    .filter((n) => n.endsWith('.yaml') || n.endsWith('.yml'))
    .sort();
  const out: Array<{ file: string; spec: ImportSpecFile }> = [];
  for (const file of names) {
    const spec = parse(await readFile(join(dir, file), 'utf8')) as ImportSpecFile;
    if (spec?.kind !== 'ENVIRONMENT' && spec?.kind !== 'SERVICE')
      throw new Error(
        `${join(dir, file)}: not an import spec file (kind must be ENVIRONMENT or SERVICE)`,
      );
    out.push({ file, spec });
  }
  return out.sort((a, b) =>
    a.spec.kind === b.spec.kind ? 0 : a.spec.kind === 'ENVIRONMENT' ? -1 : 1,
  );
}
