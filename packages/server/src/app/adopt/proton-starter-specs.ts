import type { ProtonImportRequest } from '@nucleon/protocol';
import { stringify } from 'yaml';
import type {
  DiscoveredFolder,
  DiscoveredStack,
  ProvisioningRepository,
} from '../../ports/proton-estate.js';
import {
  inputsFromParameters,
  templateKey,
  type TemplateInputTypes,
} from './proton-input-inference.js';

export type ImportKind = ProtonImportRequest['kind'];

/**
 * A starter spec file: what `match` and `adopt` send to Nucleon for one resource. Its members are
 * the request's (ProtonImportRequest), except that stacks and folders carry where they were read
 * and no templates or files (match reads them again), plus where to read the repository and which inputs discovery
 * inferred.
 */
export type ImportSpecFile = Omit<
  ProtonImportRequest,
  'stacks' | 'folders' | 'acceptDifferences'
> & {
  /** Each stack, with the region and the role discovery read it with (match reads it again). */
  stacks: Array<{
    target: string;
    stackName: string;
    stackId: string;
    region?: string;
    discoveryRoleArn?: string;
  }>;
  /** Self-managed Terraform: the folders in the provisioning repository, with their outputs. */
  folders?: Array<{ target: string; folder: string; outputs?: Record<string, string> }>;
  repositoryUrl?: string;
  /** Inputs discovery took from the stacks' parameters (already in `spec`). */
  inferredInputs?: string[];
};

const COMPONENT_MANIFEST =
  'infrastructure:\n  templates:\n    - file: "cloudformation.yaml"\n      rendering_engine: jinja\n      template_language: cloudformation\n';

const ref = (target: string, s: DiscoveredStack) => ({
  target,
  stackName: s.stackName,
  stackId: s.stackId,
  ...(s.region ? { region: s.region } : {}),
  ...(s.discoveryRoleArn ? { discoveryRoleArn: s.discoveryRoleArn } : {}),
});

const version = (
  s: Pick<DiscoveredStack, 'templateName' | 'templateMajorVersion' | 'templateMinorVersion'>,
) => ({
  templateName: s.templateName ?? '',
  templateMajorVersion: s.templateMajorVersion ?? '1',
  ...(s.templateMinorVersion ? { templateMinorVersion: s.templateMinorVersion } : {}),
});

/**
 * Groups discovered stacks into environment, service and component spec files. Inputs the
 * templates expose as stack parameters are filled in from the stacks (`types`: the registered
 * schemas); the user completes the rest.
 */
export function starterSpecs(
  stacks: readonly DiscoveredStack[],
  types: ReadonlyMap<string, TemplateInputTypes> = new Map(),
): ImportSpecFile[] {
  const files: ImportSpecFile[] = [];
  const inferred = (s: DiscoveredStack, part: keyof TemplateInputTypes) =>
    inputsFromParameters(types.get(templateKey(s))?.[part], s.parameters);
  const components = stacks.filter((x) => x.kind === 'COMPONENT');
  for (const s of stacks.filter((x) => x.kind === 'ENVIRONMENT')) {
    const inputs = inferred(s, 'environment');
    const componentRole = components.find(
      (c) => c.environmentName === s.name && c.roleArn,
    )?.roleArn;
    files.push({
      kind: 'ENVIRONMENT',
      name: s.name,
      ...version(s),
      stacks: [ref('environment', s)],
      spec: stringify({ proton: 'EnvironmentSpec', spec: inputs }),
      ...(Object.keys(inputs).length ? { inferredInputs: Object.keys(inputs) } : {}),
      ...(s.roleArn ? { protonServiceRoleArn: s.roleArn } : {}),
      ...(componentRole ? { componentRoleArn: componentRole } : {}),
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
    const names: string[] = [];
    const entries = instances.map((i) => {
      const inputs = inferred(i, 'service');
      names.push(...Object.keys(inputs).map((k) => `${i.name}.${k}`));
      return { name: i.name, environment: i.environmentName, spec: inputs };
    });
    const pipelineInputs = pipeline ? inferred(pipeline, 'pipeline') : {};
    names.push(...Object.keys(pipelineInputs).map((k) => `pipeline.${k}`));
    files.push({
      kind: 'SERVICE',
      name,
      ...version(first),
      stacks: [
        ...instances.map((i) => ref(`instance/${i.name}`, i)),
        ...(pipeline ? [ref('pipeline', pipeline)] : []),
      ],
      spec: stringify({
        proton: 'ServiceSpec',
        ...(pipeline ? { pipeline: pipelineInputs } : {}),
        instances: entries,
      }),
      ...(names.length ? { inferredInputs: names } : {}),
      // Proton's pipeline built from a source repository; the stacks do not name it.
      ...(pipeline ? { repositoryConnectionArn: '', repositoryId: '', branchName: '' } : {}),
    });
  }
  for (const c of components) {
    files.push({
      kind: 'COMPONENT',
      name: c.name,
      stacks: [ref('component', c)],
      ...(c.serviceName && c.serviceInstanceName
        ? { serviceName: c.serviceName, serviceInstanceName: c.serviceInstanceName }
        : { environmentName: c.environmentName ?? '' }),
      manifest: COMPONENT_MANIFEST,
      // The template the stack runs: replace it with the component's Jinja source if you have it.
      templateFile: c.template ?? '',
    });
  }
  return files;
}

/**
 * Spec files for the self-managed Terraform resources of a provisioning repository: inputs from
 * each folder's proton.auto.tfvars.json (typed by the registered schema), the environment's
 * outputs from its instances' copy. Instance outputs are the user's to give (their state).
 */
export function starterFolderSpecs(
  folders: readonly DiscoveredFolder[],
  repo: ProvisioningRepository,
  types: ReadonlyMap<string, TemplateInputTypes> = new Map(),
): ImportSpecFile[] {
  const files: ImportSpecFile[] = [];
  const typed = (f: DiscoveredFolder, part: keyof TemplateInputTypes) => {
    const t = types.get(templateKey(f))?.[part];
    // Without a registered schema the values stay strings, as Proton wrote them.
    return t ? inputsFromParameters(t, f.inputs) : { ...f.inputs };
  };
  const where = {
    provisioningRepository: { provider: repo.provider, name: repo.name, branch: repo.branch },
    repositoryUrl: repo.url,
  };
  const instances = folders.filter((f) => f.kind === 'SERVICE_INSTANCE');
  for (const f of folders.filter((x) => x.kind === 'ENVIRONMENT')) {
    const outputs = instances.find((i) => i.environmentName === f.name)?.environmentOutputs ?? {};
    files.push({
      kind: 'ENVIRONMENT',
      name: f.name,
      ...version(f),
      stacks: [],
      folders: [{ target: 'environment', folder: f.folder, outputs }],
      ...where,
      spec: stringify({ proton: 'EnvironmentSpec', spec: typed(f, 'environment') }),
      inferredInputs: Object.keys(f.inputs),
    });
  }
  // A service: its instances' folders and its pipeline's (self-managed Terraform pipelines are
  // committed to the account's pipeline repository; the spec file names the one read).
  const services = new Map<string, DiscoveredFolder[]>();
  for (const f of folders.filter(
    (x) => x.kind === 'SERVICE_INSTANCE' || x.kind === 'SERVICE_PIPELINE',
  ))
    services.set(f.serviceName ?? '', [...(services.get(f.serviceName ?? '') ?? []), f]);
  for (const [name, list] of services) {
    const members = list.filter((x) => x.kind === 'SERVICE_INSTANCE');
    const pipeline = list.find((x) => x.kind === 'SERVICE_PIPELINE');
    const pipelineInputs = pipeline ? typed(pipeline, 'pipeline') : {};
    files.push({
      kind: 'SERVICE',
      name,
      ...version(members[0] ?? list[0]!),
      stacks: [],
      folders: [
        ...members.map((i) => ({ target: `instance/${i.name}`, folder: i.folder, outputs: {} })),
        ...(pipeline ? [{ target: 'pipeline', folder: pipeline.folder }] : []),
      ],
      repositoryUrl: repo.url,
      provisioningRepository: where.provisioningRepository,
      spec: stringify({
        proton: 'ServiceSpec',
        ...(pipeline ? { pipeline: pipelineInputs } : {}),
        instances: members.map((i) => ({
          name: i.name,
          environment: i.environmentName,
          spec: typed(i, 'service'),
        })),
      }),
      inferredInputs: [
        ...members.flatMap((i) => Object.keys(i.inputs).map((k) => `${i.name}.${k}`)),
        ...Object.keys(pipelineInputs).map((k) => `pipeline.${k}`),
      ],
      ...(pipeline?.sourceRepository ?? {}),
    });
  }
  // A component's template is its own: the starter takes the folder's .tf file.
  for (const c of folders.filter((x) => x.kind === 'COMPONENT')) {
    const file = c.templateFile?.name ?? 'main.tf';
    files.push({
      kind: 'COMPONENT',
      name: c.name,
      stacks: [],
      folders: [{ target: 'component', folder: c.folder, outputs: {} }],
      ...where,
      ...(c.serviceName && c.serviceInstanceName
        ? { serviceName: c.serviceName, serviceInstanceName: c.serviceInstanceName }
        : { environmentName: c.environmentName ?? '' }),
      manifest: `infrastructure:\n  templates:\n    - file: "${file}"\n      rendering_engine: hcl\n      template_language: terraform\n`,
      templateFile: c.templateFile?.content ?? '',
    });
  }
  return files;
}
