import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpBindings } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { extensionTargetPrefix } from '@nucleon/protocol';
import { Hono, type Context } from 'hono';
import type { Principal } from '../app/request-context.js';
import {
  createCallAnswerer,
  type CallAnswer,
  type DispatcherOptions,
  type OperationCall,
} from './operation-dispatcher.js';
import { readBoundedBody, readBoundedIncoming } from './read-body.js';

export { parseJson, type OperationCall } from './operation-dispatcher.js';

export interface HttpAppOptions extends DispatcherOptions {
  /**
   * Checks a signed request from its headers alone (signed headers, date, key), before its body
   * is read; resolves with the second half, which verifies the signature over the body (and
   * takes from the caller's rate budget).
   */
  authenticate(request: SignedRequestHead): Promise<(body: Uint8Array) => Promise<Principal>>;
  /** Body limit of PutBundle (bundles travel in the body). */
  maxRequestBytes: number;
  /** Body limit of every other operation. */
  maxBodyBytes: number;
  /** `/readyz`: each check that fails names itself in the 503 body. */
  ready(): Promise<{ ready: boolean; checks: Record<string, string> }>;
  /** `/metrics` (Prometheus text); absent: no route. */
  metrics?: {
    scrape(): Promise<{ contentType: string; body: string }>;
    /** When set, a scrape must send `Authorization: Bearer <token>`. */
    token?: string | undefined;
  };
  /** Extra routes (the web console), mounted after the API with the same operation dispatcher. */
  mount?(app: Hono, dispatch: OperationDispatcher): void;
}

/** The signed parts of a request: path, query and lower-cased headers (repeated ones joined). */
export interface SignedRequestHead {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
}

/**
 * Answers one call with the awsJson1_0 response: the same registry, scope check, validation,
 * serialization and error mapping for every front. `decode` runs inside the error mapping.
 */
export type OperationDispatcher = (
  c: Context,
  decode: () => Promise<OperationCall>,
) => Promise<Response>;

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

function jsonResponse(c: Context, answer: CallAnswer): Response {
  const headers: Record<string, string> = {
    'content-type': 'application/x-amz-json-1.0',
    'x-amzn-requestid': answer.requestId,
    date: new Date().toUTCString(),
  };
  if (answer.errorType) headers['x-amzn-errortype'] = answer.errorType;
  return c.body(answer.body, answer.status as 200, headers);
}

/** Compares a bearer token in constant time. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim() ?? '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

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

type BodyReader = (
  declaredLength: string | undefined,
  limit: number,
  hint: string,
) => Promise<Uint8Array>;

/**
 * Decodes a signed awsJson1_0 call: an unknown target is answered without authentication, its
 * body unread; otherwise the signature's header half is checked before the body is read (within
 * the operation's limit), then the signature over the body.
 */
async function decodeSigned(
  options: HttpAppOptions,
  target: string | undefined,
  head: () => SignedRequestHead,
  readBody: BodyReader,
): Promise<OperationCall> {
  if (!target || !options.operations.has(target))
    return {
      target,
      principal: () => Promise.reject(new Error('unreachable')),
      input: new Uint8Array(),
    };
  const finish = await options.authenticate(head());
  const bundle = target === BUNDLE_TARGET;
  const body = await readBody(
    head().headers['content-length'],
    bundle ? options.maxRequestBytes : options.maxBodyBytes,
    bundle
      ? 'Push a smaller bundle, or raise NUCLEON_MAX_REQUEST_BYTES.'
      : `Only ${BUNDLE_TARGET} takes larger bodies; raise NUCLEON_MAX_BODY_BYTES if ${target} really needs more.`,
  );
  const principal = await finish(body);
  return { target, principal: () => Promise.resolve(principal), input: body };
}

/**
 * The signed API on Node's own request and response (`POST /`, the hot path): no web `Request`,
 * stream, Hono context or `Response` is made for it. Returns false for any other request, which
 * the Hono app then serves.
 */
export type NodeApiRoute = (incoming: IncomingMessage, outgoing: ServerResponse) => boolean;

/** The HTTP front: awsJson1_0 on `POST /`, health checks, mounted extras; everything else is 404. */
export function createHttpApp(options: HttpAppOptions): { app: Hono; nodeApi: NodeApiRoute } {
  const app = new Hono();
  const answer = createCallAnswerer(options);
  const dispatch: OperationDispatcher = async (c, decode) =>
    jsonResponse(
      c,
      await answer(
        { header: (name) => c.req.header(name), sourceAddress: () => sourceAddress(c) },
        decode,
      ),
    );
  mountHealthRoutes(app, options);
  // The same route for the app outside Node's HTTP server (`app.request` in tests).
  app.post('/', async (c) => {
    let bodyRead = false;
    let head: SignedRequestHead | undefined;
    const response = await dispatch(c, () =>
      decodeSigned(
        options,
        c.req.header('x-amz-target'),
        () => (head ??= requestOfFetch(c.req.raw)),
        (length, limit, hint) => {
          bodyRead = true;
          return readBoundedBody(c.req.raw.body, length, limit, hint);
        },
      ),
    );
    // A refused request's body was never read: close the connection rather than drain it.
    if (!bodyRead || response.status === 413) response.headers.set('connection', 'close');
    return response;
  });
  options.mount?.(app, dispatch);
  const nodeApi: NodeApiRoute = (incoming, outgoing) => {
    const url = incoming.url;
    if (incoming.method !== 'POST' || !url || (url !== '/' && !url.startsWith('/?'))) return false;
    const head = requestOf(incoming);
    let bodyRead = false;
    answer(
      {
        header: (name) => head.headers[name],
        sourceAddress: () => incoming.socket.remoteAddress ?? null,
      },
      () =>
        decodeSigned(
          options,
          head.headers['x-amz-target'],
          () => head,
          (length, limit, hint) => {
            bodyRead = true;
            return readBoundedIncoming(incoming, length, limit, hint);
          },
        ),
    )
      .then((a) => {
        // Node adds the Date header itself (cached per second).
        const headers: Record<string, string | number> = {
          'content-type': 'application/x-amz-json-1.0',
          'content-length': Buffer.byteLength(a.body),
          'x-amzn-requestid': a.requestId,
        };
        if (a.errorType) headers['x-amzn-errortype'] = a.errorType;
        // A refused request's body was never read: close the connection rather than drain it.
        if (!bodyRead || a.status === 413) headers.connection = 'close';
        outgoing.writeHead(a.status, headers);
        outgoing.end(a.body);
      })
      .catch((error: unknown) => {
        options.logger.error('answer not written', { error: (error as Error).message });
        outgoing.destroy();
      });
    return true;
  };
  return { app, nodeApi };
}
