import { stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { NucleonError } from '@nucleon/core';
import {
  readBundleDirectory,
  SCHEMA_FILE,
  validateBundle,
  type BundleFiles,
  type BundleInfrastructure,
  type BundleProblem,
  type ParsedTemplateSchema,
} from '@nucleon/templates';
import { TemplateToolkitError } from './template-errors.js';

/** Which kind of template a bundle is for. */
export type BundleKind = 'environment' | 'service';

/** How `template lint` (and the other commands) decide what a bundle is. */
export interface BundleKindOptions {
  /** `--kind`; inferred from the layout when absent. */
  readonly kind?: string;
  /** `--customer-managed`: an environment template with schema only. */
  readonly customerManaged?: boolean;
  /** `false` with `--no-pipeline`; otherwise a pipeline exists when `pipeline_infrastructure/` does. */
  readonly pipeline?: boolean;
}

/** The template name and version used in generated ARNs (no server to ask offline). */
export interface ToolkitTemplateRef {
  readonly name: string;
  readonly majorVersion: string;
  readonly minorVersion: string;
}

/** A bundle folder read from disk, its kind, and everything registration checks found. */
export interface ToolkitBundle {
  readonly dir: string;
  readonly files: BundleFiles;
  readonly kind: BundleKind;
  readonly problems: readonly BundleProblem[];
  /** What registration accepts with a warning (a manifest's `engine` key). */
  readonly warnings: readonly BundleProblem[];
  readonly schema?: ParsedTemplateSchema;
  readonly infrastructure: BundleInfrastructure;
  readonly template: ToolkitTemplateRef;
  /** Permission bits of the bundle files that are executable (scripts CodeBuild commands run). */
  readonly executables: ReadonlyMap<string, number>;
}

/**
 * Reads a bundle folder and runs the registration checks (`validateBundle`) for the kind given
 * or inferred. A folder that cannot be read at all throws {@link TemplateToolkitError}.
 */
export async function loadToolkitBundle(
  dir: string,
  options: BundleKindOptions = {},
): Promise<ToolkitBundle> {
  let files: BundleFiles;
  try {
    files = await readBundleDirectory(dir);
  } catch (error) {
    if (error instanceof NucleonError) throw new TemplateToolkitError([`${dir}: ${error.message}`]);
    throw error;
  }
  const kind = bundleKind(files, dir, options);
  const report = validateBundle(files, {
    templateKind: kind === 'environment' ? 'ENVIRONMENT' : 'SERVICE',
    ...(options.customerManaged === true ? { customerManaged: true } : {}),
    ...(options.pipeline === false ? { pipeline: false } : {}),
  });
  return {
    dir,
    files,
    kind,
    problems: report.problems,
    warnings: report.warnings,
    ...(report.schema === undefined ? {} : { schema: report.schema }),
    infrastructure: report.infrastructure ?? {},
    template: templateRef(dir),
    executables: await executableModes(dir, files),
  };
}

/** Modes of the executable files, so copies stay runnable (files under a wrapper folder are skipped). */
async function executableModes(dir: string, files: BundleFiles): Promise<Map<string, number>> {
  const modes = new Map<string, number>();
  for (const path of files.keys()) {
    const info = await stat(join(dir, ...path.split('/'))).catch(() => undefined);
    if (info !== undefined && (info.mode & 0o111) !== 0) modes.set(path, info.mode & 0o777);
  }
  return modes;
}

/**
 * The kind of a bundle: `--kind` when given; environment for `--customer-managed`; otherwise
 * `infrastructure/` means environment, `instance_infrastructure/` or `pipeline_infrastructure/`
 * mean service, and failing both the schema's `environment_input_type`/`service_input_type`.
 */
export function bundleKind(
  files: BundleFiles,
  dir: string,
  options: BundleKindOptions,
): BundleKind {
  if (options.kind !== undefined) {
    if (options.kind !== 'environment' && options.kind !== 'service') {
      throw new TemplateToolkitError([
        `--kind must be "environment" or "service", not "${options.kind}"`,
      ]);
    }
    if (options.customerManaged === true && options.kind === 'service') {
      throw new TemplateToolkitError(['--customer-managed applies only to environment templates']);
    }
    return options.kind;
  }
  if (options.customerManaged === true) return 'environment';
  const folders = new Set([...files.keys()].map((p) => p.split('/')[0]));
  if (folders.has('infrastructure')) return 'environment';
  if (folders.has('instance_infrastructure') || folders.has('pipeline_infrastructure'))
    return 'service';
  const fromSchema = kindFromSchema(files.get(SCHEMA_FILE));
  if (fromSchema !== undefined) return fromSchema;
  throw new TemplateToolkitError([
    `${dir}: cannot tell whether this is an environment or a service template bundle (no infrastructure/, instance_infrastructure/ or input type in ${SCHEMA_FILE}); pass --kind environment or --kind service`,
  ]);
}

function kindFromSchema(data: Uint8Array | undefined): BundleKind | undefined {
  if (data === undefined) return undefined;
  let doc: unknown;
  try {
    doc = parseYaml(Buffer.from(data).toString('utf8'));
  } catch {
    return undefined;
  }
  const schema = isRecord(doc) && isRecord(doc.schema) ? doc.schema : {};
  if (schema.environment_input_type !== undefined) return 'environment';
  if (schema.service_input_type !== undefined) return 'service';
  return undefined;
}

/**
 * The template name for ARNs: the bundle folder's name, or, for the template-sync layout
 * `<template-name>/v<major>/`, the parent folder's name and that major version.
 */
export function templateRef(dir: string): ToolkitTemplateRef {
  const absolute = resolve(dir);
  const base = basename(absolute);
  const sync = /^v([1-9]\d*)$/.exec(base);
  const raw = sync === null ? base : basename(dirname(absolute));
  const name = raw.replace(/[^0-9A-Za-z_-]/g, '-').replace(/^[-_]+/, '') || 'template';
  return { name, majorVersion: sync?.[1] ?? '1', minorVersion: '0' };
}

/** True for a plain object (not an array or null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
