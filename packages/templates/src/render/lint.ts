/**
 * The pre-render lint: finds, before rendering, the constructs Proton's Jinja2 would itself have
 * refused (unknown tags such as `{% include %}` in a single-file bundle, `{% do %}`/`{% break %}`
 * without their extensions, unknown filters, tests and functions) plus the few Jinja filters whose
 * output cannot be reproduced (`random`...), each with the line and a rewrite. Everything Jinja2
 * runs — Python methods, `%` formatting, loop filters, tuple unpacking, `namespace()` — is left to
 * the renderer.
 */
import type { LintIssue } from './render-error.js';
import { FILTER_NAMES, TEST_NAMES, UNSUPPORTED_FILTERS } from './filter-registry.js';
import { tokenize } from './jinja-lexer.js';
import type { Expr, Stmt, Target } from './jinja/ast.js';
import { parseTemplate } from './jinja/parser.js';
import { GLOBAL_NAMES } from './jinja-runtime.js';

/** A lint finding before the file name is attached. */
export interface LintFinding {
  line: number;
  message: string;
}

const ALLOWED_TAGS = new Set([
  'if',
  'elif',
  'else',
  'endif',
  'for',
  'endfor',
  'set',
  'endset',
  'macro',
  'endmacro',
  'call',
  'endcall',
  'filter',
  'endfilter',
  'raw',
  'endraw',
  'block',
  'endblock',
  'with',
  'endwith',
  'autoescape',
  'endautoescape',
]);

const TAG_ADVICE: Readonly<Record<string, string>> = {
  elseif: '`elseif` is not Jinja; Jinja spells it `elif`',
  include: 'templates are single files in Proton bundles; inline the content or use a macro',
  import: 'templates are single files in Proton bundles; define the macro in this file',
  from: 'templates are single files in Proton bundles; define the macro in this file',
  extends: 'templates are single files in Proton bundles; template inheritance is not available',
  do: 'use `{% set _ = list.append(x) %}` instead of `{% do %}`',
  break:
    'loop controls need a Jinja extension Proton did not enable; use `{% if %}` inside the loop',
  continue:
    'loop controls need a Jinja extension Proton did not enable; use `{% if %}` inside the loop',
  verbatim: '`verbatim` is not Jinja; use `{% raw %}`',
  switch: '`switch` is not Jinja; use `{% if %}/{% elif %}`',
  trans: 'i18n tags are not available in Proton templates',
};

const GLOBAL_ADVICE: Readonly<Record<string, string>> = {
  lipsum: '`lipsum()` output is random; write the text in the template',
};

function tokenFindings(source: string): LintFinding[] {
  const out: LintFinding[] = [];
  let afterBlockStart = false;
  for (const tok of tokenize(source)) {
    const line = tok.lineno + 1;
    if (afterBlockStart && tok.type === 'symbol' && !ALLOWED_TAGS.has(tok.value)) {
      const advice = TAG_ADVICE[tok.value] ?? 'this tag is not available in Proton templates';
      out.push({ line, message: `{% ${tok.value} %} is not supported: ${advice}` });
    }
    afterBlockStart = tok.type === 'block-start';
  }
  return out;
}

interface WalkState {
  /** Names a template defines (macros, set targets), which may be called. */
  defined: Set<string>;
  out: LintFinding[];
}

function filterMessage(name: string): string | undefined {
  if (FILTER_NAMES.has(name)) return undefined;
  const reason = UNSUPPORTED_FILTERS[name];
  return reason ? `filter \`${name}\` is not supported: ${reason}` : `unknown filter \`${name}\``;
}

function callMessage(fn: Expr, state: WalkState): string | undefined {
  if (fn.k !== 'name') return undefined;
  const { name } = fn;
  if (GLOBAL_NAMES.has(name) || state.defined.has(name)) return undefined;
  if (name === 'caller' || name === 'loop') return undefined;
  return (
    GLOBAL_ADVICE[name] ??
    `unknown function \`${name}()\`: only macros defined in this template, range(), dict(), namespace(), cycler() and joiner() can be called`
  );
}

/** The finding for one node, if any. */
function nodeMessage(node: Record<string, unknown>, state: WalkState): string | undefined {
  switch (node.k) {
    case 'filter':
      return filterMessage(String(node.name));
    case 'test':
      return TEST_NAMES.has(String(node.name))
        ? undefined
        : `unknown test \`${String(node.name)}\``;
    case 'call':
      return callMessage(node.fn as Expr, state);
    default:
      return undefined;
  }
}

function walk(node: unknown, state: WalkState): void {
  if (Array.isArray(node)) {
    for (const n of node) walk(n, state);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const rec = node as Record<string, unknown>;
  if (typeof rec.k === 'string' && typeof rec.line === 'number') {
    const message = nodeMessage(rec, state);
    if (message) state.out.push({ line: rec.line, message });
  }
  for (const v of Object.values(rec)) if (typeof v === 'object') walk(v, state);
}

function collectDefined(node: unknown, names: Set<string>): void {
  if (Array.isArray(node)) {
    for (const n of node) collectDefined(n, names);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const rec = node as Record<string, unknown>;
  if (rec.k === 'macro') names.add(String(rec.name));
  if (
    (rec.k === 'set' || rec.k === 'setblock' || rec.k === 'for' || rec.k === 'with') &&
    rec.target
  ) {
    collectTargets(rec.target as Target, names);
  }
  if (rec.k === 'with') (rec.targets as Target[]).forEach((t) => collectTargets(t, names));
  if (rec.k === 'macro' || rec.k === 'callblock') {
    for (const p of (rec.params as { names: string[] }).names) names.add(p);
  }
  for (const v of Object.values(rec)) if (typeof v === 'object') collectDefined(v, names);
}

function collectTargets(t: Target, names: Set<string>): void {
  if (t.k === 'name') names.add(t.name);
  else if (t.k === 'tuple') t.items.forEach((i) => collectTargets(i, names));
}

function parseFailure(err: unknown, lastLine: number): LintFinding {
  const e = err as { lineno?: number; message?: string };
  const raw = (e.message ?? String(err)).trim();
  const message = `syntax error: ${raw}`;
  return { line: typeof e.lineno === 'number' && e.lineno > 0 ? e.lineno : lastLine, message };
}

/** Lints normalised template source; findings are sorted by line. */
export function lintSource(source: string): LintFinding[] {
  let out: LintFinding[];
  try {
    out = tokenFindings(source);
  } catch (err) {
    return [parseFailure(err, source.split('\n').length)];
  }
  let root: Stmt[] | undefined;
  try {
    root = parseTemplate(source);
  } catch (err) {
    const failure = parseFailure(err, source.split('\n').length);
    // A construct the token scan already explained usually causes the syntax error too.
    if (!out.some((f) => f.line === failure.line)) out.push(failure);
  }
  if (root) {
    const state: WalkState = { defined: new Set(), out };
    collectDefined(root, state.defined);
    walk(root, state);
  }
  const seen = new Set<string>();
  return out
    .filter((f) => !seen.has(`${f.line}:${f.message}`) && seen.add(`${f.line}:${f.message}`))
    .sort((a, b) => a.line - b.line);
}

/** Attaches a file name to lint findings. */
export function toIssues(file: string, findings: readonly LintFinding[]): LintIssue[] {
  return findings.map((f) => ({ file, line: f.line, message: f.message }));
}
