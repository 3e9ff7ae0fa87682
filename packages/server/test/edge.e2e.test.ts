import { Sha256 } from '@aws-crypto/sha256-js';
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import {
  CreateEnvironmentCommand,
  CreateEnvironmentTemplateCommand,
  GetEnvironmentCommand,
  GetEnvironmentTemplateCommand,
  ListEnvironmentTemplatesCommand,
  ProtonClient,
} from '@aws-sdk/client-proton';
import { extensionTargetPrefix } from '@nucleon/protocol';
import { startTestServer, waitFor, type TestServer } from '@nucleon/test-utils';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nucleonClient, publishFixture, sdkClient } from './helpers.js';

const LIST = 'AwsProton20200720.ListEnvironmentTemplates';

/** Sends `head` and then `body` on a raw connection, never finishing the body; resolves with what the server answered. */
function partialRequest(
  server: TestServer,
  head: Record<string, string>,
  body: string,
): Promise<{ status: number; text: string; closed: Promise<void> }> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let received = '';
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: (\d+)/i.exec(received);
      if (end < 0 || !length || received.length < end + 4 + Number(length[1])) return;
      resolve({ status: Number(received.slice(9, 12)), text: received.slice(end + 4), closed });
    });
    const lines = Object.entries({ host: url.host, ...head }).map(([k, v]) => `${k}: ${v}`);
    socket.write(`POST / HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n${body}`);
  });
}

async function signedHeaders(
  server: TestServer,
  target: string,
  body: string,
  options: {
    unsigned?: string[];
    credentials?: { accessKeyId: string; secretAccessKey: string };
  } = {},
) {
  const url = new URL(server.url);
  const signer = new SignatureV4({
    credentials: options.credentials ?? server.credentials,
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
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': target,
      },
      body,
    }),
    options.unsigned ? { unsignableHeaders: new Set(options.unsigned) } : {},
  );
  return signed.headers as Record<string, string>;
}

async function post(server: TestServer, headers: Record<string, string>, body: string) {
  const response = await fetch(`${server.url}/`, { method: 'POST', headers, body });
  return {
    status: response.status,
    body: (await response.json()) as { __type?: string; message?: string },
  };
}

/** A console sign-in sent from a given loopback source address. */
function signIn(
  server: TestServer,
  from: string,
  accessKeyId: string,
  secretAccessKey: string,
): Promise<{ status: number; type?: string }> {
  const url = new URL(server.url);
  const body = JSON.stringify({ accessKeyId, secretAccessKey });
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: Number(url.port),
        path: '/console/api/session',
        method: 'POST',
        localAddress: from,
        headers: {
          'content-type': 'application/json',
          origin: server.url,
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            type: (JSON.parse(text) as { __type?: string }).__type,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('the edge: authentication before the body, limits, throttling, sign-in, rendering', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      dialect: 'pglite',
      env: { NUCLEON_RENDER_TIMEOUT_MS: '15000' },
    });
    await sdkClient(server).send(new CreateEnvironmentTemplateCommand({ name: 'kept' }));
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('refuses an unsigned 100 MB body before it is sent, and closes the connection', async () => {
    const r = await partialRequest(
      server,
      {
        'x-amz-target': LIST,
        'content-type': 'application/x-amz-json-1.0',
        'content-length': String(100 * 1024 * 1024),
      },
      '{"pad":"',
    );
    expect(r.status).toBe(403);
    expect(JSON.parse(r.text)).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
    await r.closed;
  });

  it('refuses an unsigned chunked body after its first chunk, without waiting for the rest', async () => {
    const chunk = 'x'.repeat(64 * 1024);
    const r = await partialRequest(
      server,
      { 'x-amz-target': LIST, 'transfer-encoding': 'chunked' },
      `${chunk.length.toString(16)}\r\n${chunk}\r\n`,
    );
    expect(r.status).toBe(403);
    expect(JSON.parse(r.text)).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
    await r.closed;
  });

  it('refuses a large body signed with an unknown key before reading it', async () => {
    const headers = await signedHeaders(server, LIST, '{}', {
      credentials: { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'x'.repeat(40) },
    });
    delete headers['content-length'];
    const r = await partialRequest(
      server,
      { ...headers, 'content-length': String(100 * 1024 * 1024) },
      '{',
    );
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text)).toMatchObject({ __type: 'UnrecognizedClientException' });
    await r.closed;
  });

  it('refuses a captured request replayed with another X-Amz-Target', async () => {
    const body = JSON.stringify({ name: 'kept' });
    const headers = await signedHeaders(server, 'AwsProton20200720.GetEnvironmentTemplate', body);
    expect((await post(server, headers, body)).status).toBe(200);
    const replay = await post(
      server,
      { ...headers, 'x-amz-target': 'AwsProton20200720.DeleteEnvironmentTemplate' },
      body,
    );
    expect(replay.status).toBe(400);
    expect(replay.body.__type).toBe('InvalidSignatureException');
    expect(
      (await sdkClient(server).send(new GetEnvironmentTemplateCommand({ name: 'kept' })))
        .environmentTemplate?.name,
    ).toBe('kept');
  });

  it('refuses requests whose SignedHeaders leave out x-amz-target', async () => {
    const headers = await signedHeaders(server, LIST, '{}', { unsigned: ['x-amz-target'] });
    expect(headers['authorization']).not.toMatch(/x-amz-target/);
    const r = await post(server, headers, '{}');
    expect(r.status).toBe(400);
    expect(r.body.__type).toBe('InvalidSignatureException');
    expect(r.body.message).toMatch(
      /SignedHeaders must include host, x-amz-date, x-amz-target; this request did not sign x-amz-target/,
    );
  });

  it('answers a 1 MiB body for an ordinary operation with a 413 naming the limit; PutBundle still takes large bodies', async () => {
    const body = JSON.stringify({ maxResults: 10, pad: 'x'.repeat(1024 * 1024) });
    const r = await post(server, await signedHeaders(server, LIST, body), body);
    expect(r.status).toBe(413);
    expect(r.body.__type).toBe('RequestEntityTooLargeException');
    expect(r.body.message).toMatch(/larger than the 262144-byte limit.*NUCLEON_MAX_BODY_BYTES/);
    const content = Buffer.alloc(600 * 1024, 7).toString('base64');
    const out = (await nucleonClient(server).send(`${extensionTargetPrefix}.PutBundle`, {
      key: 'big.tar.gz',
      content,
    })) as { s3: { key: string } };
    expect(out.s3.key).toBe('big.tar.gz');
  });

  it('never refuses the right secret from an address other than the one sending wrong secrets', async () => {
    const { accessKeyId, secretAccessKey } = server.credentials;
    let last: { status: number; type?: string } = { status: 0 };
    for (let i = 0; i < 12; i++)
      last = await signIn(server, '127.0.0.2', accessKeyId, 'wrong-secret-wrong-secret');
    expect(last).toEqual({ status: 429, type: 'ThrottlingException' });
    expect((await signIn(server, '127.0.0.2', accessKeyId, secretAccessKey)).status).toBe(429);
    expect(await signIn(server, '127.0.0.3', accessKeyId, secretAccessKey)).toMatchObject({
      status: 201,
    });
  });

  it('fails a render past its step budget with a message naming the limit', async () => {
    await publishFixture(server, {
      kind: 'ENVIRONMENT',
      template: 'loops',
      fixture: 'env-cfn-loops',
    });
    const proton = sdkClient(server);
    await proton.send(
      new CreateEnvironmentCommand({
        name: 'nested',
        templateName: 'loops',
        templateMajorVersion: '1',
        spec: 'proton: EnvironmentSpec\nspec:\n  outer: 4000\n  inner: 4000\n',
      }),
    );
    const env = await waitFor(async () => {
      const e = (await proton.send(new GetEnvironmentCommand({ name: 'nested' }))).environment!;
      return e.deploymentStatus === 'IN_PROGRESS' ? undefined : e;
    });
    expect(env.deploymentStatus).toBe('FAILED');
    expect(env.deploymentStatusMessage).toMatch(
      /render step budget exceeded: the template ran more than 2000000 loop iterations \(the limit is NUCLEON_RENDER_MAX_STEPS\)/,
    );
  });

  it('answers /healthz while a runaway render runs, then fails the render at its time limit', async () => {
    const proton = sdkClient(server);
    const nucleon = nucleonClient(server);
    await proton.send(
      new CreateEnvironmentCommand({
        name: 'stall',
        templateName: 'loops',
        templateMajorVersion: '1',
        spec: 'proton: EnvironmentSpec\nspec:\n  heavy: 100000\n',
      }),
    );
    const deploymentId = (await proton.send(new GetEnvironmentCommand({ name: 'stall' })))
      .environment!.lastAttemptedDeploymentId!;
    const details = async () =>
      (await nucleon.send(`${extensionTargetPrefix}.GetDeploymentDetails`, {
        id: deploymentId,
        includeRendered: false,
      })) as { deployment: { deploymentStatus: string }; events: Array<{ message: string }> };
    // The runner logs this just before handing the templates to the render pool.
    await waitFor(async () =>
      (await details()).events.some((e) => e.message === 'rendering the templates')
        ? true
        : undefined,
    );
    const health = await fetch(`${server.url}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok' });
    // …and the render was still running when /healthz answered: nothing rendered, nothing finished.
    const during = await details();
    expect(during.deployment.deploymentStatus).toBe('IN_PROGRESS');
    expect(during.events.some((e) => e.message.startsWith('rendered '))).toBe(false);
    const env = await waitFor(
      async () => {
        const e = (await proton.send(new GetEnvironmentCommand({ name: 'stall' }))).environment!;
        return e.deploymentStatus === 'IN_PROGRESS' ? undefined : e;
      },
      { timeoutMs: 120_000 },
    );
    expect(env.deploymentStatus).toBe('FAILED');
    expect(env.deploymentStatusMessage).toMatch(
      /the render took longer than its 15000 ms time limit and was stopped \(the limit is NUCLEON_RENDER_TIMEOUT_MS\)/,
    );
  });
});

describe('per-principal throttling and the connection cap', () => {
  let server: TestServer;
  beforeAll(async () => {
    // One token per 100 s after a burst of three: the fourth quick call from one key is throttled.
    server = await startTestServer({
      dialect: 'pglite',
      env: {
        NUCLEON_RATE_LIMIT_RPS: '0.01',
        NUCLEON_RATE_LIMIT_BURST: '3',
        NUCLEON_MAX_CONNECTIONS: '8',
      },
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('closes a connection past the cap at once, and accepts again once others close', async () => {
    const url = new URL(server.url);
    const open = () =>
      new Promise<Socket>((resolve, reject) => {
        const socket = connect(Number(url.port), url.hostname, () => resolve(socket));
        socket.on('error', reject);
      });
    const held: Socket[] = [];
    for (let i = 0; i < 8; i++) held.push(await open());
    const extra = await open();
    extra.on('error', () => undefined);
    await new Promise<void>((resolve) => extra.once('close', () => resolve()));
    for (const socket of held) socket.destroy();
    const health = await waitFor(async () => {
      const response = await fetch(`${server.url}/healthz`).catch(() => undefined);
      return response?.ok ? response : undefined;
    });
    expect(await health.json()).toEqual({ status: 'ok' });
  });

  it('throttles a key past its rate with ThrottlingException, and only that key', async () => {
    const root = sdkClient(server);
    const created = (await nucleonClient(server).send(
      `${extensionTargetPrefix}.CreateAccessKey`,
      {},
    )) as { accessKey: { accessKeyId: string; secretAccessKey: string } };
    await root.send(new ListEnvironmentTemplatesCommand({}));
    await root.send(new ListEnvironmentTemplatesCommand({}));
    await expect(root.send(new ListEnvironmentTemplatesCommand({}))).rejects.toMatchObject({
      name: 'ThrottlingException',
      message: expect.stringMatching(
        /Rate exceeded for access key AKIANUCLEONTESTROOT1.*NUCLEON_RATE_LIMIT_RPS/,
      ),
    });
    const other = new ProtonClient({
      endpoint: server.url,
      region: server.region,
      credentials: {
        accessKeyId: created.accessKey.accessKeyId,
        secretAccessKey: created.accessKey.secretAccessKey,
      },
      maxAttempts: 1,
    });
    expect((await other.send(new ListEnvironmentTemplatesCommand({}))).templates).toEqual([]);
  });
});
