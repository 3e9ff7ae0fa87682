import { readFileSync } from 'node:fs';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { ProtonClient } from '@nucleon/protocol';
import { CliError, listAll } from './catalog-common.js';

export type TemplateKind = 'env' | 'svc';

export interface VersionRef {
  major: number;
  minor: number;
  status: string;
}

/**
 * Every version summary of a template (any status). Proton's List…TemplateVersions without a
 * major answers one entry per major (its recommended minor), so each major is listed on its own.
 */
export async function listVersionSummaries(
  client: ProtonClient,
  kind: TemplateKind,
  templateName: string,
) {
  const page = (majorVersion?: string) =>
    listAll(async (nextToken) => {
      const input = {
        templateName,
        ...(majorVersion ? { majorVersion } : {}),
        ...(nextToken ? { nextToken } : {}),
      };
      const o =
        kind === 'env'
          ? await client.call('ListEnvironmentTemplateVersions', input)
          : await client.call('ListServiceTemplateVersions', input);
      return { items: o.templateVersions, nextToken: o.nextToken };
    });
  const majors = [...new Set((await page()).map((v) => v.majorVersion))];
  return (await Promise.all(majors.map((m) => page(m)))).flat();
}

/** Every version of a template (any status). */
export async function versionRefs(
  client: ProtonClient,
  kind: TemplateKind,
  templateName: string,
): Promise<VersionRef[]> {
  return (await listVersionSummaries(client, kind, templateName)).map((v) => ({
    major: Number(v.majorVersion),
    minor: Number(v.minorVersion),
    status: v.status,
  }));
}

const published = (refs: readonly VersionRef[]) =>
  refs
    .filter((r) => r.status === 'PUBLISHED')
    .sort((a, b) => a.major - b.major || a.minor - b.minor);

/** The template's recommended version: its highest published one. */
export function recommended(
  refs: readonly VersionRef[],
  major?: number,
): { major: number; minor: number } | undefined {
  return published(major === undefined ? refs : refs.filter((r) => r.major === major)).at(-1);
}

/**
 * Whether a resource on major.minor is behind the template: `major` when a newer major is
 * published, `minor` when its own major has a newer published minor, else `no`.
 */
export function behindness(
  refs: readonly VersionRef[],
  major: number,
  minor: number,
): { behind: 'no' | 'minor' | 'major'; recommended: string } {
  const top = recommended(refs);
  const sameMajor = recommended(refs, major);
  if (top && top.major > major)
    return { behind: 'major', recommended: `${top.major}.${top.minor}` };
  if (sameMajor && sameMajor.minor > minor)
    return { behind: 'minor', recommended: `${sameMajor.major}.${sameMajor.minor}` };
  return { behind: 'no', recommended: top ? `${top.major}.${top.minor}` : '' };
}

/** Looks up versions once per template while building a table. */
export function refsCache(
  client: ProtonClient,
  kind: TemplateKind,
): (templateName: string) => Promise<VersionRef[]> {
  const cache = new Map<string, Promise<VersionRef[]>>();
  return (name) => {
    if (!cache.has(name))
      cache.set(
        name,
        versionRefs(client, kind, name).catch(() => []),
      );
    return cache.get(name)!;
  };
}

export interface InputProperty {
  type?: string;
  default?: unknown;
  description?: string;
  required: boolean;
}

/** The input properties a template version's schema declares for environments, instances or pipelines. */
export function schemaInputs(
  schemaText: string | undefined,
  which: 'environment' | 'service' | 'pipeline',
): Record<string, InputProperty> | undefined {
  if (!schemaText) return undefined;
  let doc: unknown;
  try {
    doc = parseYaml(schemaText);
  } catch {
    return undefined;
  }
  const schema = (doc as { schema?: Record<string, unknown> } | undefined)?.schema;
  const typeName = schema?.[`${which}_input_type`];
  if (typeof typeName !== 'string')
    return which === 'service' || which === 'environment' ? {} : undefined;
  const types = schema?.types as
    | Record<string, { properties?: Record<string, Record<string, unknown>>; required?: string[] }>
    | undefined;
  const type = types?.[typeName];
  const out: Record<string, InputProperty> = {};
  for (const [name, p] of Object.entries(type?.properties ?? {})) {
    out[name] = {
      ...(typeof p.type === 'string' ? { type: p.type } : {}),
      ...(p.default !== undefined ? { default: p.default } : {}),
      ...(typeof p.description === 'string' ? { description: p.description } : {}),
      required: (type?.required ?? []).includes(name),
    };
  }
  return out;
}

/** Parses `key=value` into a value of the schema's type for that input. */
export function coerceSet(
  assignment: string,
  props: Record<string, InputProperty> | undefined,
  where: string,
): [string, unknown] {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new CliError(`--set ${assignment}: write it as key=value.`);
  const key = assignment.slice(0, eq);
  const raw = assignment.slice(eq + 1);
  const prop = props?.[key];
  if (props && !prop) {
    const names = Object.keys(props);
    throw new CliError(
      `--set ${key}: ${where} has no input named "${key}".`,
      names.length ? `its inputs are: ${names.join(', ')}.` : 'it takes no inputs.',
    );
  }
  switch (prop?.type) {
    case 'string':
      return [key, raw];
    case 'number':
    case 'integer': {
      const n = Number(raw);
      if (
        raw.trim() === '' ||
        !Number.isFinite(n) ||
        (prop.type === 'integer' && !Number.isInteger(n))
      )
        throw new CliError(
          `--set ${key}: expected ${prop.type === 'integer' ? 'an integer' : 'a number'}, got "${raw}".`,
        );
      return [key, n];
    }
    case 'boolean':
      if (raw === 'true' || raw === 'false') return [key, raw === 'true'];
      throw new CliError(`--set ${key}: expected true or false, got "${raw}".`);
    default:
      try {
        return [key, parseYaml(raw) ?? raw];
      } catch {
        return [key, raw];
      }
  }
}

/** Reads a spec file (`-` for stdin). */
export function readSpecFile(path: string): string {
  try {
    return readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read the spec file ${path}: ${(error as Error).message}`);
  }
}

function parseDoc(text: string, what: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new CliError(`${what} is not valid YAML: ${(error as Error).message}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new CliError(`${what} must be a YAML mapping.`);
  return doc as Record<string, unknown>;
}

/**
 * An environment spec from a base (the current spec, or a file with or without the
 * `proton: EnvironmentSpec` header) and --set values. The file is sent unchanged when nothing is set.
 */
export function environmentSpec(
  base: string | undefined,
  sets: readonly string[],
  props: Record<string, InputProperty> | undefined,
  where: string,
): string {
  const doc = base ? parseDoc(base, 'the spec') : {};
  const isFull = doc.proton !== undefined;
  if (base && isFull && sets.length === 0) return base;
  const inputs = { ...((isFull ? doc.spec : doc) as Record<string, unknown> | undefined) };
  for (const s of sets) {
    const [k, v] = coerceSet(s, props, where);
    inputs[k] = v;
  }
  return stringifyYaml({ proton: 'EnvironmentSpec', spec: inputs });
}

/** A service spec with the given instance's inputs changed by --set values. */
export function instanceSpec(
  base: string | undefined,
  instance: { name: string; environmentName: string },
  sets: readonly string[],
  props: Record<string, InputProperty> | undefined,
  where: string,
): string {
  const doc = base ? parseDoc(base, 'the instance spec') : {};
  const instances = Array.isArray(doc.instances)
    ? (doc.instances as Array<Record<string, unknown>>)
    : [];
  let entry = instances.find((i) => i?.name === instance.name);
  if (!entry) {
    entry = { name: instance.name, environment: instance.environmentName, spec: {} };
    instances.push(entry);
  }
  const inputs = { ...((entry.spec as Record<string, unknown> | null | undefined) ?? {}) };
  for (const s of sets) {
    const [k, v] = coerceSet(s, props, where);
    inputs[k] = v;
  }
  entry.spec = inputs;
  return stringifyYaml({ ...doc, proton: 'ServiceSpec', instances });
}

/** `name:1.0` */
export const versionLabel = (template: string, major: string | number, minor: string | number) =>
  `${template}:${major}.${minor}`;

/**
 * The inputs a template version takes (for typing --set values), or undefined when the version
 * cannot be read; the server validates the spec in any case.
 */
export async function versionInputs(
  client: ProtonClient,
  kind: TemplateKind,
  templateName: string,
  major: number | string,
  minor: number | string | undefined,
): Promise<{ props: Record<string, InputProperty> | undefined; where: string }> {
  const where =
    minor === undefined ? `${templateName}:${major}` : versionLabel(templateName, major, minor);
  if (minor === undefined) return { props: undefined, where };
  try {
    const input = { templateName, majorVersion: String(major), minorVersion: String(minor) };
    const schema =
      kind === 'env'
        ? (await client.call('GetEnvironmentTemplateVersion', input)).environmentTemplateVersion
            .schema
        : (await client.call('GetServiceTemplateVersion', input)).serviceTemplateVersion.schema;
    return { props: schemaInputs(schema, kind === 'env' ? 'environment' : 'service'), where };
  } catch {
    return { props: undefined, where };
  }
}

/**
 * The version an update lands on: the current one, the recommended minor of the current (or
 * given) major, or the recommended version overall (or of the given major).
 */
export function updateTarget(
  refs: readonly VersionRef[],
  current: { major: number; minor: number },
  flags: { minor?: string | boolean; major?: string | boolean },
): {
  deploymentType: 'CURRENT_VERSION' | 'MINOR_VERSION' | 'MAJOR_VERSION';
  templateMajorVersion?: string;
  templateMinorVersion?: string;
  major: number;
  minor: number | undefined;
} {
  if (flags.minor !== undefined && flags.major !== undefined && typeof flags.major !== 'string')
    throw new CliError(
      'give --minor or --major, not both (use --major N --minor M for an exact version).',
    );
  const asNumber = (v: string | boolean | undefined, flag: string) => {
    if (typeof v !== 'string') return undefined;
    if (!/^\d+$/.test(v)) throw new CliError(`${flag} takes a version number (got "${v}").`);
    return Number(v);
  };
  const major = asNumber(flags.major, '--major');
  const minor = asNumber(flags.minor, '--minor');
  if (flags.major !== undefined) {
    const m = major ?? recommended(refs)?.major;
    if (m === undefined)
      throw new CliError(
        'the template has no published version to move to.',
        'publish one with `nucleon templates publish <template> <major.minor>`.',
      );
    if (major === undefined && m <= current.major)
      throw new CliError(
        `already on the recommended major version (${m}).`,
        'publish a new major first, or use --minor to move within this one.',
      );
    const target = minor ?? recommended(refs, m)?.minor;
    return {
      deploymentType: 'MAJOR_VERSION',
      templateMajorVersion: String(m),
      ...(minor !== undefined ? { templateMinorVersion: String(minor) } : {}),
      major: m,
      minor: target,
    };
  }
  if (flags.minor !== undefined) {
    const top = recommended(refs, current.major)?.minor;
    if (minor === undefined && (top === undefined || top <= current.minor)) {
      throw new CliError(
        `already on the recommended minor version of major ${current.major} (${current.major}.${top ?? current.minor}).`,
        'publish a newer minor first (nucleon templates publish), or leave out --minor to redeploy the current version.',
      );
    }
    return {
      deploymentType: 'MINOR_VERSION',
      ...(minor !== undefined ? { templateMinorVersion: String(minor) } : {}),
      major: current.major,
      minor: minor ?? recommended(refs, current.major)?.minor,
    };
  }
  return { deploymentType: 'CURRENT_VERSION', ...current };
}
