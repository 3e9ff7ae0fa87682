import { GetEnvironmentTemplateCommand, ProtonClient as SdkClient } from '@aws-sdk/client-proton';
import { ProtonClient } from '@nucleon/protocol';
import { startTestServer, type TestServer } from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { X, type Key } from './access-fixtures.js';

/**
 * Access keys are cached in the server process (every signed request needs its key). The cache
 * must never outlive a revocation in this process: a key deleted, or whose user is deleted, is
 * refused by the very next request, although that key was just used (so it sat in the cache).
 */
describe('access key cache: revocation applies at once (pglite)', () => {
  let server: TestServer;
  let root: ProtonClient;
  const sdk = (key: Key) =>
    new SdkClient({
      endpoint: server.url,
      region: server.region,
      credentials: key,
      maxAttempts: 1,
    });
  const read = (key: Key) =>
    sdk(key).send(new GetEnvironmentTemplateCommand({ name: 'cached-env' }));
  const newKey = async (input: Record<string, string> = {}) =>
    ((await root.send(X('CreateAccessKey'), input)) as { accessKey: Key }).accessKey;
  const refusal = async (call: Promise<unknown>) => {
    const error = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('UnrecognizedClientException');
    return (error as Error).message;
  };

  beforeAll(async () => {
    server = await startTestServer({ dialect: 'pglite' });
    root = new ProtonClient({
      endpoint: server.url,
      region: server.region,
      credentials: server.credentials,
    });
    await root.call('CreateEnvironmentTemplate', { name: 'cached-env' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('a deleted key is refused on the next request after it was just used', async () => {
    const key = await newKey({ description: 'short-lived' });
    for (let i = 0; i < 3; i++)
      expect((await read(key)).environmentTemplate?.name).toBe('cached-env');
    await root.send(X('DeleteAccessKey'), { accessKeyId: key.accessKeyId });
    expect(await refusal(read(key))).toMatch(/unknown access key id/);
    // Other keys are unaffected.
    expect((await read(server.credentials)).environmentTemplate?.name).toBe('cached-env');
  });

  it("deleting a user revokes that user's cached keys at once", async () => {
    await root.send(X('CreateUser'), { userName: 'leaving', role: 'read-only' });
    const key = await newKey({ userName: 'leaving' });
    expect((await read(key)).environmentTemplate?.name).toBe('cached-env');
    await root.send(X('DeleteUser'), { userName: 'leaving' });
    expect(await refusal(read(key))).toMatch(/unknown access key id/);
  });
});
