import { ProtonClient, extensionTargetPrefix, type NucleonAuditEvent } from '@nucleon/protocol';
import { startTestServer, type TestServer } from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const X = (op: string) => `${extensionTargetPrefix}.${op}`;

describe('console sign-in with a user name and password', () => {
  let server: TestServer;
  let root: ProtonClient;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    server = await startTestServer({ dialect: 'pglite' });
    root = new ProtonClient({
      endpoint: server.url,
      region: server.region,
      credentials: server.credentials,
    });
    await root.send(X('CreateUser'), {
      userName: 'carol',
      role: 'developer',
      password: 'correct horse battery',
    });
    await root.send(X('CreateUser'), { userName: 'dave', role: 'admin' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("opens a session that acts with the user's role, and refuses wrong or missing passwords", async () => {
    for (const body of [
      { userName: 'carol', password: 'wrong horse battery' },
      { userName: 'nobody', password: 'correct horse battery' },
      { userName: 'dave', password: 'correct horse battery' },
    ]) {
      const refused = await post('/console/api/session', body);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ __type: 'InvalidCredentialsException' });
    }
    const res = await post('/console/api/session', {
      userName: 'carol',
      password: 'correct horse battery',
    });
    expect(res.status).toBe(201);
    const opened = (await res.json()) as { userName: string; csrfToken: string };
    expect(opened.userName).toBe('carol');
    const headers = {
      cookie: res.headers.get('set-cookie')!.split(';')[0]!,
      'x-csrf-token': opened.csrfToken,
    };
    const call = (target: string, input: unknown = {}) =>
      post('/console/api/call', { target, input }, headers);

    const me = await call(X('GetCallerAccess'));
    expect(await me.json()).toMatchObject({
      userName: 'carol',
      role: 'developer',
      accessKeyId: '',
      root: false,
    });
    const forbidden = await call('AwsProton20200720.CreateEnvironmentTemplate', { name: 'carols' });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toMatchObject({
      __type: 'AccessDeniedException',
      message: expect.stringMatching(/user carol .*templates:write/),
    });
    expect((await call('AwsProton20200720.ListEnvironmentTemplates')).status).toBe(200);

    const { events } = (await root.send(X('ListAuditEvents'), { principal: 'carol' })) as {
      events: NucleonAuditEvent[];
    };
    expect(events.map((e) => `${e.principal} ${e.operation} ${e.outcome}`)).toEqual([
      'carol CreateEnvironmentTemplate DENIED',
    ]);

    // Deleting the user ends its sessions.
    await root.send(X('DeleteUser'), { userName: 'carol' });
    const after = await call(X('GetCallerAccess'));
    expect(after.status).toBe(401);
  });
});
