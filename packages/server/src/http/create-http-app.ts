import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { Logger } from '@nucleon/core';
import {
  checkOutputShape,
  extensionTargetPrefix,
  formatViolations,
  operationNames,
  serializeShape,
  targetPrefix,
  validateShape,
} from '@nucleon/protocol';
import type { IncomingMessage } from 'node:http';
import type { HttpBindings } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono, type Context } from 'hono';
import { ValidationError } from '@nucleon/core';
import type { Principal } from '../app/request-context.js';
import { parseTraceparent } from './traceparent.js';
import type { Span, Tracer } from '../ports/tracer.js';
import type { AccessGuard, Authorized } from './access-guard.js';
import { ProtocolError, toWireError } from './error-mapper.js';
import type { OperationRegistry } from './operation-registry.js';
import { readBoundedBody, readBoundedIncoming } from './read-body.js';

export interface HttpAppOptions {
  operations: OperationRegistry;
  /**
   * Checks a signed request from its headers alone (signed headers, date, key), before its body
   * is read; resolves with the second half, which verifies the signature over the body (and
   * takes from the caller's rate budget).
   */
  authenticate(request: {
    method: string;
    path: string;
    query: Record<string, string>;
    headers: Record<string, string>;
  }): Promise<(body: Uint8Array) => Promise<Principal>>;
  logger: Logger;
  /** Body limit of PutBundle (bundles travel in the body). */
  maxRequestBytes: number;
  /** Body limit of every other operation. */
  maxBodyBytes: number;
  /** `/readyz`: each check that fails names itself in the 503 body. */
  ready(): Promise<{ ready: boolean; checks: Record<string, string> }>;
  /** Every API call's operation (`unknown` for an unknown target), outcome and duration. */
  observe?(operation: string, outcome: string, seconds: number): void;
  /** A SERVER span per API call (continuing a `traceparent`); absent: tracing is off. */
  tracer?: Tracer | undefined;
  /** `/metrics` (Prometheus text); absent: no route. */
  metrics?: {
    scrape(): Promise<{ contentType: string; body: string }>;
    /** When set, a scrape must send `Authorization: Bearer <token>`. */
    token?: string | undefined;
  };
  /** Authorization and audit of every call (see operation-access.ts). */
  guard: AccessGuard;
  /**
   * Check every output against the model strictly (NUCLEON_STRICT_WIRE, on in the tests): a
   * mismatch answers 500 InternalServerException naming it, instead of a member dropped silently.
   */
  strictWire?: boolean;
  /** Extra routes (the web console), mounted after the API with the same operation dispatcher. */
  mount?(app: Hono, dispatch: OperationDispatcher): void;
}

/** One decoded call: its target, who makes it, and its JSON input. */
export interface OperationCall {
  target: string | undefined;
  /** Resolved once the target is known, so an unknown operation is refused before authentication. */
  principal(): Promise<Principal>;
  /** The awsJson1_0 request bytes, or an input a front already decoded from JSON (the console's). */
  input: unknown;
}

/**
 * Answers one call with the awsJson1_0 response: the same registry, scope check, validation,
 * serialization and error mapping for every front. `decode` runs inside the error mapping.
 */
export type OperationDispatcher = (
  c: Context,
  decode: () => Promise<OperationCall>,
) => Promise<Response>;

const protonOperations = new Set<string>(operationNames);
/** The one operation whose body may be large: it carries a bundle archive. */
const BUNDLE_TARGET = `${extensionTargetPrefix}.PutBundle`;

function sourceAddress(c: Context): string | null {
  const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
  if (incoming) return incoming.socket.remoteAddress ?? null;
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null;
  }
}

function jsonResponse(
  c: Context,
  status: number,
  body: unknown,
  requestId: string,
  errorType?: string,
): Response {
  const headers: Record<string, string> = {
    'content-type': 'application/x-amz-json-1.0',
    'x-amzn-requestid': requestId,
    date: new Date().toUTCString(),
  };
  if (errorType) headers['x-amzn-errortype'] = errorType;
  return c.body(JSON.stringify(body), status as 200, headers);
}

function resolveTarget(target: string | undefined, operations: OperationRegistry) {
  if (!target)
    throw new ProtocolError(
      'UnknownOperationException',
      400,
      'The X-Amz-Target header is missing: send AwsProton20200720.<Operation>.',
    );
  const entry = operations.get(target);
  if (entry) return entry;
  const [prefix, name] = target.split('.', 2);
  if (prefix === targetPrefix && name && protonOperations.has(name)) {
    throw new ProtocolError(
      'NotImplementedException',
      501,
      `${name} is a Proton operation that Nucleon does not implement yet. See the README's list of supported operations.`,
    );
  }
  if (prefix !== targetPrefix && prefix !== extensionTargetPrefix) {
    throw new ProtocolError(
      'UnknownOperationException',
      400,
      `Unknown target prefix in X-Amz-Target "${target}": expected ${targetPrefix}.<Operation> or ${extensionTargetPrefix}.<Operation>.`,
    );
  }
  throw new ProtocolError(
    'UnknownOperationException',
    400,
    `Unknown operation ${name ?? ''} in X-Amz-Target "${target}".`,
  );
}

/** Compares a bearer token in constant time. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim() ?? '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

type SignedRequestHead = Parameters<HttpAppOptions['authenticate']>[0];

/** The signed parts of a Node request: path, query and lower-cased headers (repeated ones joined). */
function requestOf(incoming: IncomingMessage): SignedRequestHead {
  const raw = incoming.url ?? '/';
  const q = raw.indexOf('?');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    method: 'POST',
    path: q < 0 ? raw : raw.slice(0, q),
    query: q < 0 ? {} : Object.fromEntries(new URLSearchParams(raw.slice(q + 1))),
    headers,
  };
}

/** The same from a fetch Request (when the app runs outside Node's HTTP server). */
function requestOfFetch(request: Request): SignedRequestHead {
  const url = new URL(request.url);
  return {
    method: 'POST',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: Object.fromEntries([...request.headers].map(([k, v]) => [k.toLowerCase(), v])),
  };
}

/** Decodes a JSON object body; anything else is a SerializationException. */
export function parseJson(body: unknown): Record<string, unknown> {
  if (body instanceof Uint8Array && body.byteLength === 0) return {};
  let parsed: unknown = body;
  try {
    if (body instanceof Uint8Array) parsed = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch (error) {
    throw new ProtocolError(
      'SerializationException',
      400,
      `The request body is not valid JSON: ${(error as Error).message}.`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ProtocolError(
      'SerializationException',
      400,
      'The request body must be a JSON object.',
    );
  }
  return parsed as Record<string, unknown>;
}

/** The dispatcher every front shares (the signed API on `POST /`, the console's session calls). */
export function createOperationDispatcher(
  options: Pick<
    HttpAppOptions,
    'operations' | 'logger' | 'guard' | 'observe' | 'strictWire' | 'tracer'
  >,
): OperationDispatcher {
  const operationOf = (target: string | undefined) =>
    target && options.operations.has(target) ? target.slice(target.indexOf('.') + 1) : 'unknown';
  const observe = (target: string | undefined, outcome: string, started: number) =>
    options.observe?.(operationOf(target), outcome, (performance.now() - started) / 1000);
  const tracer = options.tracer;
  const endSpan = (
    span: Span | undefined,
    target: string | undefined,
    status: number,
    error?: { type: string; message: string },
  ) => {
    if (!span) return;
    const operation = operationOf(target);
    span.setName(operation);
    span.setAttribute('rpc.method', operation);
    if (operation !== 'unknown') span.setAttribute('rpc.service', target!.split('.', 1)[0]!);
    span.setAttribute('http.response.status_code', status);
    span.setAttribute('nucleon.outcome', error ? error.type : 'Success');
    if (error) {
      span.setAttribute('error.type', error.type);
      span.fail(`${error.type}: ${error.message}`);
    }
    span.end();
  };
  return async (c, decode) => {
    const requestId = randomUUID();
    const started = performance.now();
    let target = c.req.header('x-amz-target');
    const span = tracer?.startSpan('unknown', {
      kind: 'server',
      parent: parseTraceparent(c.req.header('traceparent')),
      attributes: { 'rpc.system': 'aws-api', 'aws.request_id': requestId },
    });
    // No per-request child logger: the request id goes in each record's fields (cheaper when
    // the level drops the record anyway).
    const log = options.logger;
    let authorized: Authorized | undefined;
    try {
      const call = await decode();
      target = call.target;
      const entry = resolveTarget(target, options.operations);
      const principal = await call.principal();
      const raw = parseJson(call.input);
      // The one access check, before the use case runs (denials and mutating calls are audited).
      authorized = await options.guard.authorize({
        target: target!,
        principal,
        input: raw,
        requestId,
        sourceAddress: sourceAddress(c),
        allowScoped: entry.allowScoped === true,
      });
      let input: Record<string, unknown> = {};
      if (entry.input) {
        const { value, violations } = validateShape(entry.input, raw);
        if (violations.length > 0) throw new ValidationError(formatViolations(violations));
        input = value as Record<string, unknown>;
      }
      const result = await entry.handler(input, { requestId, principal });
      if (options.strictWire && entry.output) {
        const mismatches = checkOutputShape(entry.output, result ?? {});
        if (mismatches.length > 0)
          throw new ProtocolError(
            'InternalServerException',
            500,
            `The output of ${target} does not match the model (strict wire): ${mismatches.join('; ')}`,
          );
      }
      const wire = entry.output ? serializeShape(entry.output, result ?? {}) : {};
      await authorized.finish('SUCCEEDED');
      log.info('request', {
        requestId,
        target,
        status: 200,
        ms: Math.round(performance.now() - started),
      });
      observe(target, 'Success', started);
      endSpan(span, target, 200);
      return jsonResponse(c, 200, wire ?? {}, requestId);
    } catch (thrown) {
      const e = toWireError(thrown, requestId, log);
      await authorized?.finish('FAILED', e.type, e.message);
      log.info('request', {
        requestId,
        target,
        status: e.status,
        error: e.type,
        ms: Math.round(performance.now() - started),
      });
      observe(target, e.type, started);
      endSpan(span, target, e.status, e);
      return jsonResponse(c, e.status, { __type: e.type, message: e.message }, requestId, e.type);
    }
  };
}

/** `/healthz` (the process answers), `/readyz` (it can do its work) and `/metrics`. */
export function mountHealthRoutes(
  app: Hono,
  options: Pick<HttpAppOptions, 'ready' | 'metrics'>,
): Hono {
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const { ready, checks } = await options.ready();
    return ready
      ? c.json({ status: 'ready', checks })
      : c.json({ status: 'not ready', checks }, 503);
  });
  const metrics = options.metrics;
  if (metrics)
    app.get('/metrics', async (c) => {
      if (metrics.token && !bearerMatches(c.req.header('authorization'), metrics.token))
        return c.text(
          'Unauthorized: /metrics needs "Authorization: Bearer <NUCLEON_METRICS_TOKEN>".\n',
          401,
          { 'www-authenticate': 'Bearer' },
        );
      const { contentType, body } = await metrics.scrape();
      return c.body(body, 200, { 'content-type': contentType });
    });
  return app;
}

/** The HTTP front: awsJson1_0 on `POST /`, health checks, mounted extras; everything else is 404. */
export function createHttpApp(options: HttpAppOptions): Hono {
  const app = new Hono();
  const dispatch = createOperationDispatcher(options);
  mountHealthRoutes(app, options);
  app.post('/', async (c) => {
    let bodyRead = false;
    const response = await dispatch(c, async () => {
      const target = c.req.header('x-amz-target');
      // An unknown target is refused by the dispatcher before authentication, its body unread.
      if (!target || !options.operations.has(target))
        return {
          target,
          principal: () => Promise.reject(new Error('unreachable')),
          input: new Uint8Array(),
        };
      const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
      const finish = await options.authenticate(
        incoming ? requestOf(incoming) : requestOfFetch(c.req.raw),
      );
      const limit = target === BUNDLE_TARGET ? options.maxRequestBytes : options.maxBodyBytes;
      const hint =
        target === BUNDLE_TARGET
          ? 'Push a smaller bundle, or raise NUCLEON_MAX_REQUEST_BYTES.'
          : `Only ${BUNDLE_TARGET} takes larger bodies; raise NUCLEON_MAX_BODY_BYTES if ${target} really needs more.`;
      bodyRead = true;
      const length = c.req.header('content-length');
      // On Node the body is read from the request stream itself (no web-stream wrapper).
      const body = incoming
        ? await readBoundedIncoming(incoming, length, limit, hint)
        : await readBoundedBody(c.req.raw.body, length, limit, hint);
      const principal = await finish(body);
      return { target, principal: () => Promise.resolve(principal), input: body };
    });
    // A refused request's body was never read: close the connection rather than drain it.
    if (!bodyRead || response.status === 413) response.headers.set('connection', 'close');
    return response;
  });
  options.mount?.(app, dispatch);
  return app;
}
