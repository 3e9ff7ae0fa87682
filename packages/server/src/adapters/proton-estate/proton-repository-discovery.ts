import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DiscoveredFolder, ProvisioningRepository } from '../../ports/proton-estate.js';
import { templateOfArn } from './proton-stack-discovery.js';

export type { DiscoveredFolder, ProvisioningRepository } from '../../ports/proton-estate.js';

const run = promisify(execFile);

/** `GITHUB:acme/infra@main` → provider, name, branch (default main). */
export function parseRepository(spec: string, url: string): ProvisioningRepository {
  const m = /^([A-Z_]+):([^@]+?)(?:@(.+))?$/.exec(spec);
  if (!m)
    throw new Error(
      `--repository ${spec}: give it as <provider>:<name>[@<branch>], e.g. GITHUB:acme/infra@main, as Proton had it`,
    );
  return { provider: m[1]!, name: m[2]!, branch: m[3] ?? 'main', url };
}

/** A shallow clone of the repository's branch in a temporary folder (read-only use). */
export async function cloneRepository(
  repo: Pick<ProvisioningRepository, 'url' | 'branch'>,
): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'nucleon-proton-repo-'));
  try {
    await run('git', [
      'clone',
      '--quiet',
      '--depth',
      '1',
      '--branch',
      repo.branch,
      '--',
      repo.url,
      dir,
    ]);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(
      `cannot read the provisioning repository ${repo.url} (branch ${repo.branch}): ${(error as { stderr?: string }).stderr?.trim() || (error as Error).message}`,
    );
  }
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

const record = (v: unknown): Record<string, string> =>
  v && typeof v === 'object'
    ? Object.fromEntries(
        Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, String(x)]),
      )
    : {};

async function readJson(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** The folder's resource, from its deployment metadata and proton.auto.tfvars.json. */
async function classifyFolder(root: string, folder: string): Promise<DiscoveredFolder | undefined> {
  const meta = await readJson(join(root, folder, '.proton', 'deployment-metadata.json'));
  const m = (meta?.resourceMetadata ?? meta?.componentMetadata) as
    Record<string, unknown> | undefined;
  if (!m || typeof m.arn !== 'string' || meta?.isResourceDeleted === true) return undefined;
  const tfvars = (await readJson(join(root, folder, 'proton.auto.tfvars.json'))) ?? {};
  const parts = m.arn.split(':').slice(5).join(':').split('/');
  const template = templateOfArn(typeof m.templateArn === 'string' ? m.templateArn : undefined);
  const version = {
    ...template,
    ...(typeof m.templateMajorVersion === 'string'
      ? { templateMajorVersion: m.templateMajorVersion }
      : {}),
    ...(typeof m.templateMinorVersion === 'string'
      ? { templateMinorVersion: m.templateMinorVersion }
      : {}),
  };
  const env = tfvars.environment as { name?: unknown; outputs?: unknown } | undefined;
  const base = { folder, resourceArn: m.arn, ...version };
  if (parts[0] === 'environment' && parts[1])
    return {
      ...base,
      kind: 'ENVIRONMENT',
      name: parts[1],
      environmentName: parts[1],
      inputs: record((tfvars.environment as { inputs?: unknown } | undefined)?.inputs),
    };
  if (parts[0] === 'service' && parts[2] === 'service-instance' && parts[3])
    return {
      ...base,
      kind: 'SERVICE_INSTANCE',
      name: parts[3],
      serviceName: parts[1]!,
      ...(typeof env?.name === 'string' ? { environmentName: env.name } : {}),
      inputs: record((tfvars.service_instance as { inputs?: unknown } | undefined)?.inputs),
      environmentOutputs: record(env?.outputs),
    };
  if (parts[0] === 'service' && parts[2] === 'pipeline') {
    // Proton wrote the service's source repository into the pipeline's variables.
    const svc = record(tfvars.service);
    return {
      ...base,
      kind: 'SERVICE_PIPELINE',
      name: 'pipeline',
      serviceName: parts[1]!,
      inputs: record((tfvars.pipeline as { inputs?: unknown } | undefined)?.inputs),
      sourceRepository: {
        repositoryConnectionArn: svc.repository_connection_arn ?? '',
        repositoryId: svc.repository_id ?? '',
        branchName: svc.branch_name ?? '',
      },
    };
  }
  if (parts[0] === 'component' && parts[1])
    return {
      ...base,
      kind: 'COMPONENT',
      name: parts[1],
      inputs: {},
      ...(await componentOf(root, folder, m)),
    };
  return undefined;
}

const PROTON_VARIABLES = /^proton\.[a-z_]+\.variables\.tf$/;

/**
 * A component's place (from its metadata's environment and instance ARNs) and its template
 * file: the one `.tf` file of the folder that Proton did not generate.
 */
async function componentOf(
  root: string,
  folder: string,
  m: Record<string, unknown>,
): Promise<Partial<DiscoveredFolder>> {
  const resource = (arn: unknown) =>
    typeof arn === 'string' ? arn.split(':').slice(5).join(':').split('/') : [];
  const [, env] = resource(m.environmentArn);
  const [, service, , instance] = resource(m.serviceInstanceArn);
  const tf = (await readdir(join(root, folder), { withFileTypes: true })).filter(
    (e) => e.isFile() && e.name.endsWith('.tf') && !PROTON_VARIABLES.test(e.name),
  );
  return {
    ...(env ? { environmentName: env } : {}),
    ...(service && instance ? { serviceName: service, serviceInstanceName: instance } : {}),
    ...(tf.length === 1
      ? {
          templateFile: {
            name: tf[0]!.name,
            content: await readFile(join(root, folder, tf[0]!.name), 'utf8'),
          },
        }
      : {}),
  };
}

/** Every folder of the checkout Proton deployed a resource in (read-only). */
export async function discoverFolders(root: string): Promise<DiscoveredFolder[]> {
  const found: DiscoveredFolder[] = [];
  const walk = async (folder: string): Promise<void> => {
    const entries = await readdir(join(root, folder), { withFileTypes: true });
    if (entries.some((e) => e.isDirectory() && e.name === '.proton')) {
      const d = await classifyFolder(root, folder);
      if (d) found.push(d);
    }
    for (const e of entries)
      if (e.isDirectory() && !e.name.startsWith('.'))
        await walk(folder ? `${folder}/${e.name}` : e.name);
  };
  await walk('');
  return found.sort((a, b) => a.folder.localeCompare(b.folder));
}

/** The files of one resource folder as Proton left them (its own files, not its subfolders'). */
export async function readFolderFiles(
  root: string,
  folder: string,
): Promise<Array<{ path: string; content: string }>> {
  if (folder.split('/').some((p) => p === '..' || p === '') || folder.startsWith('/'))
    throw new Error(`folder ${folder}: give a folder inside the provisioning repository`);
  const files: Array<{ path: string; content: string }> = [];
  for (const e of await readdir(join(root, folder), { withFileTypes: true }))
    if (e.isFile())
      files.push({ path: e.name, content: await readFile(join(root, folder, e.name), 'utf8') });
  try {
    files.push({
      path: '.proton/deployment-metadata.json',
      content: await readFile(join(root, folder, '.proton', 'deployment-metadata.json'), 'utf8'),
    });
  } catch {
    // not a Proton folder: the server says so
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

/** Throwaway clones of the provisioning repositories the spec files read, one per URL and branch. */
export class Checkouts {
  private readonly open = new Map<string, Promise<{ dir: string; remove: () => Promise<void> }>>();

  dir(url: string, branch: string): Promise<string> {
    const key = `${branch}\u0000${url}`;
    let c = this.open.get(key);
    if (!c) {
      c = cloneRepository({ url, branch });
      this.open.set(key, c);
    }
    return c.then((x) => x.dir);
  }

  async close(): Promise<void> {
    for (const c of this.open.values()) await (await c.catch(() => undefined))?.remove();
  }
}

/** The self-managed Terraform resources of --repository (read from a throwaway clone). */
export async function discoverRepository(
  repository: string | undefined,
  url: string | undefined,
): Promise<{ folders: DiscoveredFolder[]; repo?: ProvisioningRepository }> {
  if (!repository) return { folders: [] };
  if (!url)
    throw new Error(
      '--repository needs --repository-url <git URL or path> to read the provisioning repository from',
    );
  const repo = parseRepository(repository, url);
  const checkout = await cloneRepository(repo);
  try {
    return { folders: await discoverFolders(checkout.dir), repo };
  } finally {
    await checkout.remove();
  }
}
