import { Sha256 } from '@aws-crypto/sha256-js';
import {
  GetEnvironmentTemplateCommand,
  ListEnvironmentTemplatesCommand,
  ProtonClient,
} from '@aws-sdk/client-proton';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { operationNames } from '@nucleon/protocol';
import { startTestServer, type TestServer } from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkClient } from './helpers.js';

/** Sends a request signed (or not) exactly as given, to probe the wire contract. */
async function raw(
  server: TestServer,
  options: {
    target?: string;
    body?: string;
    sign?: { accessKeyId: string; secretAccessKey: string };
    signingDate?: Date;
    headers?: Record<string, string>;
  },
) {
  const url = new URL(server.url);
  const body = options.body ?? '{}';
  let headers: Record<string, string> = {
    host: url.host,
    'content-type': 'application/x-amz-json-1.0',
    ...(options.target ? { 'x-amz-target': options.target } : {}),
    ...options.headers,
  };
  if (options.sign) {
    const signer = new SignatureV4({
      credentials: options.sign,
      region: 'us-east-1',
      service: 'proton',
      sha256: Sha256,
    });
    const signed = await signer.sign(
      new HttpRequest({
        method: 'POST',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: '/',
        headers,
        body,
      }),
      {
        signingDate: options.signingDate ?? new Date(),
      },
    );
    headers = signed.headers;
  }
  const response = await fetch(`${server.url}/`, { method: 'POST', headers, body });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as { __type?: string; message?: string }) : {},
    requestId: response.headers.get('x-amzn-requestid'),
  };
}

describe('the awsJson1_0 wire contract', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ dialect: 'pglite' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('answers a signed SDK call with epoch-second timestamps and a request id', async () => {
    const out = await sdkClient(server).send(new ListEnvironmentTemplatesCommand({}));
    expect(out.templates).toEqual([]);
    expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses unsigned requests', async () => {
    const r = await raw(server, { target: 'AwsProton20200720.ListEnvironmentTemplates' });
    expect(r.status).toBe(403);
    expect(r.body.__type).toBe('MissingAuthenticationTokenException');
  });

  it('refuses an unknown access key with UnrecognizedClientException', async () => {
    const client = new ProtonClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'x'.repeat(40) },
      maxAttempts: 1,
    });
    await expect(client.send(new ListEnvironmentTemplatesCommand({}))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
    });
  });

  it('refuses a wrong signature with InvalidSignatureException', async () => {
    const client = new ProtonClient({
      endpoint: server.url,
      region: 'eu-west-1',
      credentials: { accessKeyId: server.credentials.accessKeyId, secretAccessKey: 'wrong-secret' },
      maxAttempts: 1,
    });
    await expect(client.send(new ListEnvironmentTemplatesCommand({}))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
    });
  });

  it('refuses a request signed more than 15 minutes ago', async () => {
    const r = await raw(server, {
      target: 'AwsProton20200720.ListEnvironmentTemplates',
      sign: server.credentials,
      signingDate: new Date(Date.now() - 16 * 60_000),
    });
    expect(r.body.__type).toBe('InvalidSignatureException');
    expect(r.body.message).toMatch(/Signature expired/);
  });

  it('refuses a malformed Authorization header', async () => {
    const r = await raw(server, {
      target: 'AwsProton20200720.ListEnvironmentTemplates',
      headers: { authorization: 'AWS4-HMAC-SHA256 garbage', 'x-amz-date': '20260101T000000Z' },
    });
    expect(r.status).toBe(400);
    expect(r.body.__type).toBe('InvalidSignatureException');
  });

  it('refuses a body that does not match the signed hash', async () => {
    const url = new URL(server.url);
    const signer = new SignatureV4({
      credentials: server.credentials,
      region: 'us-east-1',
      service: 'proton',
      sha256: Sha256,
    });
    const signed = await signer.sign(
      new HttpRequest({
        method: 'POST',
        hostname: url.hostname,
        port: Number(url.port),
        path: '/',
        headers: {
          host: url.host,
          'x-amz-target': 'AwsProton20200720.GetEnvironmentTemplate',
          'content-type': 'application/x-amz-json-1.0',
        },
        body: '{"name":"a"}',
      }),
    );
    const response = await fetch(`${server.url}/`, {
      method: 'POST',
      headers: signed.headers as Record<string, string>,
      body: '{"name":"b"}',
    });
    expect(((await response.json()) as { __type: string }).__type).toBe(
      'InvalidSignatureException',
    );
  });

  it('answers malformed JSON with SerializationException', async () => {
    const r = await raw(server, {
      target: 'AwsProton20200720.ListEnvironmentTemplates',
      body: '{"maxResults":',
      sign: server.credentials,
    });
    expect(r.status).toBe(400);
    expect(r.body.__type).toBe('SerializationException');
  });

  it('answers wrong types with ValidationException naming the field', async () => {
    const r = await raw(server, {
      target: 'AwsProton20200720.ListEnvironmentTemplates',
      body: '{"maxResults":"ten"}',
      sign: server.credentials,
    });
    expect(r.body.__type).toBe('ValidationException');
    expect(r.body.message).toMatch(/'maxResults'/);
    const missing = await raw(server, {
      target: 'AwsProton20200720.GetEnvironmentTemplate',
      body: '{}',
      sign: server.credentials,
    });
    expect(missing.body.message).toMatch(/Value null at 'name'/);
  });

  it('answers unknown targets, and every one of the 87 Proton operations is built', async () => {
    const unknown = await raw(server, {
      target: 'AwsProton20200720.MakeCoffee',
      sign: server.credentials,
    });
    expect(unknown.body.__type).toBe('UnknownOperationException');
    const prefix = await raw(server, { target: 'Foo.Bar', sign: server.credentials });
    expect(prefix.body.__type).toBe('UnknownOperationException');
    expect(operationNames).toHaveLength(87);
    const unbuilt: string[] = [];
    for (const name of operationNames) {
      const r = await raw(server, {
        target: `AwsProton20200720.${name}`,
        body: '{}',
        sign: server.credentials,
      });
      if (r.status === 501 || r.body.__type === 'NotImplementedException') unbuilt.push(name);
    }
    expect(unbuilt).toEqual([]);
  });

  it('refuses oversized bodies and keeps serving', async () => {
    const r = await raw(server, {
      target: 'AwsProton20200720.ListEnvironmentTemplates',
      body: JSON.stringify({ pad: 'x'.repeat(9 * 1024 * 1024) }),
      sign: server.credentials,
    });
    expect(r.status).toBe(413);
    await expect(
      sdkClient(server).send(new GetEnvironmentTemplateCommand({ name: 'none' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('reports health', async () => {
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });
});
