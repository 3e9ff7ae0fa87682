import type { CloudFormation, Stack } from '@aws-sdk/client-cloudformation';
import type { DiscoveredKind, DiscoveredStack } from '../../ports/proton-estate.js';

export type { DiscoveredKind, DiscoveredStack } from '../../ports/proton-estate.js';

/** The tags Proton put on every stack it provisioned (values are Proton ARNs). */
export const PROTON_TAGS = {
  account: 'proton:account',
  template: 'proton:template',
  environment: 'proton:environment',
  service: 'proton:service',
  instance: 'proton:service-instance',
  component: 'proton:component',
} as const;

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
    region: (stack.StackId ?? '').split(':')[3] ?? '',
    account: (stack.StackId ?? '').split(':')[4] ?? '',
    status: stack.StackStatus ?? '',
    ...(stack.RoleARN ? { roleArn: stack.RoleARN } : {}),
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
    const [, service, , instance] = arnResource(instanceArn);
    return {
      ...base,
      ...env,
      kind: 'COMPONENT',
      name: arnResource(componentArn)[1] ?? '',
      ...(service && instance ? { serviceName: service, serviceInstanceName: instance } : {}),
      resourceArn: componentArn,
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

/** Every live stack carrying proton:* tags in the client's region and account (read-only calls). */
export async function discoverStacks(
  cfn: CloudFormation,
  discoveryRoleArn?: string,
): Promise<DiscoveredStack[]> {
  const found: DiscoveredStack[] = [];
  let token: string | undefined;
  do {
    const page = await cfn.describeStacks(token ? { NextToken: token } : {});
    for (const stack of page.Stacks ?? []) {
      if (stack.StackStatus === 'DELETE_COMPLETE') continue;
      const d = classifyStack(stack);
      if (d) found.push(discoveryRoleArn ? { ...d, discoveryRoleArn } : d);
    }
    token = page.NextToken;
  } while (token);
  // A component's template is its own: its starter spec starts from what the stack runs.
  for (const c of found.filter((x) => x.kind === 'COMPONENT'))
    c.template = await stackTemplate(cfn, c.stackId);
  return found;
}

/** Stacks found in several regions and accounts, once each, in adoption order. */
export function sortStacks(stacks: readonly DiscoveredStack[]): DiscoveredStack[] {
  const seen = new Set<string>();
  const found = stacks.filter((s) => !seen.has(s.stackId) && seen.add(s.stackId));
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
