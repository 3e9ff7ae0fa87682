import { sha256Hex } from './sha256.js';

/** The identity of a deployable resource, as far as the names Nucleon chooses for it go. */
export interface EngineIdentity {
  kind: 'ENVIRONMENT' | 'SERVICE_INSTANCE' | 'SERVICE_PIPELINE' | 'COMPONENT';
  arn: string;
  /** '' for environments and components. */
  serviceName: string;
  /** Environment, instance or component name; 'pipeline' for a pipeline. */
  name: string;
  environmentName: string | null;
}

/** CloudFormation's limit on stack names (`[A-Za-z][-A-Za-z0-9]*`, at most 128 characters). */
export const ENGINE_NAME_MAX_LENGTH = 128;
const HASH_LENGTH = 12;
const INSTALLATION_PREFIX_LENGTH = 8;
const INSTALLATION_ID = /^[a-z0-9]{8,64}$/;

/** Tags every stack Nucleon creates carries, naming the installation and the resource that own it. */
export const OWNERSHIP_TAGS = {
  installation: 'nucleon:installation-id',
  resource: 'nucleon:resource-arn',
} as const;

const KIND_LABEL: Record<EngineIdentity['kind'], string> = {
  ENVIRONMENT: 'env',
  SERVICE_INSTANCE: 'svc',
  SERVICE_PIPELINE: 'pipeline',
  COMPONENT: 'component',
};

const safe = (s: string) => s.replace(/[^A-Za-z0-9-]+/g, '-');

/**
 * The engine name (stack name, Terraform state folder) of a resource: `nucleon-<installation>-<kind>-<readable>-<hash>`.
 * The readable part is for people and may be lossy or truncated; the hash covers the installation
 * and an unambiguous encoding of the resource's identity (kind, ARN and, for a component, its
 * environment), so two resources — or two installations — never share a name. A component's
 * environment is part of it because component ARNs name only the component.
 */
export function engineResourceName(installationId: string, r: EngineIdentity): string {
  if (!INSTALLATION_ID.test(installationId))
    throw new Error(
      `invalid installation id ${JSON.stringify(installationId)}: 8 to 64 lower-case letters or digits`,
    );
  const identity = JSON.stringify([
    installationId,
    r.kind,
    r.arn,
    r.kind === 'COMPONENT' ? (r.environmentName ?? '') : '',
  ]);
  const hash = sha256Hex(identity).slice(0, HASH_LENGTH);
  const parts =
    r.kind === 'ENVIRONMENT'
      ? [r.name]
      : r.kind === 'SERVICE_INSTANCE'
        ? [r.serviceName, r.name]
        : r.kind === 'SERVICE_PIPELINE'
          ? [r.serviceName]
          : [r.environmentName ?? '', r.name];
  const head = `nucleon-${installationId.slice(0, INSTALLATION_PREFIX_LENGTH)}-${KIND_LABEL[r.kind]}-`;
  const room = ENGINE_NAME_MAX_LENGTH - head.length - HASH_LENGTH - 1;
  const readable = safe(parts.join('-'))
    .replace(/^-+|-+$/g, '')
    .slice(0, room)
    .replace(/-+$/, '');
  return `${head}${readable ? `${readable}-` : ''}${hash}`;
}

/**
 * The name Nucleon derived before 0.2 (ambiguous: service `a` / instance `b-c` and service `a-b` /
 * instance `c` share it). Frozen: resources provisioned under it keep it (migration 0003).
 */
export function legacyEngineResourceName(r: EngineIdentity): string {
  if (r.kind === 'COMPONENT')
    return `nucleon-component-${r.name}`.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 128);
  const base =
    r.kind === 'ENVIRONMENT'
      ? `nucleon-env-${r.name}`
      : r.kind === 'SERVICE_INSTANCE'
        ? `nucleon-svc-${r.serviceName}-${r.name}`
        : `nucleon-svc-${r.serviceName}-pipeline`;
  return base.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 128);
}

/** Whose stack this is, judged by its tags. */
export type StackOwnership =
  | { verdict: 'owned' }
  /** A stack from before ownership tags, under the resource's legacy name: take it over and tag it. */
  | { verdict: 'adopt' }
  | { verdict: 'foreign'; reason: string };

/**
 * Decides whether a resource may update or delete an existing stack. A stack tagged for this
 * installation and resource is its own. An untagged stack is accepted only when the resource
 * still uses its legacy name (stacks created before ownership tags); anything else is foreign.
 */
export function stackOwnership(
  tags: Readonly<Record<string, string>>,
  expected: { installationId: string; resourceArn: string; legacyName: boolean },
): StackOwnership {
  const installation = tags[OWNERSHIP_TAGS.installation];
  const resource = tags[OWNERSHIP_TAGS.resource];
  if (installation === undefined && resource === undefined) {
    return expected.legacyName
      ? { verdict: 'adopt' }
      : {
          verdict: 'foreign',
          reason: 'it has no Nucleon ownership tags, so Nucleon did not create it',
        };
  }
  if (installation !== expected.installationId) {
    return {
      verdict: 'foreign',
      reason: `it belongs to another Nucleon installation (${OWNERSHIP_TAGS.installation}=${installation ?? 'absent'}, this one is ${expected.installationId})`,
    };
  }
  if (resource !== expected.resourceArn) {
    return {
      verdict: 'foreign',
      reason: `it belongs to another resource (${OWNERSHIP_TAGS.resource}=${resource ?? 'absent'})`,
    };
  }
  return { verdict: 'owned' };
}

/**
 * The folder of a resource in a self-managed provisioning repository, exactly as Proton wrote it
 * (users' workflows derive their working folder and state key from it): `<environment>`,
 * `<environment>/<service>-<instance>`, `<service>/pipeline`, `<environment>/<component>`.
 */
export function provisioningFolder(
  r: Pick<EngineIdentity, 'kind' | 'serviceName' | 'name' | 'environmentName'>,
): string {
  if (r.kind === 'ENVIRONMENT') return r.name;
  if (r.kind === 'SERVICE_PIPELINE') return `${r.serviceName}/pipeline`;
  if (r.kind === 'SERVICE_INSTANCE') return `${r.environmentName ?? ''}/${r.serviceName}-${r.name}`;
  return `${r.environmentName ?? ''}/${r.name}`;
}
