/**
 * Render contexts and errors in a form that crosses a worker-thread boundary intact. Structured
 * cloning drops class identity (PyFloat, Markup), hidden properties (an absent component's
 * `outputs`) and own `__proto__` keys, so every object is sent tagged and rebuilt on arrival.
 * @internal
 */
import { RenderError } from './render-error.js';
import { absentComponent, isAbsentComponent } from './render-contexts.js';
import { Markup, PyFloat, isDict, setItem } from './py-values.js';

/** A tagged value: primitives as themselves, every object as `[tag, payload]`. */
export type Wire = string | number | boolean | null | undefined | WireObject;
type WireObject =
  | ['float', number]
  | ['markup', string]
  | ['list', Wire[]]
  | ['dict', Array<[string, Wire]>]
  | ['absent'];

/** Encodes template data (the output of `toTemplateData`: JSON-like values, PyFloat, Markup). */
export function encodeValue(value: unknown): Wire {
  if (value === null || value === undefined) return value;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    default:
      break;
  }
  if (value instanceof PyFloat) return ['float', value.value];
  if (value instanceof Markup) return ['markup', value.value];
  if (Array.isArray(value)) return ['list', value.map(encodeValue)];
  if (isDict(value)) {
    if (isAbsentComponent(value)) return ['absent'];
    return ['dict', Object.keys(value).map((k): [string, Wire] => [k, encodeValue(value[k])])];
  }
  throw new TypeError(`cannot send a ${typeof value} to the render worker`);
}

export function decodeValue(wire: Wire): unknown {
  if (!Array.isArray(wire)) return wire;
  switch (wire[0]) {
    case 'float':
      return new PyFloat(wire[1]);
    case 'markup':
      return new Markup(wire[1]);
    case 'list':
      return wire[1].map(decodeValue);
    case 'absent':
      return absentComponent();
    case 'dict': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of wire[1]) setItem(out, k, decodeValue(v));
      return out;
    }
  }
}

/** Which limit a failed render ran into, when it was one. */
export type RenderLimit = 'steps' | 'output' | 'time' | 'memory';

/** A render failure as the worker reports it. */
export interface WireRenderError {
  file: string;
  line: number | undefined;
  message: string;
  limit?: RenderLimit | undefined;
}

/** A {@link RenderError} that ran into one of the render pool's limits. */
export class RenderLimitError extends RenderError {
  constructor(
    file: string,
    line: number | undefined,
    message: string,
    readonly limit: RenderLimit,
  ) {
    super(file, line, message);
  }
}

export function toRenderError(wire: WireRenderError): RenderError {
  return wire.limit
    ? new RenderLimitError(wire.file, wire.line, wire.message, wire.limit)
    : new RenderError(wire.file, wire.line, wire.message);
}
