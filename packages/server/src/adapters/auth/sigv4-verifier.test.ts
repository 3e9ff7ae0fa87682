import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { AuthenticationError, verifySigV4, type SigningKey } from './sigv4-verifier.js';

const KEY = { accessKeyId: 'AKIAVERIFIERTEST0001', secretAccessKey: 'verifier-test-secret-0000' };
const NOW = new Date('2026-12-02T16:00:00Z');

/** Signs a request as the AWS SDK for JavaScript does (smithy's SignatureV4), then returns what a server receives. */
async function signed(
  options: {
    path?: string;
    query?: Record<string, string>;
    headers?: Record<string, string>;
    body?: string;
    credentials?: SigningKey;
    applyChecksum?: boolean;
    region?: string;
  } = {},
) {
  const body = options.body ?? '{"name":"env"}';
  const signer = new SignatureV4({
    credentials: options.credentials ?? KEY,
    region: options.region ?? 'us-east-1',
    service: 'proton',
    sha256: Sha256,
    applyChecksum: options.applyChecksum ?? false,
  });
  const request = await signer.sign(
    new HttpRequest({
      method: 'POST',
      hostname: 'localhost',
      port: 8080,
      path: options.path ?? '/',
      query: options.query ?? {},
      headers: {
        host: 'localhost:8080',
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'AwsProton20200720.GetEnvironmentTemplate',
        ...options.headers,
      },
      body,
    }),
    { signingDate: NOW },
  );
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  return {
    method: 'POST',
    path: request.path,
    query: request.query as Record<string, string>,
    headers,
    body: new TextEncoder().encode(body),
  };
}

const lookup = (key: SigningKey) => (id: string) =>
  Promise.resolve(id === key.accessKeyId ? key : undefined);

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthenticationError);
  return (error as AuthenticationError).type;
}

describe('SigV4 verification', () => {
  it('accepts what the AWS SDK signs: plain, with query, odd paths, payload hash, spaced values, session tokens, any region', async () => {
    const cases = [
      await signed(),
      await signed({ query: { b: 'x y', a: "it's*", 'X-Amz-Meta': '1' } }),
      await signed({ path: '/a/./b/../c d/é/' }),
      await signed({ applyChecksum: true }),
      await signed({ headers: { 'x-custom': '  two   spaces\tand tab ' } }),
      await signed({ region: 'eu-west-3' }),
      await signed({ body: '' }),
    ];
    for (const request of cases)
      await expect(verifySigV4(request, lookup(KEY), NOW)).resolves.toEqual({
        accessKeyId: KEY.accessKeyId,
        region: request.headers.authorization!.split('/')[2],
      });
    const temporary = { ...KEY, sessionToken: 'session-token-1' };
    await expect(
      verifySigV4(await signed({ credentials: temporary }), lookup(temporary), NOW),
    ).resolves.toBeDefined();
  });

  it('refuses a changed body, header, query, path, secret or date', async () => {
    const request = await signed({ query: { a: '1' } });
    const body = new TextEncoder().encode('{"name":"other"}');
    expect(await refusal(verifySigV4({ ...request, body }, lookup(KEY), NOW))).toBe(
      'InvalidSignatureException',
    );
    const target = { ...request.headers, 'x-amz-target': 'AwsProton20200720.DeleteEnvironment' };
    expect(await refusal(verifySigV4({ ...request, headers: target }, lookup(KEY), NOW))).toBe(
      'InvalidSignatureException',
    );
    expect(await refusal(verifySigV4({ ...request, query: { a: '2' } }, lookup(KEY), NOW))).toBe(
      'InvalidSignatureException',
    );
    expect(await refusal(verifySigV4({ ...request, path: '/x' }, lookup(KEY), NOW))).toBe(
      'InvalidSignatureException',
    );
    // A key whose secret changed: the cached signing key of the old secret is not used.
    expect(
      await refusal(verifySigV4(request, lookup({ ...KEY, secretAccessKey: 'new' }), NOW)),
    ).toBe('InvalidSignatureException');
    await expect(verifySigV4(request, lookup(KEY), NOW)).resolves.toBeDefined();
    const late = new Date(NOW.getTime() + 16 * 60 * 1000);
    expect(await refusal(verifySigV4(request, lookup(KEY), late))).toBe(
      'InvalidSignatureException',
    );
    expect(await refusal(verifySigV4(request, lookup({ ...KEY, accessKeyId: 'other' }), NOW))).toBe(
      'UnrecognizedClientException',
    );
    const withHash = await signed({ applyChecksum: true });
    expect(await refusal(verifySigV4({ ...withHash, body }, lookup(KEY), NOW))).toBe(
      'InvalidSignatureException',
    );
  });
});
