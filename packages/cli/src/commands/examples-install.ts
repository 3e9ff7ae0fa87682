import { setTimeout as delay } from 'node:timers/promises';
import { extensionTargetPrefix, ProtonApiError, type ProtonClient } from '@nucleon/protocol';
import { ExamplesError, packExample, type ExampleEntry } from './examples-catalog.js';

/** Template descriptions start with this, so install never adopts a template it did not create. */
export const EXAMPLE_MARKER = 'Nucleon example:';
const BUNDLE_NOTE = 'Nucleon example bundle';

export interface InstallOptions {
  publish: boolean;
  /** Longest wait for one version's registration. */
  waitTimeoutMs: number;
  pollMs?: number;
  /** Progress lines for people (stderr). */
  progress?: (line: string) => void;
}

/** What happened to one example template. */
export interface InstallResult {
  template: string;
  kind: 'environment' | 'service';
  group: string;
  engine: string;
  /** major.minor of the version that holds the current bundle, when there is one. */
  version?: string;
  status?: string;
  /** Human-readable steps taken; empty when nothing had to change. */
  actions: string[];
  changed: boolean;
  error?: string;
}

type VersionStatus = 'REGISTRATION_IN_PROGRESS' | 'REGISTRATION_FAILED' | 'DRAFT' | 'PUBLISHED';

interface VersionSummary {
  majorVersion: string;
  minorVersion: string;
  status: VersionStatus;
  statusMessage?: string;
  description?: string;
}

interface TemplateInfo {
  description?: string;
  pipelineProvisioning?: string;
  recommendedVersion?: string;
}

/** The Proton calls install makes, per template kind. */
class TemplateApi {
  constructor(
    private readonly client: ProtonClient,
    readonly kind: 'environment' | 'service',
  ) {}

  async get(name: string): Promise<TemplateInfo | undefined> {
    try {
      if (this.kind === 'environment')
        return (await this.client.call('GetEnvironmentTemplate', { name })).environmentTemplate;
      return (await this.client.call('GetServiceTemplate', { name })).serviceTemplate;
    } catch (error) {
      if (error instanceof ProtonApiError && error.type === 'ResourceNotFoundException')
        return undefined;
      throw error;
    }
  }

  async create(example: ExampleEntry): Promise<void> {
    const description = `${EXAMPLE_MARKER} ${example.description}`.slice(0, 500);
    if (this.kind === 'environment')
      await this.client.call('CreateEnvironmentTemplate', { name: example.name, description });
    else
      await this.client.call('CreateServiceTemplate', {
        name: example.name,
        description,
        ...(example.pipelineProvisioning
          ? { pipelineProvisioning: example.pipelineProvisioning }
          : {}),
      });
  }

  /**
   * Every version of a template. Proton's List…TemplateVersions answers one entry per major
   * (its recommended minor) without majorVersion, so each major is then listed on its own.
   */
  async versions(templateName: string): Promise<VersionSummary[]> {
    const majors = new Set((await this.listPages(templateName)).map((v) => v.majorVersion));
    const all: VersionSummary[] = [];
    for (const major of majors) all.push(...(await this.listPages(templateName, major)));
    return all;
  }

  private async listPages(templateName: string, majorVersion?: string): Promise<VersionSummary[]> {
    const all: VersionSummary[] = [];
    let nextToken: string | undefined;
    do {
      const input = {
        templateName,
        ...(majorVersion ? { majorVersion } : {}),
        ...(nextToken ? { nextToken } : {}),
      };
      const page =
        this.kind === 'environment'
          ? await this.client.call('ListEnvironmentTemplateVersions', input)
          : await this.client.call('ListServiceTemplateVersions', input);
      all.push(...(page.templateVersions as VersionSummary[]));
      nextToken = page.nextToken;
    } while (nextToken);
    return all;
  }

  async version(
    templateName: string,
    majorVersion: string,
    minorVersion: string,
  ): Promise<VersionSummary> {
    const input = { templateName, majorVersion, minorVersion };
    if (this.kind === 'environment')
      return (await this.client.call('GetEnvironmentTemplateVersion', input))
        .environmentTemplateVersion;
    return (await this.client.call('GetServiceTemplateVersion', input)).serviceTemplateVersion;
  }

  async createVersion(
    templateName: string,
    source: { bucket: string; key: string },
    description: string,
    majorVersion: string | undefined,
    compatibleEnvironmentTemplates: Array<{ templateName: string; majorVersion: string }>,
  ): Promise<VersionSummary> {
    const common = {
      templateName,
      description,
      source: { s3: source },
      ...(majorVersion ? { majorVersion } : {}),
    };
    if (this.kind === 'environment')
      return (await this.client.call('CreateEnvironmentTemplateVersion', common))
        .environmentTemplateVersion;
    return (
      await this.client.call('CreateServiceTemplateVersion', {
        ...common,
        compatibleEnvironmentTemplates,
      })
    ).serviceTemplateVersion;
  }

  async remove(templateName: string, majorVersion: string, minorVersion: string): Promise<void> {
    const input = { templateName, majorVersion, minorVersion };
    if (this.kind === 'environment')
      await this.client.call('DeleteEnvironmentTemplateVersion', input);
    else await this.client.call('DeleteServiceTemplateVersion', input);
  }

  async publish(templateName: string, majorVersion: string, minorVersion: string): Promise<void> {
    const input = { templateName, majorVersion, minorVersion, status: 'PUBLISHED' as const };
    if (this.kind === 'environment')
      await this.client.call('UpdateEnvironmentTemplateVersion', input);
    else await this.client.call('UpdateServiceTemplateVersion', input);
  }
}

const byVersion = (a: VersionSummary, b: VersionSummary) =>
  Number(a.majorVersion) - Number(b.majorVersion) ||
  Number(a.minorVersion) - Number(b.minorVersion);
const label = (v: VersionSummary) => `${v.majorVersion}.${v.minorVersion}`;

/**
 * Installs example templates, idempotently: creates each template when missing, pushes its
 * bundle and registers a version when the bundle is new (a new major for a template without
 * versions, else a new minor of its newest major), waits for registration and publishes.
 * A version remembers its bundle key (`examples/<name>-<sha12>.tar.gz`) in its description;
 * when any registered version holds the current key nothing is pushed or created, and a version
 * that fails to register is deleted again, so reruns leave nothing failed behind.
 * Examples run in catalog order; a service whose environment template failed is skipped.
 */
export async function installExamples(
  client: ProtonClient,
  examples: readonly ExampleEntry[],
  options: InstallOptions,
): Promise<InstallResult[]> {
  const results: InstallResult[] = [];
  const majors = new Map<string, string>();
  const progress = options.progress ?? (() => undefined);
  for (const example of examples) {
    const result: InstallResult = {
      template: example.name,
      kind: example.kind,
      group: example.group,
      engine: example.engine,
      actions: [],
      changed: false,
    };
    results.push(result);
    try {
      const missing = example.compatibleEnvironmentTemplates.filter((env) => !majors.has(env));
      for (const env of missing) {
        const major = await environmentMajor(new TemplateApi(client, 'environment'), env);
        if (major === undefined)
          throw new ExamplesError(
            `its environment template ${env} has no registered version; install it first (it failed or was not selected)`,
          );
        majors.set(env, major);
      }
      await installOne(client, example, result, majors, options, progress);
    } catch (error) {
      if (!(error instanceof ExamplesError) && !(error instanceof ProtonApiError)) throw error;
      result.error =
        error instanceof ProtonApiError ? `${error.type}: ${error.message}` : error.message;
    }
  }
  return results;
}

/** The newest major of an environment template that has a usable (DRAFT or PUBLISHED) version. */
async function environmentMajor(api: TemplateApi, name: string): Promise<string | undefined> {
  const template = await api.get(name);
  if (!template) return undefined;
  const usable = (await api.versions(name))
    .filter((v) => v.status === 'DRAFT' || v.status === 'PUBLISHED')
    .sort(byVersion);
  return usable.at(-1)?.majorVersion;
}

async function installOne(
  client: ProtonClient,
  example: ExampleEntry,
  result: InstallResult,
  majors: Map<string, string>,
  options: InstallOptions,
  progress: (line: string) => void,
): Promise<void> {
  const api = new TemplateApi(client, example.kind);
  const act = (action: string) => {
    result.actions.push(action);
    result.changed = true;
    progress(`${example.name}: ${action}`);
  };

  const template = await api.get(example.name);
  if (!template) {
    await api.create(example);
    act('created template');
  } else {
    if (!template.description?.startsWith(EXAMPLE_MARKER)) {
      throw new ExamplesError(
        `a ${example.kind} template named ${example.name} exists and was not created by \`nucleon examples install\`; delete or rename it to install this example`,
      );
    }
    if (
      example.kind === 'service' &&
      (template.pipelineProvisioning ?? 'AWS_MANAGED') !==
        (example.pipelineProvisioning ?? 'AWS_MANAGED')
    ) {
      throw new ExamplesError(
        `the service template ${example.name} exists with another pipeline provisioning; delete it to reinstall the example`,
      );
    }
  }

  const packed = await packExample(example);
  const versions = (await api.versions(example.name)).sort(byVersion);
  const holds = (v: VersionSummary) => v.description?.includes(packed.key) === true;
  // Idempotent by content: any version that holds this bundle will do, even when someone has
  // registered newer minors since. Failed attempts at it are removed, not left behind.
  for (const failed of versions.filter((v) => holds(v) && v.status === 'REGISTRATION_FAILED')) {
    await api.remove(example.name, failed.majorVersion, failed.minorVersion);
    act(`deleted ${label(failed)}, which had failed to register`);
  }
  const usable = versions.filter((v) => v.status !== 'REGISTRATION_FAILED');
  let current: VersionSummary;
  const held = usable.filter(holds).at(-1);
  if (held) {
    current = held;
  } else {
    const pushed = (await client.send(`${extensionTargetPrefix}.PutBundle`, {
      key: packed.key,
      content: Buffer.from(packed.data).toString('base64'),
    })) as { s3: { bucket: string; key: string } };
    act(`pushed ${pushed.s3.key}`);
    const compatible = example.compatibleEnvironmentTemplates.map((env) => ({
      templateName: env,
      majorVersion: majors.get(env)!,
    }));
    const description = `${BUNDLE_NOTE} ${packed.key} (sha256 ${packed.sha256})`;
    // A new minor of the newest major that registered; a new major when none did.
    current = await api.createVersion(
      example.name,
      pushed.s3,
      description,
      usable.at(-1)?.majorVersion,
      compatible,
    );
    act(`created version ${label(current)}`);
  }

  if (current.status === 'REGISTRATION_IN_PROGRESS') {
    current = await waitForRegistration(api, example.name, current, options);
    if (current.status === 'REGISTRATION_FAILED') {
      await api.remove(example.name, current.majorVersion, current.minorVersion);
      result.status = current.status;
      throw new ExamplesError(
        `version ${label(current)} failed to register and was deleted again: ${current.statusMessage ?? 'no message'}. If newer minors of ${example.name} were registered by hand, install into another major with \`nucleon templates register ${example.name} ${example.dir} --new-major\`, or delete those minors`,
      );
    }
    progress(`${example.name}: version ${label(current)} registered (${current.status})`);
  }
  if (options.publish && current.status === 'DRAFT') {
    await api.publish(example.name, current.majorVersion, current.minorVersion);
    current = { ...current, status: 'PUBLISHED' };
    act(`published ${label(current)}`);
  }
  result.version = label(current);
  result.status = current.status;
  if (example.kind === 'environment' && current.status !== 'REGISTRATION_FAILED')
    majors.set(example.name, current.majorVersion);
}

async function waitForRegistration(
  api: TemplateApi,
  name: string,
  version: VersionSummary,
  options: InstallOptions,
): Promise<VersionSummary> {
  const deadline = Date.now() + options.waitTimeoutMs;
  let current = version;
  while (current.status === 'REGISTRATION_IN_PROGRESS') {
    if (Date.now() > deadline) {
      throw new ExamplesError(
        `version ${label(version)} was still registering after ${Math.round(options.waitTimeoutMs / 1000)} s; run install again later to publish it`,
      );
    }
    await delay(options.pollMs ?? 500);
    current = await api.version(name, version.majorVersion, version.minorVersion);
  }
  return current;
}
