import { NucleonError } from '@nucleon/core';
import {
  classifySchemaChange,
  loadTemplateSchema,
  readBundleDirectory,
  SCHEMA_FILE,
  type ParsedTemplateSchema,
  type SchemaChange,
} from '@nucleon/templates';
import type { ToolkitBundle } from './template-bundle.js';
import { TemplateToolkitError } from './template-errors.js';

/** The verdict of comparing a bundle's schema with the previous version's. */
export interface SchemaDiffReport {
  /** One line per change, then `schema change: minor-compatible` or `... needs a new major version`. */
  readonly lines: readonly string[];
  readonly compatible: boolean;
}

const MINOR = 'minor-compatible';
const MAJOR = 'needs a new major version';

/**
 * Compares `previousDir`'s schema with the bundle's, input by input, with `classifySchemaChange`:
 * whether resources deployed with the previous version stay valid (a minor version may ship it)
 * or not (it needs a new major version).
 */
export async function diffBundleSchemas(
  previousDir: string,
  bundle: ToolkitBundle,
): Promise<SchemaDiffReport> {
  const previous = await readSchema(previousDir);
  const next = bundle.schema ?? (await readSchema(bundle.dir));
  const report = classifySchemaChange(previous, next);
  const lines = report.changes.map(
    (change) => `${describeChange(change)} — ${change.breaking ? MAJOR : MINOR}`,
  );
  if (lines.length === 0) lines.push(`no input changes since ${previousDir}`);
  lines.push(`schema change: ${report.compatible ? MINOR : MAJOR}`);
  return { lines, compatible: report.compatible };
}

async function readSchema(dir: string): Promise<ParsedTemplateSchema> {
  try {
    const data = (await readBundleDirectory(dir)).get(SCHEMA_FILE);
    if (data === undefined) throw new TemplateToolkitError([`${dir}: ${SCHEMA_FILE} is missing`]);
    return loadTemplateSchema(Buffer.from(data).toString('utf8'));
  } catch (error) {
    if (error instanceof NucleonError)
      throw new TemplateToolkitError([`${dir}/${SCHEMA_FILE}: ${error.message}`]);
    throw error;
  }
}

/** `input "port": removed`, `pipeline input "x": changed type from number to string`, ... */
function describeChange(change: SchemaChange): string {
  if (change.input.endsWith('_input_type'))
    return `${change.inputType} input type: ${change.message}`;
  const label =
    change.inputType === 'pipeline'
      ? `pipeline input "${change.input}"`
      : `input "${change.input}"`;
  if (change.kind === 'removed') return `${label}: removed`;
  const detail = change.message.startsWith(`${label} `)
    ? change.message.slice(label.length + 1)
    : change.message;
  if (change.kind === 'added') {
    if (detail === 'was added') return `${label}: added`;
    return `${label}: added, ${detail.replace(/^is newly /, '')}`;
  }
  return `${label}: ${detail}`;
}
