import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startTestServer, TEST_ROOT_KEY, type TestServer } from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const distIndex = fileURLToPath(new URL('../dist/index.html', import.meta.url));

interface Session {
  cookie: string;
  csrfToken: string;
}

describe('the console session API', () => {
  let server: TestServer;

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  const signIn = async (
    key: { accessKeyId: string; secretAccessKey: string } = TEST_ROOT_KEY,
  ): Promise<Session> => {
    const res = await post('/console/api/session', key);
    expect(res.status).toBe(201);
    const cookie = res.headers.get('set-cookie')?.split(';')[0] ?? '';
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    return { cookie, csrfToken };
  };

  const call = (session: Partial<Session>, target: string, input: unknown = {}) =>
    post(
      '/console/api/call',
      { target, input },
      {
        ...(session.cookie ? { cookie: session.cookie } : {}),
        ...(session.csrfToken ? { 'x-csrf-token': session.csrfToken } : {}),
      },
    );

  beforeAll(async () => {
    server = await startTestServer({ dialect: 'pglite' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('opens a session with an HttpOnly, SameSite=Strict cookie and returns a CSRF token, never the secret', async () => {
    const res = await post('/console/api/session', TEST_ROOT_KEY);
    expect(res.status).toBe(201);
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^nucleon_session=[A-Za-z0-9_-]{40,};/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\//);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      accessKeyId: TEST_ROOT_KEY.accessKeyId,
      csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{40,}$/),
    });
    expect(JSON.stringify(body)).not.toContain(TEST_ROOT_KEY.secretAccessKey);
  });

  it('refuses a wrong secret and an unknown key alike, with 401 and no cookie', async () => {
    for (const key of [
      { accessKeyId: TEST_ROOT_KEY.accessKeyId, secretAccessKey: 'wrong' },
      { accessKeyId: 'AKIANOSUCHKEY0000000', secretAccessKey: TEST_ROOT_KEY.secretAccessKey },
    ]) {
      const res = await post('/console/api/session', key);
      expect(res.status).toBe(401);
      expect(res.headers.get('set-cookie')).toBeNull();
      expect(await res.json()).toMatchObject({
        __type: 'InvalidCredentialsException',
        message: expect.stringMatching(/access key id or secret is wrong/),
      });
    }
  });

  it('answers 401 with a JSON error to calls without a session', async () => {
    const res = await call({}, 'AwsProton20200720.ListEnvironmentTemplates');
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({
      __type: 'NotSignedInException',
      message: expect.stringMatching(/sign in/i),
    });
    const forged = await call(
      { cookie: 'nucleon_session=forged', csrfToken: 'x' },
      'AwsProton20200720.ListEnvironmentTemplates',
    );
    expect(forged.status).toBe(401);
  });

  it('answers 403 to a call with a missing or wrong CSRF token', async () => {
    const session = await signIn();
    const missing = await call(
      { cookie: session.cookie },
      'AwsProton20200720.ListEnvironmentTemplates',
    );
    expect(missing.status).toBe(403);
    expect(await missing.json()).toMatchObject({ __type: 'InvalidCsrfTokenException' });
    const wrong = await call(
      { ...session, csrfToken: `${session.csrfToken}x` },
      'AwsProton20200720.ListEnvironmentTemplates',
    );
    expect(wrong.status).toBe(403);
  });

  it('refuses state-changing requests from another origin', async () => {
    const session = await signIn();
    const res = await post(
      '/console/api/call',
      { target: 'AwsProton20200720.ListEnvironmentTemplates' },
      { cookie: session.cookie, 'x-csrf-token': session.csrfToken, origin: 'https://evil.example' },
    );
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ __type: 'CrossOriginRequestException' });
  });

  it('runs operations through the same registry, validation and error mapping as the signed API', async () => {
    const session = await signIn();
    const created = await call(session, 'AwsProton20200720.CreateEnvironmentTemplate', {
      name: 'from-console',
      displayName: 'From the console',
    });
    expect(created.status).toBe(200);
    expect(await created.json()).toMatchObject({
      environmentTemplate: {
        name: 'from-console',
        arn: 'arn:aws:proton:us-east-1:123456789012:environment-template/from-console',
        createdAt: expect.any(Number),
      },
    });
    const list = (await (
      await call(session, 'AwsProton20200720.ListEnvironmentTemplates')
    ).json()) as { templates: Array<{ name: string }> };
    expect(list.templates.map((t) => t.name)).toContain('from-console');

    const invalid = await call(session, 'AwsProton20200720.CreateEnvironmentTemplate', {
      displayName: 'no name',
    });
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('x-amzn-errortype')).toBe('ValidationException');
    expect(await invalid.json()).toMatchObject({
      __type: 'ValidationException',
      message: expect.stringMatching(/name/),
    });

    const missing = await call(session, 'AwsProton20200720.GetEnvironmentTemplate', {
      name: 'none',
    });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ __type: 'ResourceNotFoundException' });

    const unknown = await call(session, 'AwsProton20200720.NoSuchThing');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ __type: 'UnknownOperationException' });

    const notObject = await call(session, 'AwsProton20200720.ListEnvironmentTemplates', [1, 2]);
    expect(notObject.status).toBe(400);
    expect(await notObject.json()).toMatchObject({ __type: 'SerializationException' });

    const extension = await call(session, 'Nucleon20261127.ListAccessKeys');
    expect(extension.status).toBe(200);
    expect(JSON.stringify(await extension.json())).not.toContain(TEST_ROOT_KEY.secretAccessKey);
  });

  it('gives a reloaded page its CSRF token back from the cookie', async () => {
    const session = await signIn();
    const res = await fetch(`${server.url}/console/api/session`, {
      headers: { cookie: session.cookie },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      signedIn: true,
      accessKeyId: TEST_ROOT_KEY.accessKeyId,
      csrfToken: session.csrfToken,
    });
    const anonymous = await fetch(`${server.url}/console/api/session`);
    expect(anonymous.status).toBe(200);
    expect(await anonymous.json()).toEqual({ signedIn: false });
  });

  it('signs out: the cookie stops working', async () => {
    const session = await signIn();
    const noToken = await fetch(`${server.url}/console/api/session`, {
      method: 'DELETE',
      headers: { cookie: session.cookie },
    });
    expect(noToken.status).toBe(403);
    const out = await fetch(`${server.url}/console/api/session`, {
      method: 'DELETE',
      headers: { cookie: session.cookie, 'x-csrf-token': session.csrfToken },
    });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/nucleon_session=;/);
    expect((await call(session, 'AwsProton20200720.ListEnvironmentTemplates')).status).toBe(401);
  });

  it('ends the sessions of an access key when the key is deleted', async () => {
    const root = await signIn();
    const made = (await (
      await call(root, 'Nucleon20261127.CreateAccessKey', { description: 'console test' })
    ).json()) as { accessKey: { accessKeyId: string; secretAccessKey: string } };
    const session = await signIn(made.accessKey);
    expect((await call(session, 'AwsProton20200720.ListEnvironmentTemplates')).status).toBe(200);
    expect(
      (
        await call(root, 'Nucleon20261127.DeleteAccessKey', {
          accessKeyId: made.accessKey.accessKeyId,
        })
      ).status,
    ).toBe(200);
    expect((await call(session, 'AwsProton20200720.ListEnvironmentTemplates')).status).toBe(401);
  });

  it('slows down guessing: after ten wrong secrets from one address, that address is locked out of the key for a while', async () => {
    const root = await signIn();
    const made = (await (await call(root, 'Nucleon20261127.CreateAccessKey', {})).json()) as {
      accessKey: { accessKeyId: string; secretAccessKey: string };
    };
    for (let i = 0; i < 10; i++)
      expect(
        (
          await post('/console/api/session', {
            accessKeyId: made.accessKey.accessKeyId,
            secretAccessKey: `guess-${i}`,
          })
        ).status,
      ).toBe(401);
    const locked = await post('/console/api/session', made.accessKey);
    expect(locked.status).toBe(429);
    expect(await locked.json()).toMatchObject({ __type: 'ThrottlingException' });
  });

  it('serves the built console at / and at deep links, with a strict content security policy', async () => {
    if (!existsSync(distIndex))
      throw new Error(
        `The console is not built (${distIndex} is missing): run \`npm run build -w @nucleon/console\` first.`,
      );
    for (const path of ['/', '/environments/dev']) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
      expect(await res.text()).toContain('<div id="root">');
    }
    expect((await fetch(`${server.url}/assets/nothing-here.js`)).status).toBe(404);
    expect((await fetch(`${server.url}/console/api/nothing`)).status).toBe(404);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
