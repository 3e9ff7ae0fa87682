/**
 * The pre-render lint. Some Jinja constructs cannot be rendered identically by the nunjucks-based
 * engine (loop filters, `%` formatting, Python string methods, `namespace()`...) and some nunjucks
 * constructs are not Jinja at all (`elseif`, `===`, regex literals). Rather than render either
 * kind silently differently from Proton, the lint rejects them up front with the line and a
 * rewrite that works in both engines.
 */
import type { LintIssue } from './render-error.js';
import { FILTER_NAMES, TEST_NAMES, UNSUPPORTED_FILTERS } from './filter-registry.js';
import { jinjaLex, parseJinja } from './jinja-parser.js';
import { GLOBAL_NAMES } from './jinja-runtime.js';
import type { NjNode, NjTokenizer } from './nunjucks-internals.js';
import { STR_METHOD_REWRITES, strMethodMessage } from './rewrites.js';

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
]);

const TAG_ADVICE: Readonly<Record<string, string>> = {
  elseif: '`elseif` is nunjucks-only; Jinja spells it `elif`',
  include: 'templates are single files in Proton bundles; inline the content or use a macro',
  import: 'templates are single files in Proton bundles; define the macro in this file',
  from: 'templates are single files in Proton bundles; define the macro in this file',
  extends: 'templates are single files in Proton bundles; template inheritance is not available',
  with: 'use `{% set %}` instead of `{% with %}`',
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

const LIST_OR_DICT_METHODS = new Set(['count', 'index', 'copy', 'pop']);

const GLOBAL_ADVICE: Readonly<Record<string, string>> = {
  namespace:
    '`namespace()` is not supported; accumulate into a list with `{% set _ = items.append(x) %}` or compute the value with filters such as `| sum`, `| join`, `| selectattr`',
  lipsum: '`lipsum()` output is random; write the text in the template',
  cycler: '`cycler()` is not supported; use `loop.cycle(a, b)` inside the loop',
  joiner: '`joiner()` is not supported; use `{% if not loop.first %}, {% endif %}` inside the loop',
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
    if (tok.type === 'block-start' && tok.value.endsWith('+')) {
      out.push({
        line,
        message:
          'the `{%+` modifier is not supported by nunjucks; remove the `+` (it has no effect with lstrip_blocks off, as in Proton)',
      });
    }
    if (tok.type === 'operator' && (tok.value === '===' || tok.value === '!==')) {
      out.push({
        line,
        message: `\`${tok.value}\` is not Jinja; use \`${tok.value.slice(0, 2)}\``,
      });
    }
    if (tok.type === 'regex')
      out.push({ line, message: 'regex literals (r/.../) are nunjucks-only and not Jinja' });
    if (tok.type === 'none' && tok.value === 'null') {
      out.push({
        line,
        message:
          '`null` is not a Jinja literal (Jinja would look up a variable named null); use `none`',
      });
    }
    if (tok.type === 'symbol' && /^\d/.test(tok.value)) {
      out.push({
        line,
        message: `number literal \`${tok.value}\` is not supported; write it as a plain integer or decimal`,
      });
    }
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
  return kids;
}

function checkCall(node: NjNode, state: WalkState, line: number): void {
  const callee = node.name as NjNode;
  if (callee.typename === 'LookupVal') {
    const key = callee.val as NjNode;
    const method = typeof key.value === 'string' ? key.value : '';
    const target = callee.target as NjNode;
    if (target.typename === 'Symbol' && target.value === 'loop' && method === 'changed') {
      state.out.push({
        line,
        message: '`loop.changed()` is not supported; compare with `loop.previtem` instead',
      });
    } else if (
      Object.prototype.hasOwnProperty.call(STR_METHOD_REWRITES, method) &&
      !LIST_OR_DICT_METHODS.has(method)
    ) {
      state.out.push({ line, message: strMethodMessage(method) });
    }
    return;
  }
  if (callee.typename !== 'Symbol') return;
  const name = String(callee.value);
  if (GLOBAL_NAMES.has(name) || state.macros.has(name) || name === 'caller') return;
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

const LOOP_FILTER =
  'loop filters (`{% for x in y if cond %}`) render differently in nunjucks; use `{% for x in y %}{% if cond %}…{% endif %}{% endfor %}`, or filter first with `| select(...)`/`| selectattr(...)` when loop.index must count only the kept items';
const PERCENT_FORMAT =
  "`'...' % values` string formatting is not supported; use `'...' | format(values)`";
const TUPLE_SET =
  'tuple unpacking in `{% set a, b = ... %}` is not supported; set each name separately';

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
    case 'For':
      return (node.arr as NjNode).typename === 'InlineIf' ? LOOP_FILTER : undefined;
    case 'Mod': {
      const left = node.left as NjNode;
      return left.typename === 'Literal' && typeof left.value === 'string'
        ? PERCENT_FORMAT
        : undefined;
    }
    case 'Filter':
      return filterMessage(node);
    case 'Is':
      return testMessage(node);
    case 'Set':
      return (node.targets as NjNode[]).length > 1 ? TUPLE_SET : undefined;
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
    if (n.typename === 'Set') for (const t of n.targets as NjNode[]) names.add(String(t.value));
    childNodes(n).forEach(visit);
  };
  visit(root);
}

function parseFailure(err: unknown, lastLine: number): LintFinding {
  const e = err as { lineno?: number; message?: string };
  const raw = (e.message ?? String(err))
    .replace(/^\(unknown path\)\s*(\[Line \d+, Column \d+\])?\s*/, '')
    .trim();
  let message = `syntax error: ${raw}`;
  if (raw.includes('expected block end in set statement')) {
    message +=
      ' (tuple assignment `{% set a, b = 1, 2 %}` is not supported; set each name separately)';
  }
  return { line: typeof e.lineno === 'number' && e.lineno > 0 ? e.lineno : lastLine, message };
}

/** Lints normalised template source; findings are sorted by line. */
export function lintSource(source: string): LintFinding[] {
  const out = tokenFindings(source);
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
