import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Why a request was refused; `type` is the error code the AWS SDKs recognise. */
export class AuthenticationError extends Error {
  constructor(
    readonly type:
      | 'UnrecognizedClientException'
      | 'InvalidSignatureException'
      | 'AccessDeniedException'
      | 'MissingAuthenticationTokenException',
    message: string,
  ) {
    super(message);
    this.name = type;
  }
}

export interface SigningKey {
  accessKeyId: string;
  secretAccessKey: string;
  /** Temporary credentials carry a session token that must be presented with them. */
  sessionToken?: string | undefined;
}

export interface IncomingSignedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Header names lower-cased, values as received. */
  headers: Record<string, string>;
  body: Uint8Array;
}

const AUTH_RE =
  /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;_.-]+),\s*Signature=([0-9a-f]{64})$/;
const MAX_SKEW_MS = 15 * 60 * 1000;

/**
 * Derived signing keys (HMAC chain of the secret over date, region, service), kept per key id,
 * date, region and service: a client signs many requests with the same one, so a request costs
 * two hashes and one HMAC instead of six. The secret is compared on a hit (a changed secret
 * derives anew). Bounded: cleared when full.
 */
const signingKeys = new Map<string, { secret: string; key: Buffer }>();
const MAX_SIGNING_KEYS = 10_000;

function signingKey(
  accessKeyId: string,
  secret: string,
  date: string,
  region: string,
  service: string,
): Buffer {
  const id = `${accessKeyId}/${date}/${region}/${service}`;
  const hit = signingKeys.get(id);
  if (hit && hit.secret === secret) return hit.key;
  let key = createHmac('sha256', `AWS4${secret}`).update(date).digest();
  for (const part of [region, service, 'aws4_request'])
    key = createHmac('sha256', key).update(part).digest();
  if (signingKeys.size >= MAX_SIGNING_KEYS) signingKeys.clear();
  signingKeys.set(id, { secret, key });
  return key;
}

/** RFC 3986 escaping as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
function escapeUri(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The canonical URI of a non-S3 service: dot segments and empty segments removed, each segment escaped twice. */
function canonicalPath(path: string): string {
  if (path === '/') return path;
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalized = `${path.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`;
  return escapeUri(normalized).replace(/%2F/g, '/');
}

/** Query parameters sorted by escaped name, `X-Amz-Signature` left out. */
function canonicalQuery(query: Record<string, string>): string {
  const pairs: Array<[string, string]> = [];
  for (const name of Object.keys(query)) {
    if (name.toLowerCase() === 'x-amz-signature') continue;
    const key = escapeUri(name);
    pairs.push([key, `${key}=${escapeUri(query[name]!)}`]);
  }
  return pairs
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map((p) => p[1])
    .join('&');
}

/** A header value as signed: line breaks become spaces, runs of spaces and tabs one space, trimmed. */
function canonicalValue(value: string): string {
  return /[\r\n\t]| {2}|^ | $/.test(value)
    ? value
        .replace(/[\r\n]/g, ' ')
        .replace(/[ \t]+/g, ' ')
        .replace(/^ | $/g, '')
    : value;
}

function parseAmzDate(value: string | undefined): Date | undefined {
  const m = value?.match(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/);
  if (!m) return undefined;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

/** Headers every request must sign, so a captured request cannot be re-aimed or re-dated. */
export const REQUIRED_SIGNED_HEADERS = ['host', 'x-amz-date', 'x-amz-target'] as const;

/** A request whose Authorization header parsed, whose date is fresh and whose key exists: only the body is left to check. */
export interface PendingSignature {
  accessKeyId: string;
  region: string;
  /** Recomputes the signature over the headers and `body`; throws {@link AuthenticationError} unless it matches. */
  verify(body: Uint8Array): Promise<void>;
}

/**
 * First half of AWS Signature Version 4 verification (header form, signing name `proton`, any
 * region), from the headers alone: parses the Authorization header, checks the signed header
 * list and the date, and looks up the key. It runs before the body is read, so an unsigned,
 * stale or unknown-key request is refused without reading its body. The returned
 * {@link PendingSignature} checks the signature once the body is in.
 */
export async function beginSigV4(
  request: Omit<IncomingSignedRequest, 'body'>,
  lookup: (accessKeyId: string) => Promise<SigningKey | undefined>,
  now: Date,
  signingName = 'proton',
): Promise<PendingSignature> {
  const authorization = request.headers['authorization'];
  if (!authorization) {
    throw new AuthenticationError(
      'MissingAuthenticationTokenException',
      'Missing Authentication Token: sign the request with AWS Signature Version 4 (use an AWS SDK or the AWS CLI with Nucleon credentials).',
    );
  }
  const m = AUTH_RE.exec(authorization.trim());
  if (!m) {
    throw new AuthenticationError(
      'InvalidSignatureException',
      'The Authorization header is malformed: expected "AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/proton/aws4_request, SignedHeaders=..., Signature=...".',
    );
  }
  const [, accessKeyId, scopeDate, region, service, signedHeaderList, signature] =
    m as unknown as string[];
  if (service !== signingName) {
    throw new AuthenticationError(
      'InvalidSignatureException',
      `Credential should be scoped to the service '${signingName}', not '${service}'.`,
    );
  }
  const signedHeaders = signedHeaderList!.split(';');
  const unsigned = REQUIRED_SIGNED_HEADERS.filter((h) => !signedHeaders.includes(h));
  if (unsigned.length > 0) {
    throw new AuthenticationError(
      'InvalidSignatureException',
      `SignedHeaders must include ${REQUIRED_SIGNED_HEADERS.join(', ')}; this request did not sign ${unsigned.join(', ')}. Sign every header the request sends (the AWS SDKs and CLI do).`,
    );
  }
  const signingDate = parseAmzDate(request.headers['x-amz-date']);
  if (!signingDate) {
    throw new AuthenticationError(
      'InvalidSignatureException',
      'The X-Amz-Date header is missing or not in the form YYYYMMDDTHHMMSSZ.',
    );
  }
  if (Math.abs(now.getTime() - signingDate.getTime()) > MAX_SKEW_MS) {
    throw new AuthenticationError(
      'InvalidSignatureException',
      `Signature expired: ${request.headers['x-amz-date']} is more than 15 minutes away from the server time ${now.toISOString()}. Check the client's clock.`,
    );
  }
  if (scopeDate !== request.headers['x-amz-date']!.slice(0, 8)) {
    throw new AuthenticationError(
      'InvalidSignatureException',
      'The credential scope date does not match X-Amz-Date.',
    );
  }
  const key = await lookup(accessKeyId!);
  if (!key) {
    throw new AuthenticationError(
      'UnrecognizedClientException',
      'The security token included in the request is invalid: unknown access key id.',
    );
  }
  if (
    key.sessionToken !== undefined &&
    request.headers['x-amz-security-token'] !== key.sessionToken
  ) {
    throw new AuthenticationError(
      'UnrecognizedClientException',
      'The security token included in the request is invalid: the session token does not match these temporary credentials.',
    );
  }
  const check = (body: Uint8Array): void => {
    const declaredHash = request.headers['x-amz-content-sha256'];
    const payloadHash = createHash('sha256').update(body).digest('hex');
    if (declaredHash !== undefined && declaredHash !== payloadHash) {
      throw new AuthenticationError(
        'InvalidSignatureException',
        'The x-amz-content-sha256 header does not match the request body.',
      );
    }
    // The canonical request exactly as the client built it: the headers it says it signed, in
    // its order, with their values as received.
    let canonicalHeaders = '';
    for (const name of signedHeaders)
      canonicalHeaders += `${name}:${canonicalValue(request.headers[name] ?? '')}\n`;
    const canonicalRequest = `${request.method}\n${canonicalPath(request.path)}\n${canonicalQuery(request.query)}\n${canonicalHeaders}\n${signedHeaderList}\n${payloadHash}`;
    const stringToSign = `AWS4-HMAC-SHA256\n${request.headers['x-amz-date']}\n${scopeDate}/${region}/${signingName}/aws4_request\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
    const expected = createHmac(
      'sha256',
      signingKey(key.accessKeyId, key.secretAccessKey, scopeDate, region!, signingName),
    )
      .update(stringToSign)
      .digest('hex');
    if (!timingSafeEqual(Buffer.from(expected), Buffer.from(signature!))) {
      throw new AuthenticationError(
        'InvalidSignatureException',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
      );
    }
  };
  // A throw in the executor rejects the promise.
  const verify = (body: Uint8Array) =>
    new Promise<void>((resolve) => {
      check(body);
      resolve();
    });
  return { accessKeyId: accessKeyId!, region: region!, verify };
}

/** Both halves at once, for a request whose body is already in hand. Returns the access key id that signed it. */
export async function verifySigV4(
  request: IncomingSignedRequest,
  lookup: (accessKeyId: string) => Promise<SigningKey | undefined>,
  now: Date,
  signingName = 'proton',
): Promise<{ accessKeyId: string; region: string }> {
  const pending = await beginSigV4(request, lookup, now, signingName);
  await pending.verify(request.body);
  return { accessKeyId: pending.accessKeyId, region: pending.region };
}
