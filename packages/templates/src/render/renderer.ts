/**
 * The template renderer: Jinja2 semantics (as AWS Proton rendered CloudFormation templates), with
 * our own Jinja lexer, parser and compiler over a Python-semantics runtime. Each template is linted, then compiled once per distinct source and cached, then
 * run against a copy of the render context. Every failure surfaces as a {@link RenderError}
 * carrying the file and line.
 */
import { RenderError, TemplateRuntimeError, type LintIssue } from './render-error.js';
import { compileTemplate, executeTemplate, normalizeSource } from './compile-template.js';
import { LocatedFailure, withRenderBudget, type RenderBudget } from './jinja-runtime.js';
import { lintSource, toIssues, type LintFinding } from './lint.js';
import { isDict } from './py-values.js';
import { toTemplateData } from './template-data.js';

/** Options for {@link createRenderer}. */
export interface RendererOptions {
  /** How many compiled templates to keep (least recently used are dropped). Default 256. */
  cacheSize?: number;
  /**
   * Limits of each render (loop iterations, characters of expression output); a render that
   * passes one fails with a {@link RenderError} naming it. Unlimited when left out.
   */
  budget?: RenderBudget;
  /**
   * @internal The render pool's workers: every context is already template data made for that
   * one render (decoded from the message), so the defensive copy is skipped.
   */
  ownedContexts?: boolean;
}

/** Renders Jinja templates the way Proton did. */
export interface Renderer {
  /**
   * Renders `source` with `context` (the namespaces built by the render-context helpers).
   * `fileName` only labels errors. Throws {@link RenderError} on lint findings, syntax errors,
   * undefined references and any other render failure.
   */
  render(source: string, context: object, fileName: string): string;
  /** Returns the constructs in `source` that the renderer refuses, without rendering. */
  lint(source: string, fileName: string): LintIssue[];
}

type Run = (data: Record<string, unknown>) => string;

function compileRun(source: string): Run {
  const t = compileTemplate(source);
  return (data) => executeTemplate(t, data);
}

interface CacheEntry {
  findings: LintFinding[];
  compiled: Run | undefined;
  compileError: LintFinding | undefined;
}

function errorLine(err: unknown): number | undefined {
  const lineno = (err as { lineno?: unknown }).lineno;
  return typeof lineno === 'number' && lineno > 0 ? lineno : undefined;
}

function buildEntry(source: string): CacheEntry {
  const findings = lintSource(source);
  if (findings.length > 0) return { findings, compiled: undefined, compileError: undefined };
  try {
    return { findings, compiled: compileRun(source), compileError: undefined };
  } catch (err) {
    const message = err instanceof Error ? `syntax error: ${err.message}` : String(err);
    return { findings, compiled: undefined, compileError: { line: errorLine(err) ?? 1, message } };
  }
}

function toRenderError(err: unknown, file: string): RenderError {
  if (err instanceof RenderError) return err;
  if (err instanceof LocatedFailure) {
    const original = err.original;
    if (original instanceof RenderError) return original;
    const known = original instanceof TemplateRuntimeError;
    const message = known ? original.message : `internal render error: ${err.message}`;
    return new RenderError(file, err.line, message, { cause: original });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new RenderError(file, errorLine(err), message, { cause: err });
}

/**
 * Creates a renderer with its own compiled-template cache, keyed by the template text (a Map
 * hashes string keys once and caches the hash, which is cheaper than a digest per render), so the
 * same template is linted and compiled once however many resources render it.
 */
export function createRenderer(options: RendererOptions = {}): Renderer {
  const cacheSize = options.cacheSize ?? 256;
  const cache = new Map<string, CacheEntry>();

  function entryFor(source: string): CacheEntry {
    const hit = cache.get(source);
    if (hit) {
      if (cache.size > 1) {
        cache.delete(source);
        cache.set(source, hit);
      }
      return hit;
    }
    const entry = buildEntry(normalizeSource(source));
    cache.set(source, entry);
    if (cache.size > cacheSize) cache.delete(cache.keys().next().value as string);
    return entry;
  }

  function compiled(source: string, file: string): Run {
    const entry = entryFor(source);
    if (entry.compiled) return entry.compiled;
    const [first, ...rest] = entry.findings;
    if (first) {
      const more = rest.length > 0 ? ` (and ${rest.length} more lint finding(s))` : '';
      throw new RenderError(file, first.line, first.message + more);
    }
    if (entry.compileError)
      throw new RenderError(file, entry.compileError.line, entry.compileError.message);
    if (!entry.compiled) throw new RenderError(file, undefined, 'template did not compile');
    return entry.compiled;
  }

  return {
    render(source, context, fileName) {
      const template = compiled(source, fileName);
      if (!isDict(context)) {
        throw new RenderError(fileName, undefined, 'the render context must be a plain object');
      }
      const data = options.ownedContexts ? context : toTemplateData(context, fileName);
      try {
        return withRenderBudget(options.budget, () => template(data));
      } catch (err) {
        throw toRenderError(err, fileName);
      }
    },
    lint(source, fileName) {
      return toIssues(fileName, entryFor(source).findings);
    },
  };
}
