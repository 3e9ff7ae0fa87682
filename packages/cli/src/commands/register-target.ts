import { parse as parseYaml } from 'yaml';
import type { ProtonClient } from '@nucleon/protocol';
import { CliError } from './catalog-common.js';
import { versionRefs, type TemplateKind } from './catalog-spec.js';

export interface CompatibleEnvironment {
  templateName: string;
  majorVersion: string;
}

/** Where `templates register` puts the new version, and the environments it declares. */
export interface RegisterTarget {
  /** The major to add a minor to; undefined makes a new major (Proton's default without one). */
  major: string | undefined;
  compatible: CompatibleEnvironment[];
  /** Where the compatible environment templates came from, for the progress line. */
  compatibleFrom?: string;
}

/** Parses `<environment-template>:<major>` as `--compatible` and the bundle files write it. */
export function parseCompatible(text: string, from: string): CompatibleEnvironment {
  const m = /^\s*([^:\s]+):(\d+)\s*$/.exec(text);
  if (!m)
    throw new CliError(
      `${from}: "${text}" is not <environment-template>:<major>; write it like my-env:1.`,
    );
  return { templateName: m[1]!, majorVersion: m[2]! };
}

/**
 * The compatible environments a bundle declares the way Proton's template sync reads them:
 * `.template-registration.yaml` (`compatible_environments: [my-env:1]`) or the legacy
 * `.compatible-envs` (one `my-env:1` a line), at the bundle's root.
 */
export function bundleCompatible(
  files: ReadonlyMap<string, Uint8Array>,
): { compatible: CompatibleEnvironment[]; file: string } | undefined {
  const text = (name: string) => {
    const entry = [...files.entries()].find(([p]) => p.replace(/^\.\//, '') === name);
    return entry && new TextDecoder().decode(entry[1]);
  };
  const registration = text('.template-registration.yaml');
  if (registration !== undefined) {
    const doc = parseYaml(registration) as { compatible_environments?: unknown } | null;
    const list = doc?.compatible_environments;
    if (Array.isArray(list) && list.length)
      return {
        compatible: list.map((e) => parseCompatible(String(e), '.template-registration.yaml')),
        file: '.template-registration.yaml',
      };
  }
  const legacy = text('.compatible-envs');
  if (legacy !== undefined) {
    const lines = legacy
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    if (lines.length)
      return {
        compatible: lines.map((l) => parseCompatible(l, '.compatible-envs')),
        file: '.compatible-envs',
      };
  }
  return undefined;
}

/**
 * Decides the major of a new version: `--major` when given, a new major with `--new-major` or
 * when the template has no version that registered, else a new minor of its newest such major
 * (as Proton's console does). A service version's compatible environments come from
 * `--compatible`, else the bundle, else the newest registered minor of the same major.
 */
export async function registerTarget(
  client: ProtonClient,
  kind: TemplateKind,
  name: string,
  flags: { major?: string; newMajor?: boolean; compatible: CompatibleEnvironment[] },
  files: ReadonlyMap<string, Uint8Array>,
  exists: boolean,
): Promise<RegisterTarget> {
  if (flags.major && flags.newMajor)
    throw new CliError('--major and --new-major contradict each other.', 'give one of them.');
  const usable = exists
    ? (await versionRefs(client, kind, name))
        .filter((v) => v.status === 'DRAFT' || v.status === 'PUBLISHED')
        .sort((a, b) => a.major - b.major || a.minor - b.minor)
    : [];
  const major = flags.newMajor ? undefined : (flags.major ?? usable.at(-1)?.major.toString());
  if (kind === 'env') {
    if (flags.compatible.length) throw new CliError('--compatible is only for service templates.');
    return { major, compatible: [] };
  }
  if (flags.compatible.length)
    return { major, compatible: flags.compatible, compatibleFrom: '--compatible' };
  const declared = bundleCompatible(files);
  if (declared)
    return {
      major,
      compatible: declared.compatible,
      compatibleFrom: `the bundle's ${declared.file}`,
    };
  const previous = usable.filter((v) => String(v.major) === major).at(-1);
  if (previous) {
    const v = (
      await client.call('GetServiceTemplateVersion', {
        templateName: name,
        majorVersion: String(previous.major),
        minorVersion: String(previous.minor),
      })
    ).serviceTemplateVersion;
    const compatible = (v.compatibleEnvironmentTemplates ?? []).map((c) => ({
      templateName: c.templateName,
      majorVersion: c.majorVersion,
    }));
    if (compatible.length)
      return { major, compatible, compatibleFrom: `${name}:${previous.major}.${previous.minor}` };
  }
  throw new CliError(
    'a service template version needs the environment templates it runs on, and neither the bundle nor an earlier minor of this major names them.',
    "pass --compatible <environment-template>:<major> (repeat it for several), or list them in the bundle's .template-registration.yaml under compatible_environments.",
  );
}
