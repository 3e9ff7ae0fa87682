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
import { jinjaLex, parseJinja } from './jinja-parser.js';
import { GLOBAL_NAMES } from './jinja-runtime.js';
import type { NjNode, NjTokenizer } from './nunjucks-internals.js';

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
]);

const TAG_ADVICE: Readonly<Record<string, string>> = {
  elseif: '`elseif` is nunjucks-only; Jinja spells it `elif`',
  include: 'templates are single files in Proton bundles; inline the content or use a macro',
  import: 'templates are single files in Proton bundles; define the macro in this file',
  from: 'templates are single files in Proton bundles; define the macro in this file',
  extends: 'templates are single files in Proton bundles; template inheritance is not available',
  do: 'use `{% set _ = list.append(x) %}` instead of `{% do %}`',
  break:
    'loop controls need a Jinja extension Proton did not enable; use `{% if %}` inside the loop',
  continue:
    'loop controls need a Jinja extension Proton did not enable; use `{% if %}` inside the loop',
  verbatim: '`verbatim` is nunjucks-only; use `{% raw %}`',
  switch: '`switch` is nunjucks-only; use `{% if %}/{% elif %}`',
  autoescape: 'autoescaping is off in Proton templates; remove the tag',
  trans: 'i18n tags are not available in Proton templates',
};

const GLOBAL_ADVICE: Readonly<Record<string, string>> = {
  lipsum: '`lipsum()` output is random; write the text in the template',
};

/** Blanks `{% raw %}` bodies (keeping newlines) so the token scan ignores literal text. */
function blankRawBlocks(source: string): string {
  return source.replace(
    /(\{%-?\s*raw\s*-?%\})([\s\S]*?)(\{%-?\s*endraw\s*-?%\})/g,
    (_m, open: string, body: string, close: string) => open + body.replace(/[^\n]/g, ' ') + close,
  );
}

function tokenFindings(source: string): LintFinding[] {
  const out: LintFinding[] = [];
  const tokens: NjTokenizer = jinjaLex(blankRawBlocks(source));
  let afterBlockStart = false;
  for (let tok = tokens.nextToken(); tok; tok = tokens.nextToken()) {
    if (tok.type === 'whitespace') continue;
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
  macros: Set<string>;
  out: LintFinding[];
}

function childNodes(node: NjNode): NjNode[] {
  const kids: NjNode[] = [];
  const add = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(add);
    else if (v && typeof v === 'object' && 'typename' in v) kids.push(v as NjNode);
  };
  for (const f of node.fields) add(node[f]);
  // Parts the Jinja parser adds beside nunjucks' declared fields.
  for (const extra of ['filter', 'body', 'filters']) {
    if (!node.fields.includes(extra)) add(node[extra]);
  }
  return kids;
}

function checkCall(node: NjNode, state: WalkState, line: number): void {
  const callee = node.name as NjNode;
  if (callee.typename !== 'Symbol') return;
  const name = String(callee.value);
  if (GLOBAL_NAMES.has(name) || state.macros.has(name) || name === 'caller' || name === 'loop')
    return;
  const advice = GLOBAL_ADVICE[name];
  state.out.push({
    line,
    message:
      advice ??
      `unknown function \`${name}()\`: only macros defined in this template, range() and dict() can be called`,
  });
}

const STRUCTURAL: Readonly<Record<string, string>> = {
  Include: TAG_ADVICE.include ?? '',
  Import: TAG_ADVICE.import ?? '',
  FromImport: TAG_ADVICE.from ?? '',
  Extends: TAG_ADVICE.extends ?? '',
  Switch: TAG_ADVICE.switch ?? '',
  IfAsync: 'async tags are nunjucks-only',
  AsyncEach: 'async tags are nunjucks-only',
  AsyncAll: 'async tags are nunjucks-only',
};

function filterMessage(node: NjNode): string | undefined {
  const name = String((node.name as NjNode).value);
  if (FILTER_NAMES.has(name)) return undefined;
  const reason = UNSUPPORTED_FILTERS[name];
  return reason ? `filter \`${name}\` is not supported: ${reason}` : `unknown filter \`${name}\``;
}

function testMessage(node: NjNode): string | undefined {
  const right = node.right as NjNode;
  const name = String((right.name as NjNode | undefined)?.value ?? right.value);
  return TEST_NAMES.has(name) ? undefined : `unknown test \`${name}\``;
}

/** The finding for one node, if any (function calls are checked by {@link checkCall}). */
function nodeMessage(node: NjNode): string | undefined {
  switch (node.typename) {
    case 'Filter':
      return filterMessage(node);
    case 'Is':
      return testMessage(node);
    default: {
      const advice = STRUCTURAL[node.typename];
      return advice ? `${node.typename.toLowerCase()} is not supported: ${advice}` : undefined;
    }
  }
}

function checkNode(node: NjNode, state: WalkState): void {
  const line = node.lineno + 1;
  if (node.typename === 'FunCall') {
    checkCall(node, state, line);
    return;
  }
  const message = nodeMessage(node);
  if (message) state.out.push({ line, message });
}

function walk(node: NjNode, state: WalkState): void {
  checkNode(node, state);
  if (node.typename === 'Is') {
    // The right side is the test name (and its arguments), not a function call.
    walk(node.left as NjNode, state);
    const args = (node.right as NjNode).args as NjNode | undefined;
    if (args) walk(args, state);
    return;
  }
  for (const child of childNodes(node)) walk(child, state);
}

function collectMacros(root: NjNode, names: Set<string>): void {
  const visit = (n: NjNode): void => {
    if (n.typename === 'Macro') names.add(String((n.name as NjNode).value));
    if (n.typename === 'Set') {
      for (const t of n.targets as NjNode[])
        if (t.typename === 'Symbol') names.add(String(t.value));
    }
    childNodes(n).forEach(visit);
  };
  visit(root);
}

function parseFailure(err: unknown, lastLine: number): LintFinding {
  const e = err as { lineno?: number; message?: string };
  const raw = (e.message ?? String(err))
    .replace(/^\(unknown path\)\s*(\[Line \d+, Column \d+\])?\s*/, '')
    .trim();
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
  let root: NjNode | undefined;
  try {
    root = parseJinja(source);
  } catch (err) {
    const failure = parseFailure(err, source.split('\n').length);
    // A construct the token scan already explained usually causes the syntax error too.
    if (!out.some((f) => f.line === failure.line)) out.push(failure);
  }
  if (root) {
    const state: WalkState = { macros: new Set(), out };
    collectMacros(root, state.macros);
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
