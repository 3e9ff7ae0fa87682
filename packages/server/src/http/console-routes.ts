import type { Logger } from '@nucleon/core';
import type { Context, Hono } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AccessKeyRecord } from '../ports/access-key-store.js';
import type { Principal } from '../app/request-context.js';
import type { Clock } from '../ports/clock.js';
import { ConsoleAssets, locateConsoleDist } from './console-assets.js';
import {
  ConsoleSessions,
  SignInLimiter,
  secretsEqual,
  type ConsoleSession,
  type ConsoleSessionStore,
  type SignInThrottle,
} from './console-sessions.js';
import { parseJson, type OperationDispatcher } from './create-http-app.js';
import { readBoundedBody } from './read-body.js';

export interface ConsoleRoutesOptions {
  dispatch: OperationDispatcher;
  keys: {
    lookup(accessKeyId: string): Promise<AccessKeyRecord | undefined>;
    principalOf(record: AccessKeyRecord): Principal;
  };
  /** Users who sign in with a name and password (ADR 0012). */
  access?: {
    checkPassword(userName: string, password: string): Promise<{ name: string } | undefined>;
    userExists(userName: string): Promise<boolean>;
  };
  clock: Clock;
  logger: Logger;
  maxRequestBytes: number;
  /** Takes one call from the principal's rate budget; throws ThrottlingError when it is spent. */
  throttle?(accessKeyId: string): void;
  /** The built console (defaults to `packages/console/dist`). */
  assetsDir?: string;
  /** Where sessions live (default: this process's memory; the server passes the database's). */
  sessions?: ConsoleSessionStore;
  /** Failed sign-ins (default: this process's memory; the server passes the database's). */
  signIns?: SignInThrottle;
}

export const SESSION_COOKIE = 'nucleon_session';
export const CSRF_HEADER = 'x-csrf-token';
const API = '/console/api';
const SIGN_IN_MAX_BYTES = 16 * 1024;

/** What the browser may load and run: only the console's own files, talking only to this origin. */
const pageHeaders: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

/** The peer's address (the console's sign-in limits count per address); proxies are not trusted. */
function sourceAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function apiError(c: Context, status: number, type: string, message: string): Response {
  c.header('cache-control', 'no-store');
  return c.json({ __type: type, message }, status as 401);
}

/** State-changing calls must come from this origin, as JSON (which plain HTML forms cannot send). */
function crossOriginRefusal(c: Context): Response | undefined {
  const origin = c.req.header('origin');
  const host = c.req.header('host');
  let sameOrigin = true;
  if (origin) {
    try {
      sameOrigin = new URL(origin).host === host;
    } catch {
      sameOrigin = false;
    }
  }
  if (!sameOrigin || c.req.header('sec-fetch-site') === 'cross-site') {
    return apiError(
      c,
      403,
      'CrossOriginRequestException',
      'The console API only answers pages served by this Nucleon server.',
    );
  }
  if (
    c.req.method === 'POST' &&
    !(c.req.header('content-type') ?? '').startsWith('application/json')
  ) {
    return apiError(
      c,
      415,
      'UnsupportedMediaTypeException',
      'Send the request body as JSON with content-type: application/json.',
    );
  }
  return undefined;
}

/**
 * The web console: its files at `/` (any other GET path falls back to `index.html`, so deep
 * links work) and its session API under `/console/api`. A session is opened with an access key
 * and secret, checked once; the browser then holds only an HttpOnly cookie and a CSRF token.
 * Calls go through the same dispatcher as the signed API, as the key's principal.
 */
export function mountConsoleRoutes(app: Hono, options: ConsoleRoutesOptions): void {
  const sessions = options.sessions ?? new ConsoleSessions({ clock: options.clock });
  const limiter = options.signIns ?? new SignInLimiter(options.clock);
  const assets = new ConsoleAssets(options.assetsDir ?? locateConsoleDist());
  const log = options.logger.child({ component: 'console' });

  const sessionView = (s: ConsoleSession) => ({
    accessKeyId: s.accessKeyId,
    ...(s.principal.userName ? { userName: s.principal.userName } : {}),
    csrfToken: s.csrfToken,
    expiresAt: Math.floor(sessions.expiresAt(s) / 1000),
  });

  /** The caller's live session whose key still exists; else a 401 answer. */
  const requireSession = async (c: Context): Promise<ConsoleSession | Response> => {
    const session = await sessions.touch(getCookie(c, SESSION_COOKIE));
    const userName = session?.principal.kind === 'user' ? session.principal.userName : undefined;
    if (
      session &&
      (userName
        ? await options.access?.userExists(userName)
        : await options.keys.lookup(session.accessKeyId))
    )
      return session;
    if (session && userName) await sessions.close(session.id);
    else if (session) await sessions.closeAllOf(session.accessKeyId);
    if (getCookie(c, SESSION_COOKIE) !== undefined) deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return apiError(
      c,
      401,
      'NotSignedInException',
      'Not signed in, or the session has expired: sign in again with an access key (POST /console/api/session).',
    );
  };

  const requireCsrf = (c: Context, session: ConsoleSession): Response | undefined => {
    const token = c.req.header(CSRF_HEADER);
    if (token && secretsEqual(token, session.csrfToken)) return undefined;
    return apiError(
      c,
      403,
      'InvalidCsrfTokenException',
      `Missing or wrong ${CSRF_HEADER} header: send the csrfToken returned when the session was opened.`,
    );
  };

  app.post(`${API}/session`, async (c) => {
    const refused = crossOriginRefusal(c);
    if (refused) return refused;
    let accessKeyId: unknown, secretAccessKey: unknown, userName: unknown, password: unknown;
    try {
      const body = parseJson(
        await readBoundedBody(c.req.raw.body, c.req.header('content-length'), SIGN_IN_MAX_BYTES),
      );
      ({ accessKeyId, secretAccessKey, userName, password } = body);
    } catch (error) {
      return apiError(c, 400, 'SerializationException', (error as Error).message);
    }
    if (
      typeof userName === 'string' &&
      typeof password === 'string' &&
      userName &&
      password &&
      options.access
    ) {
      return passwordSignIn(c, userName, password, options.access);
    }
    if (
      typeof accessKeyId !== 'string' ||
      typeof secretAccessKey !== 'string' ||
      !accessKeyId ||
      !secretAccessKey
    ) {
      return apiError(
        c,
        400,
        'ValidationException',
        'Send {"accessKeyId": "...", "secretAccessKey": "..."} or {"userName": "...", "password": "..."}.',
      );
    }
    const address = sourceAddress(c);
    const wait = await limiter.blockedFor(accessKeyId, address);
    if (wait > 0) {
      return apiError(
        c,
        429,
        'ThrottlingException',
        `Too many failed sign-ins from ${address}; try again in ${Math.ceil(wait / 60_000)} minute(s).`,
      );
    }
    const record = await options.keys.lookup(accessKeyId);
    // Compare even when the key is unknown, so timing does not tell which keys exist.
    const matches = secretsEqual(secretAccessKey, record?.secretAccessKey ?? '\u0000no key\u0000');
    if (!record || !matches || record.scopeArn || record.sessionToken) {
      await limiter.fail(accessKeyId, address);
      log.info('console sign-in refused', { accessKeyId, address });
      return apiError(
        c,
        401,
        'InvalidCredentialsException',
        'The access key id or secret is wrong. Use a key from `nucleon keys create` or the root key in .nucleon/credentials.',
      );
    }
    await limiter.succeed(accessKeyId, address);
    log.info('console session opened', { accessKeyId: record.accessKeyId });
    return opened(c, await sessions.open(record.accessKeyId, options.keys.principalOf(record)));
  });

  const opened = (c: Context, session: ConsoleSession): Response => {
    const secure =
      new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';
    setCookie(c, SESSION_COOKIE, session.id, {
      httpOnly: true,
      sameSite: 'Strict',
      path: '/',
      secure,
      maxAge: sessions.cookieMaxAgeSeconds,
    });
    c.header('cache-control', 'no-store');
    return c.json(sessionView(session), 201);
  };

  /** Sign-in with a user's name and console password (scrypt-hashed; same throttling as keys). */
  const passwordSignIn = async (
    c: Context,
    userName: string,
    password: string,
    access: NonNullable<ConsoleRoutesOptions['access']>,
  ): Promise<Response> => {
    const limitKey = `user:${userName}`;
    const address = sourceAddress(c);
    const wait = await limiter.blockedFor(limitKey, address);
    if (wait > 0)
      return apiError(
        c,
        429,
        'ThrottlingException',
        `Too many failed sign-ins for ${userName} from ${address}; try again in ${Math.ceil(wait / 60_000)} minute(s).`,
      );
    const user = await access.checkPassword(userName, password);
    if (!user) {
      await limiter.fail(limitKey, address);
      log.info('console sign-in refused', { userName });
      return apiError(
        c,
        401,
        'InvalidCredentialsException',
        'The user name or password is wrong (or the user has no console password). Ask an admin: `nucleon users create <name> --role <role> --password-stdin`.',
      );
    }
    await limiter.succeed(limitKey, address);
    log.info('console session opened', { userName: user.name });
    return opened(
      c,
      await sessions.open('', { accessKeyId: '', kind: 'user', userName: user.name }),
    );
  };

  // Whether this browser is signed in: a question, so "no" is a 200 (a page load logs no error).
  app.get(`${API}/session`, async (c) => {
    const session = await requireSession(c);
    c.header('cache-control', 'no-store');
    if (session instanceof Response) return c.json({ signedIn: false });
    return c.json({ signedIn: true, ...sessionView(session) });
  });

  app.delete(`${API}/session`, async (c) => {
    const refused = crossOriginRefusal(c);
    if (refused) return refused;
    const session = await sessions.touch(getCookie(c, SESSION_COOKIE));
    if (session) {
      const bad = requireCsrf(c, session);
      if (bad) return bad;
      await sessions.close(session.id);
    }
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.body(null, 204);
  });

  app.post(`${API}/call`, async (c) => {
    const refused = crossOriginRefusal(c);
    if (refused) return refused;
    const session = await requireSession(c);
    if (session instanceof Response) return session;
    const bad = requireCsrf(c, session);
    if (bad) return bad;
    const response = await options.dispatch(c, async () => {
      options.throttle?.(session.accessKeyId || `user:${session.principal.userName ?? ''}`);
      const envelope = parseJson(
        await readBoundedBody(
          c.req.raw.body,
          c.req.header('content-length'),
          options.maxRequestBytes,
        ),
      );
      const target = typeof envelope.target === 'string' ? envelope.target : undefined;
      return {
        target,
        principal: () => Promise.resolve(session.principal),
        input: envelope.input ?? {},
      };
    });
    response.headers.set('cache-control', 'no-store');
    return response;
  });

  app.all(`${API}/*`, (c) =>
    apiError(
      c,
      404,
      'UnknownOperationException',
      `No console endpoint ${c.req.method} ${c.req.path}.`,
    ),
  );

  app.get('*', (c) => {
    const asset = assets.get(c.req.path);
    const page =
      asset?.contentType.startsWith('text/html') || (!asset && !/\.[a-z0-9]+$/i.test(c.req.path));
    const served = asset ?? (page ? assets.get('/index.html') : undefined);
    if (!served) {
      if (c.req.path === '/' || page) {
        return c.text(
          `The Nucleon console is not built (looked in ${assets.dir}). Run \`npm run build\` (or \`npm run build -w @nucleon/console\`) and reload. The API answers on POST /.`,
          404,
        );
      }
      return c.notFound();
    }
    c.header('content-type', served.contentType);
    c.header(
      'cache-control',
      served.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    );
    if (page) for (const [k, v] of Object.entries(pageHeaders)) c.header(k, v);
    return c.body(served.body as Uint8Array<ArrayBuffer>);
  });
}
