import type { BundleProblem } from './bundle-problem.js';
import { normaliseBundlePath } from './bundle-files.js';
import { BUNDLE_LIMIT_SETTINGS, DEFAULT_BUNDLE_LIMITS } from './bundle-limits.js';
import { isPlainObject } from './check-schema-object.js';
import { parseCodeBuildSettings, type CodeBuildSettings } from './parse-codebuild-settings.js';
import { parseYamlStrict, type YamlPath, type YamlSource } from './yaml-source.js';

export type { CodeBuildSettings } from './parse-codebuild-settings.js';

/** How a template's infrastructure is provisioned. */
export type ManifestEngine = 'cloudformation' | 'terraform' | 'codebuild';

/** A validated `manifest.yaml` of one infrastructure folder (spec §4.4). */
export interface ParsedManifest {
  readonly engine: ManifestEngine;
  /** The infrastructure folder: `infrastructure`, `instance_infrastructure` or `pipeline_infrastructure`. */
  readonly directory: string;
  /**
   * Bundle-relative paths of the files to render and run: the one CloudFormation template, the
   * Terraform `.tf` files, or (CodeBuild) every file of the folder except the manifest.
   */
  readonly files: readonly string[];
  /** CodeBuild settings (`engine: 'codebuild'` only). */
  readonly settings?: CodeBuildSettings;
}

const ENTRY_KEYS = ['file', 'rendering_engine', 'template_language', 'settings', 'input_type'];
const VALID_COMBINATIONS =
  'rendering_engine: jinja with template_language: cloudformation; rendering_engine: hcl with template_language: terraform; rendering_engine: codebuild without template_language';

interface ManifestContext {
  readonly directory: string;
  readonly source: YamlSource;
  readonly paths: ReadonlySet<string>;
  readonly maxTemplateFiles: number;
  readonly problems: BundleProblem[];
  readonly warnings: BundleProblem[];
}

/**
 * Parses and checks the `manifest.yaml` of an infrastructure folder: one of the three engines
 * (Jinja + CloudFormation with exactly one existing file; HCL + Terraform with `file: "*"` for
 * every `*.tf` at the top of the folder, or named files that exist, at least one `.tf`;
 * CodeBuild with `settings.provision` and `settings.deprovision` command lists), at most
 * `maxTemplateFiles` template files. `paths` are all bundle-relative file paths. An entry's
 * `engine` key (early Proton bundles' spelling) is read as `rendering_engine`, with a warning.
 */
export function parseManifest(
  directory: string,
  text: string,
  paths: ReadonlySet<string>,
  maxTemplateFiles: number = DEFAULT_BUNDLE_LIMITS.maxTemplateFiles,
): { manifest?: ParsedManifest; problems: BundleProblem[]; warnings: BundleProblem[] } {
  const parsed = parseYamlStrict(`${directory}/manifest.yaml`, text);
  if (parsed.source === undefined) return { problems: parsed.problems, warnings: [] };
  const ctx: ManifestContext = {
    directory,
    source: parsed.source,
    paths,
    maxTemplateFiles,
    problems: [],
    warnings: [],
  };
  const { problems, warnings } = ctx;
  const entries = templateEntries(ctx);
  if (entries === undefined) return { problems, warnings };
  const engines = entries.map((entry, i) => entryEngine(entry, i, ctx));
  const engine = engines[0];
  if (engine === undefined || engines.some((e) => e !== engine)) {
    if (engines.every((e) => e !== undefined)) {
      report(
        ctx,
        ['infrastructure', 'templates'],
        'all templates of one manifest must use the same rendering engine',
      );
    }
    return { problems, warnings };
  }
  const manifest = buildManifest(engine, entries, ctx);
  return problems.length === 0 && manifest !== undefined
    ? { manifest, problems: [], warnings }
    : { problems, warnings };
}

function report(ctx: ManifestContext, path: YamlPath, message: string): void {
  ctx.problems.push(ctx.source.problem(path, message));
}

function ignored(ctx: ManifestContext, path: YamlPath, what: string): void {
  ctx.warnings.push(ctx.source.problem(path, `${what} is ignored`));
}

function templateEntries(ctx: ManifestContext): Record<string, unknown>[] | undefined {
  const root = ctx.source.value;
  const infrastructure = isPlainObject(root) ? root.infrastructure : undefined;
  const templates = isPlainObject(infrastructure) ? infrastructure.templates : undefined;
  if (!Array.isArray(templates) || templates.length === 0) {
    report(
      ctx,
      ['infrastructure'],
      'must contain "infrastructure: templates:" with at least one template entry',
    );
    return undefined;
  }
  // Unknown keys are ignored with a warning: nothing shows that Proton refused them, and refusing
  // would break a bundle that registered there (ADR 0016).
  for (const key of Object.keys(root as object)) {
    if (key !== 'infrastructure') ignored(ctx, [key], `unknown top-level key "${key}"`);
  }
  for (const key of Object.keys(infrastructure as object)) {
    if (key !== 'templates')
      ignored(ctx, ['infrastructure', key], `unknown key "infrastructure.${key}"`);
  }
  const entries: Record<string, unknown>[] = [];
  templates.forEach((entry: unknown, i) => {
    if (!isPlainObject(entry)) {
      report(ctx, ['infrastructure', 'templates', i], 'each template entry must be a mapping');
      return;
    }
    for (const key of Object.keys(entry)) {
      if (key !== 'engine' && !ENTRY_KEYS.includes(key)) {
        ignored(
          ctx,
          ['infrastructure', 'templates', i, key],
          `unknown key "${key}" in a template entry (known: ${ENTRY_KEYS.join(', ')})`,
        );
      }
    }
    entries.push(readEngineKey(entry, i, ctx));
  });
  return ctx.problems.length === 0 ? entries : undefined;
}

/**
 * `engine: jinja` — the key early bundles (AWS's template-checker's own samples among them)
 * wrote — is read as `rendering_engine`, with a warning; when both are given, `rendering_engine`
 * wins (ADR 0016).
 */
function readEngineKey(
  entry: Record<string, unknown>,
  index: number,
  ctx: ManifestContext,
): Record<string, unknown> {
  if (!('engine' in entry)) return entry;
  const { engine, ...rest } = entry;
  const at: YamlPath = ['infrastructure', 'templates', index, 'engine'];
  const warn = (message: string) => ctx.warnings.push(ctx.source.problem(at, message));
  if (rest.rendering_engine === undefined) {
    warn(
      `"engine" is read as "rendering_engine" (the key early Proton bundles used); write rendering_engine: ${shown(engine)}`,
    );
    return { ...rest, rendering_engine: engine };
  }
  warn(
    rest.rendering_engine === engine
      ? '"engine" repeats "rendering_engine"; remove it'
      : `"engine: ${shown(engine)}" is ignored: rendering_engine: ${shown(rest.rendering_engine)} applies`,
  );
  return rest;
}

/** A scalar as written; anything else as JSON. */
function shown(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function entryEngine(
  entry: Record<string, unknown>,
  index: number,
  ctx: ManifestContext,
): ManifestEngine | undefined {
  const engine = entry.rendering_engine;
  const language = entry.template_language;
  if (engine === 'jinja' && language === 'cloudformation') return 'cloudformation';
  if (engine === 'hcl' && language === 'terraform') return 'terraform';
  if (engine === 'codebuild' && language === undefined) return 'codebuild';
  const given = `rendering_engine ${JSON.stringify(engine ?? null)} with template_language ${JSON.stringify(language ?? null)}`;
  report(
    ctx,
    ['infrastructure', 'templates', index],
    `unsupported ${given}; valid combinations: ${VALID_COMBINATIONS}`,
  );
  return undefined;
}

function buildManifest(
  engine: ManifestEngine,
  entries: readonly Record<string, unknown>[],
  ctx: ManifestContext,
): ParsedManifest | undefined {
  if (engine !== 'terraform' && entries.length > 1) {
    const message = `a ${engine} manifest has exactly one template entry`;
    report(ctx, ['infrastructure', 'templates', 1], message);
    return undefined;
  }
  if (engine === 'codebuild') return buildCodeBuildManifest(entries[0] ?? {}, ctx);
  const files: string[] = [];
  entries.forEach((entry, i) => {
    const at: YamlPath = ['infrastructure', 'templates', i];
    if (entry.settings !== undefined) {
      report(ctx, [...at, 'settings'], '"settings" apply only to codebuild templates');
    }
    if (entry.input_type !== undefined) {
      report(ctx, [...at, 'input_type'], '"input_type" applies only to codebuild templates');
    }
    files.push(...entryFiles(engine, entry.file, i, ctx));
  });
  const unique = [...new Set(files)].sort();
  const noTerraform = engine === 'terraform' && !unique.some((f) => f.endsWith('.tf'));
  if (noTerraform && ctx.problems.length === 0) {
    report(
      ctx,
      ['infrastructure', 'templates'],
      `no Terraform (.tf) file found in ${ctx.directory}/`,
    );
  }
  if (unique.length > ctx.maxTemplateFiles) {
    const message = `the manifest selects ${unique.length} template files; the limit is ${ctx.maxTemplateFiles} (${BUNDLE_LIMIT_SETTINGS.maxTemplateFiles})`;
    report(ctx, ['infrastructure', 'templates'], message);
  }
  return { engine, directory: ctx.directory, files: unique };
}

/** CodeBuild: no template file; the whole folder (minus the manifest) is the working directory. */
function buildCodeBuildManifest(
  entry: Record<string, unknown>,
  ctx: ManifestContext,
): ParsedManifest | undefined {
  const at: YamlPath = ['infrastructure', 'templates', 0];
  if (entry.file !== undefined) {
    const message = 'a codebuild template has no "file"; the whole folder is the working directory';
    report(ctx, [...at, 'file'], message);
  }
  const settings = parseCodeBuildSettings(entry, ctx.source, at, ctx.problems, ctx.warnings);
  const manifestPath = `${ctx.directory}/manifest.yaml`;
  const files = [...ctx.paths]
    .filter((p) => p.startsWith(`${ctx.directory}/`) && p !== manifestPath)
    .sort();
  if (settings === undefined) return undefined;
  return { engine: 'codebuild', directory: ctx.directory, files, settings };
}

function entryFiles(
  engine: ManifestEngine,
  file: unknown,
  index: number,
  ctx: ManifestContext,
): string[] {
  const at: YamlPath = ['infrastructure', 'templates', index, 'file'];
  if (typeof file !== 'string' || file === '') {
    report(
      ctx,
      ['infrastructure', 'templates', index],
      `a ${engine} template needs "file" naming the template file${engine === 'terraform' ? ' (or "*" for every .tf file)' : ''}`,
    );
    return [];
  }
  if (file === '*') {
    if (engine === 'cloudformation') {
      report(ctx, at, 'a CloudFormation manifest names exactly one file; "*" is for Terraform');
      return [];
    }
    return [...ctx.paths].filter((p) => isTopLevelIn(p, ctx.directory) && p.endsWith('.tf')).sort();
  }
  if (/[*?[\]]/.test(file)) {
    report(ctx, at, `file patterns other than "*" are not supported: "${file}"`);
    return [];
  }
  const normalised = normaliseBundlePath(file);
  if (!normalised.ok || normalised.path === '') {
    report(
      ctx,
      at,
      `file "${file}" is not a valid path inside ${ctx.directory}/${normalised.ok ? '' : `: ${normalised.reason}`}`,
    );
    return [];
  }
  const path = `${ctx.directory}/${normalised.path}`;
  if (!ctx.paths.has(path)) {
    report(
      ctx,
      at,
      `template file "${file}" named in the manifest does not exist in ${ctx.directory}/`,
    );
    return [];
  }
  return [path];
}

function isTopLevelIn(path: string, directory: string): boolean {
  return path.startsWith(`${directory}/`) && !path.slice(directory.length + 1).includes('/');
}
