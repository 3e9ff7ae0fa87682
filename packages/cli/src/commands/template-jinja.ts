import { RenderError, type Renderer } from '@nucleon/templates';

/** The outcome of rendering one Jinja template: its text, or the problems that stopped it. */
export type JinjaRenderResult =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly problems: readonly string[] };

/** How many undefined values one render may report before giving up looking for more. */
const MAX_MISSING = 50;
/** `environment.outputs.VpcId is undefined`, `service_instances[0].outputs.X is undefined`. */
const UNDEFINED = /^([A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[\d+\])*) is undefined$/;
const PLACEHOLDER_PREFIX = '<missing ';

interface Missing {
  readonly name: string;
  readonly error: RenderError;
}

/**
 * Renders a template with strict undefined, and when it reads a value the context lacks, keeps
 * going to find all of them: each missing name gets a placeholder and the template is rendered
 * again. The result lists every missing name as `file:line: name is undefined`, then a summary
 * naming them all. Other render errors are reported as `file:line: message`.
 * `context` is modified (it must be a fresh object built for this render).
 */
export function renderJinjaFile(
  renderer: Renderer,
  source: string,
  context: Record<string, unknown>,
  file: string,
  label: string,
): JinjaRenderResult {
  let missing: Missing[] = [];
  for (;;) {
    let failure: RenderError;
    try {
      const text = renderer.render(source, context, file);
      if (missing.length === 0) return { ok: true, text };
      break;
    } catch (error) {
      if (!(error instanceof RenderError)) throw error;
      failure = error;
    }
    const name = UNDEFINED.exec(failure.message)?.[1];
    const fresh = name !== undefined && !missing.some((m) => m.name === name);
    if (fresh) {
      // `service` then `service.name`: the deeper name says more; keep only it.
      missing = missing.filter((m) => !name.startsWith(`${m.name}.`));
      missing.push({ name, error: failure });
    }
    if (missing.length === 0) return { ok: false, problems: [`${failure.toString()} (${label})`] };
    if (!fresh || missing.length >= MAX_MISSING || !fillPlaceholder(context, name)) break;
  }
  return { ok: false, problems: missingProblems(missing, file, label) };
}

function missingProblems(missing: readonly Missing[], file: string, label: string): string[] {
  const names = missing.map((m) => m.name);
  const what = names.length === 1 ? 'a value that is' : 'values that are';
  return [
    ...missing.map((m) => `${m.error.toString()} (${label})`),
    `${file}: ${label}: the template reads ${what} not defined: ${names.join(', ')} (inputs come from the spec and the schema defaults; everything else from context.json)`,
  ];
}

/** `a.b[0].c` → `['a', 'b', 0, 'c']`. */
function pathOf(name: string): (string | number)[] {
  return [...name.matchAll(/([A-Za-z_]\w*)|\[(\d+)\]/g)].map((m) =>
    m[1] === undefined ? Number(m[2]) : m[1],
  );
}

/**
 * Sets `name` in `context` to a placeholder string; false when that is not possible. A name
 * under `service_instance` in a pipeline context is the loop variable of Proton's idiom
 * `{% for service_instance in service_instances %}`, so it is set in every list item.
 */
function fillPlaceholder(context: Record<string, unknown>, name: string): boolean {
  const [root, ...rest] = pathOf(name);
  const items = context.service_instances;
  const loopVariable = root === 'service_instance' && context.service_instance === undefined;
  if (loopVariable && Array.isArray(items) && items.length > 0 && rest.length > 0) {
    return items.every((item: unknown) => isObject(item) && setPlaceholder(item, rest, name));
  }
  return setPlaceholder(context, pathOf(name), name);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isPlaceholder(value: unknown): boolean {
  return typeof value === 'string' && value.startsWith(PLACEHOLDER_PREFIX);
}

function setPlaceholder(
  context: Record<string, unknown>,
  path: readonly (string | number)[],
  name: string,
): boolean {
  const last = path[path.length - 1];
  if (last === undefined || typeof last === 'number') return false;
  let node: unknown = context;
  for (const segment of path.slice(0, -1)) {
    if (typeof segment === 'number') {
      node = Array.isArray(node) ? node[segment] : undefined;
      if (node === undefined) return false;
      continue;
    }
    if (!isObject(node)) return false;
    const next = node[segment];
    // A placeholder set for `a` gives way to an object when `a.b` is read.
    if (next === undefined || isPlaceholder(next)) node[segment] = {};
    node = node[segment];
  }
  if (!isObject(node) || node[last] !== undefined) return false;
  node[last] = `${PLACEHOLDER_PREFIX}${name}>`;
  return true;
}

/** Removes properties whose value is `undefined` (in place, recursively) so strict undefined sees them as absent. */
export function pruneUndefined<T>(value: T): T {
  if (Array.isArray(value)) {
    value.forEach(pruneUndefined);
  } else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (record[key] === undefined) delete record[key];
      else pruneUndefined(record[key]);
    }
  }
  return value;
}
