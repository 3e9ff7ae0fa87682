import { createHash, timingSafeEqual } from 'node:crypto';
import { Hash } from '@smithy/hash-node';
import type { SourceData } from '@smithy/types';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

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

/** Node's native SHA-256 (the pure-JS one costs most of a request's CPU under load). */
class NodeSha256 extends Hash {
  constructor(secret?: SourceData) {
    super('sha256', secret);
  }
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
  const verify = async (body: Uint8Array): Promise<void> => {
    const declaredHash = request.headers['x-amz-content-sha256'];
    if (
      declaredHash !== undefined &&
      declaredHash !== createHash('sha256').update(body).digest('hex')
    ) {
      throw new AuthenticationError(
        'InvalidSignatureException',
        'The x-amz-content-sha256 header does not match the request body.',
      );
    }
    const headers: Record<string, string> = {};
    for (const name of signedHeaders) headers[name] = request.headers[name] ?? '';
    const signer = new SignatureV4({
      credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
      region: region!,
      service: signingName,
      sha256: NodeSha256,
      uriEscapePath: true,
      // Only the headers the client signed may enter the canonical request (boto3 does not sign x-amz-content-sha256).
      applyChecksum: false,
    });
    const toSign = new HttpRequest({
      method: request.method,
      path: request.path,
      query: request.query,
      headers,
      body,
    });
    const signed = await signer.sign(toSign, {
      signingDate,
      signableHeaders: new Set(signedHeaders),
    });
    const expected =
      /Signature=([0-9a-f]{64})/.exec(String(signed.headers['authorization']))?.[1] ?? '';
    if (
      expected.length !== 64 ||
      !timingSafeEqual(Buffer.from(expected), Buffer.from(signature!))
    ) {
      throw new AuthenticationError(
        'InvalidSignatureException',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
      );
    }
  };
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
