import { parse } from 'yaml';

export interface OpsInstance {
  instanceName: string;
  branch: string;
  /** The ServiceSpec file, relative to the repository's root (a leading ./ removed). */
  spec: string;
}

/**
 * The instances a proton-ops file maps for one service (Proton's service sync):
 * `sync: services: <service>: <instance>: {branch, spec}`. Throws an Error whose message names
 * what is wrong and what to write instead.
 */
export function parseProtonOps(text: string, serviceName: string): OpsInstance[] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    throw new Error(`the proton-ops file is not valid YAML: ${(error as Error).message}`);
  }
  const services = (doc as { sync?: { services?: unknown } } | null)?.sync?.services;
  if (typeof services !== 'object' || services === null)
    throw new Error(
      'the proton-ops file must have sync: services: <service>: <instance>: {branch, spec}',
    );
  const instances = (services as Record<string, unknown>)[serviceName];
  if (instances === undefined || instances === null) return [];
  if (typeof instances !== 'object')
    throw new Error(`the proton-ops file: sync.services.${serviceName} must map instance names`);
  return Object.entries(instances as Record<string, unknown>).map(([instanceName, v]) => {
    const entry = (v ?? {}) as { branch?: unknown; spec?: unknown };
    if (typeof entry.branch !== 'string' || typeof entry.spec !== 'string')
      throw new Error(
        `the proton-ops file: sync.services.${serviceName}.${instanceName} needs branch and spec (the ServiceSpec file's path)`,
      );
    const spec = entry.spec.replace(/^(\.\/)+/, '').replace(/^\/+/, '');
    if (spec.split('/').includes('..'))
      throw new Error(`the proton-ops file: the spec path ${entry.spec} leaves the repository`);
    return { instanceName, branch: entry.branch, spec };
  });
}
