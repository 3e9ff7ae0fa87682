import { RenderError, type Renderer } from '@nucleon/templates';

/** The outcome of rendering one Jinja template: its text, or the problems that stopped it. */
export type JinjaRenderResult =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly problems: readonly string[] };

/** How many undefined values one render may report before giving up looking for more. */
const MAX_MISSING = 50;
const UNDEFINED = /^([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*) is undefined$/;

/**
 * Renders a template with strict undefined, and when it reads a value the context lacks, keeps
 * going to find all of them: each missing dotted name gets a placeholder and the template is
 * rendered again. The result lists every missing name as `file:line: name is undefined`, then a
 * summary naming them all. Other render errors are reported as `file:line: message`.
 * `context` is modified (it must be a fresh object built for this render).
 */
export function renderJinjaFile(
  renderer: Renderer,
  source: string,
  context: Record<string, unknown>,
  file: string,
  label: string,
): JinjaRenderResult {
  const missing: { name: string; error: RenderError }[] = [];
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
    if (fresh) missing.push({ name, error: failure });
    if (missing.length === 0) return { ok: false, problems: [`${failure.toString()} (${label})`] };
    if (!fresh || missing.length >= MAX_MISSING || !fillPlaceholder(context, name)) break;
  }
  const names = missing.map((m) => m.name);
  return {
    ok: false,
    problems: [
      ...missing.map((m) => `${m.error.toString()} (${label})`),
      `${file}: ${label}: the template reads ${names.length === 1 ? 'a value that is' : 'values that are'} not defined: ${names.join(', ')} (inputs come from the spec and the schema defaults; everything else from context.json)`,
    ],
  };
}

/**
 * Sets `dotted` in `context` to a placeholder string; false when that is not possible. A name
 * under `service_instance` in a pipeline context is the loop variable of Proton's idiom
 * `{% for service_instance in service_instances %}`, so it is set in every list item.
 */
function fillPlaceholder(context: Record<string, unknown>, dotted: string): boolean {
  const [root, ...rest] = dotted.split('.');
  const items = context.service_instances;
  if (
    root === 'service_instance' &&
    context.service_instance === undefined &&
    Array.isArray(items) &&
    rest.length > 0
  ) {
    const filled = items.map(
      (item: unknown) => isObject(item) && setPlaceholder(item, rest, dotted),
    );
    return filled.length > 0 && filled.every(Boolean);
  }
  return setPlaceholder(context, dotted.split('.'), dotted);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function setPlaceholder(
  context: Record<string, unknown>,
  path: readonly string[],
  dotted: string,
): boolean {
  const segments = [...path];
  const last = segments.pop();
  if (last === undefined) return false;
  let node: Record<string, unknown> = context;
  for (const segment of segments) {
    const next = node[segment];
    if (next === undefined) {
      const created: Record<string, unknown> = {};
      node[segment] = created;
      node = created;
    } else if (isObject(next)) {
      node = next;
    } else {
      return false;
    }
  }
  if (node[last] !== undefined) return false;
  node[last] = `<missing ${dotted}>`;
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
