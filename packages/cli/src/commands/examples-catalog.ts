import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packBundleParts } from './pack-bundle-parts.js';

/** The groups `--only` selects. */
export const EXAMPLE_GROUPS = ['local', 'cloudformation'] as const;
export type ExampleGroup = (typeof EXAMPLE_GROUPS)[number];

/** One example template bundle, as listed in examples/catalog.json. */
export interface ExampleEntry {
  /** Template name in Nucleon. */
  readonly name: string;
  readonly group: ExampleGroup;
  readonly kind: 'environment' | 'service';
  /** Bundle folder, absolute. */
  readonly dir: string;
  readonly engine: string;
  readonly description: string;
  /** Service templates: CUSTOMER_MANAGED means no pipeline. */
  readonly pipelineProvisioning?: 'CUSTOMER_MANAGED';
  /** Service templates: the environment templates (their newest major) it runs in. */
  readonly compatibleEnvironmentTemplates: readonly string[];
  /** Suggested names and spec files (absolute) for the next-step commands. */
  readonly try: { name: string; spec: string; instance?: string; update?: string };
}

/**
 * The repository's examples/ folder, found from this module's own path: the CLI package lives
 * at <repo>/packages/cli, and both src/commands/ and dist/commands/ sit two levels below it.
 */
export function defaultExamplesDir(): string {
  return fileURLToPath(new URL('../../../../examples/', import.meta.url));
}

function fail(message: string): never {
  throw new ExamplesError(message);
}

/** A problem with the examples folder or an install step, shown to the user without a stack. */
export class ExamplesError extends Error {
  override name = 'ExamplesError';
}

/** Reads and checks examples/catalog.json. */
export async function loadCatalog(examplesDir: string): Promise<ExampleEntry[]> {
  const file = join(examplesDir, 'catalog.json');
  if (!existsSync(file)) fail(`${file} not found: pass --examples-dir <repo>/examples`);
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    fail(`${file}: ${(error as Error).message}`);
  }
  const list = (doc as { examples?: unknown }).examples;
  if (!Array.isArray(list)) fail(`${file}: "examples" must be a list`);
  const names = new Set<string>();
  return list.map((raw: Record<string, unknown>, i) => {
    const at = `${file}: examples[${i}]`;
    const str = (key: string): string => {
      const v = raw[key];
      if (typeof v !== 'string' || v === '') fail(`${at}.${key} must be a non-empty string`);
      return v;
    };
    const name = str('name');
    if (!/^[0-9A-Za-z]+[0-9A-Za-z_-]*$/.test(name))
      fail(`${at}.name ${name} is not a valid template name`);
    if (names.has(name)) fail(`${at}.name ${name} appears twice`);
    names.add(name);
    const group = str('group') as ExampleGroup;
    if (!EXAMPLE_GROUPS.includes(group))
      fail(`${at}.group must be one of ${EXAMPLE_GROUPS.join(', ')}`);
    const kind = str('kind');
    if (kind !== 'environment' && kind !== 'service')
      fail(`${at}.kind must be environment or service`);
    const dir = resolve(examplesDir, str('path'));
    if (!existsSync(join(dir, 'schema', 'schema.yaml')))
      fail(`${at}: ${dir} has no schema/schema.yaml`);
    const compatible = raw.compatibleEnvironmentTemplates ?? [];
    if (!Array.isArray(compatible) || compatible.some((c) => typeof c !== 'string'))
      fail(`${at}.compatibleEnvironmentTemplates must be a list of names`);
    if (kind === 'service' && compatible.length === 0)
      fail(`${at}: a service example needs compatibleEnvironmentTemplates`);
    for (const c of compatible as string[])
      if (!names.has(c))
        fail(`${at}: compatible environment template ${c} must be listed before it`);
    const tryRaw = (raw.try ?? {}) as Record<string, unknown>;
    if (typeof tryRaw.name !== 'string' || typeof tryRaw.spec !== 'string')
      fail(`${at}.try needs name and spec`);
    const pipelineProvisioning = raw.pipelineProvisioning;
    if (pipelineProvisioning !== undefined && pipelineProvisioning !== 'CUSTOMER_MANAGED')
      fail(`${at}.pipelineProvisioning may only be CUSTOMER_MANAGED`);
    return {
      name,
      group,
      kind,
      dir,
      engine: str('engine'),
      description: str('description'),
      ...(pipelineProvisioning === 'CUSTOMER_MANAGED' ? { pipelineProvisioning } : {}),
      compatibleEnvironmentTemplates: compatible as string[],
      try: {
        name: tryRaw.name,
        spec: join(dir, tryRaw.spec),
        ...(typeof tryRaw.instance === 'string' ? { instance: tryRaw.instance } : {}),
        ...(typeof tryRaw.update === 'string' ? { update: join(dir, tryRaw.update) } : {}),
      },
    };
  });
}

/** A packed example bundle and the store key derived from its content. */
export interface PackedExample {
  readonly data: Uint8Array;
  readonly sha256: string;
  /** `examples/<name>-<sha256 prefix>.tar.gz`; the same content always gives the same key. */
  readonly key: string;
}

/**
 * Packs the template parts of an example (schema/ and the infrastructure folders, not spec/ or
 * README.md, so documentation edits never make a new version) the way `nucleon bundle push`
 * packs a folder: deterministic, so the sha256 changes exactly when the template does.
 */
export async function packExample(example: ExampleEntry): Promise<PackedExample> {
  const { data } = await packBundleParts(example.dir);
  const sha256 = createHash('sha256').update(data).digest('hex');
  return { data, sha256, key: `examples/${example.name}-${sha256.slice(0, 12)}.tar.gz` };
}
