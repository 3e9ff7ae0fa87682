import {
  CreateEnvironmentCommand,
  CreateEnvironmentTemplateCommand,
  CreateServiceCommand,
  CreateServiceTemplateVersionCommand,
  DeleteServiceCommand,
  GetAccountSettingsCommand,
  GetEnvironmentCommand,
  GetServiceCommand,
  ListEnvironmentsCommand,
  ListServiceTemplatesCommand,
  TagResourceCommand,
  UpdateAccountSettingsCommand,
  UpdateEnvironmentTemplateVersionCommand,
  waitUntilServiceCreated,
  ProtonClient as SdkClient,
} from '@aws-sdk/client-proton';
import { ProtonClient, type NucleonAuditEvent } from '@nucleon/protocol';
import {
  postgresUnavailable,
  requireOrSkip,
  startTestServer,
  testDialects,
  type TestServer,
} from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BOTO3_SCRIPT,
  X,
  allAuditEvents,
  denied,
  pythonMissing,
  run,
  serviceSpec,
  setUpRoles,
  type Key,
} from './access-fixtures.js';
import { pushFixture } from './helpers.js';

for (const dialect of testDialects()) {
  describe(`access control: roles, grants and the audit log (${dialect})`, async () => {
    if (dialect === 'postgres' && !requireOrSkip(await postgresUnavailable())) return;
    const python = requireOrSkip(await pythonMissing());
    let server: TestServer;
    let root: ProtonClient;
    const keys: Record<string, Key> = {};
    const sdk = (who: string) =>
      new SdkClient({
        endpoint: server.url,
        region: server.region,
        credentials: keys[who]!,
        maxAttempts: 1,
      });
    const ext = (who: string) =>
      new ProtonClient({ endpoint: server.url, region: server.region, credentials: keys[who]! });
    const waiter = (client: SdkClient) => ({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 1 });

    beforeAll(async () => {
      server = await startTestServer({ dialect });
      Object.assign(keys, await setUpRoles(server));
      root = ext('root');
    }, 300_000);
    afterAll(async () => {
      await server?.stop();
    });

    it('lists users with their roles and keys, and keys with their users and roles', async () => {
      const { users } = (await root.send(X('ListUsers'), {})) as {
        users: Array<{ userName: string; role: string; accessKeyIds: string[] }>;
      };
      expect(users.map((u) => [u.userName, u.role])).toEqual([
        ['boss', 'admin'],
        ['dev', 'developer'],
        ['plat', 'platform'],
        ['ro', 'read-only'],
      ]);
      expect(users.find((u) => u.userName === 'dev')!.accessKeyIds).toEqual([
        keys.dev!.accessKeyId,
      ]);
      const { accessKeys } = (await root.send(X('ListAccessKeys'), {})) as {
        accessKeys: Array<{ accessKeyId: string; userName?: string; role: string; root: boolean }>;
      };
      expect(accessKeys.find((k) => k.accessKeyId === keys.dev!.accessKeyId)).toMatchObject({
        userName: 'dev',
        role: 'developer',
        root: false,
      });
      expect(accessKeys.find((k) => k.root)).toMatchObject({
        accessKeyId: keys.root!.accessKeyId,
        role: 'admin',
      });
    });

    it('a developer deploys services from granted templates into granted environments, and nothing else', async () => {
      const dev = sdk('dev');
      expect(
        (await dev.send(new ListServiceTemplatesCommand({}))).templates?.map((t) => t.name),
      ).toEqual(['web-svc']);
      expect((await dev.send(new GetEnvironmentCommand({ name: 'dev-1' }))).environment?.name).toBe(
        'dev-1',
      );
      expect(await denied(dev.send(new GetEnvironmentCommand({ name: 'prod-1' })))).toMatch(
        /user dev .*role developer.* may not perform environments:read on arn:aws:proton:us-east-1:123456789012:environment\/prod-1: no grant covers the environment prod-1/,
      );
      expect(
        await denied(dev.send(new CreateEnvironmentTemplateCommand({ name: 'dev-env' }))),
      ).toMatch(
        /templates:write on .*environment-template\/dev-env: the role developer does not allow templates:write/,
      );
      expect(
        await denied(
          dev.send(
            new UpdateEnvironmentTemplateVersionCommand({
              templateName: 'base',
              majorVersion: '1',
              minorVersion: '0',
              status: 'PUBLISHED',
            }),
          ),
        ),
      ).toMatch(/templates:write/);
      expect(
        await denied(
          dev.send(
            new CreateServiceTemplateVersionCommand({
              templateName: 'web-svc',
              source: { s3: { bucket: 'b', key: 'k' } },
              compatibleEnvironmentTemplates: [],
            }),
          ),
        ),
      ).toMatch(/templates:write/);
      expect(
        await denied(ext('dev').send(X('PutBundle'), { key: 'x.tar.gz', content: 'AAAA' })),
      ).toMatch(/templates:write/);
      expect(
        await denied(ext('dev').send(X('DeleteAccessKey'), { accessKeyId: keys.ro!.accessKeyId })),
      ).toMatch(/access:write on .*nucleon-access-key\//);
      expect(
        await denied(
          dev.send(
            new CreateServiceCommand({
              name: 'web-prod',
              templateName: 'web-svc',
              templateMajorVersion: '1',
              spec: serviceSpec('prod-1'),
            }),
          ),
        ),
      ).toMatch(/services:write on .*service\/web-prod: no grant covers the environment prod-1/);
      expect(
        await denied(
          dev.send(
            new CreateEnvironmentCommand({
              name: 'dev-2',
              templateName: 'base',
              templateMajorVersion: '1',
              spec: 'proton: EnvironmentSpec\nspec: {}\n',
            }),
          ),
        ),
      ).toMatch(/environments:write/);

      await dev.send(
        new CreateServiceCommand({
          name: 'web-dev',
          templateName: 'web-svc',
          templateMajorVersion: '1',
          spec: serviceSpec('dev-1'),
        }),
      );
      expect((await waitUntilServiceCreated(waiter(dev), { name: 'web-dev' })).state).toBe(
        'SUCCESS',
      );
      expect((await dev.send(new GetServiceCommand({ name: 'web-dev' }))).service?.status).toBe(
        'ACTIVE',
      );
    });

    it('tells each caller its role, grants and allowed actions (GetCallerAccess)', async () => {
      const me = (await ext('dev').send(X('GetCallerAccess'), {})) as {
        userName: string;
        role: string;
        root: boolean;
        grants: unknown[];
        actions: string[];
        operations: string[];
      };
      expect(me).toMatchObject({
        userName: 'dev',
        role: 'developer',
        root: false,
        accessKeyId: keys.dev!.accessKeyId,
      });
      expect(me.grants).toEqual([
        { userName: 'dev', kind: 'environment', pattern: 'dev-*' },
        { userName: 'dev', kind: 'template', pattern: 'web-*' },
      ]);
      expect(me.actions).toContain('services:write');
      expect(me.actions).not.toContain('templates:write');
      expect(me.operations).toContain('AwsProton20200720.CreateService');
      expect(me.operations).not.toContain('AwsProton20200720.CreateEnvironmentTemplate');
      const ro = (await ext('ro').send(X('GetCallerAccess'), {})) as { operations: string[] };
      expect(ro.operations).toContain('AwsProton20200720.ListTagsForResource');
      expect(ro.operations).not.toContain('AwsProton20200720.TagResource');
      expect(ro.operations).not.toContain('Nucleon20261127.ListAuditEvents');
      const rootAccess = (await root.send(X('GetCallerAccess'), {})) as {
        role: string;
        root: boolean;
      };
      expect(rootAccess).toMatchObject({ role: 'admin', root: true });
    });

    it('read-only reads everything and changes nothing', async () => {
      const ro = sdk('ro');
      expect(
        (await ro.send(new ListEnvironmentsCommand({}))).environments?.map((e) => e.name).sort(),
      ).toEqual(['dev-1', 'prod-1']);
      expect((await ro.send(new GetAccountSettingsCommand({}))).accountSettings).toBeDefined();
      expect(
        await denied(ro.send(new CreateEnvironmentTemplateCommand({ name: 'ro-env' }))),
      ).toMatch(/role read-only does not allow templates:write/);
      expect(await denied(ro.send(new DeleteServiceCommand({ name: 'web-dev' })))).toMatch(
        /services:write on .*service\/web-dev/,
      );
      expect(
        await denied(
          ro.send(
            new UpdateAccountSettingsCommand({
              pipelineServiceRoleArn: 'arn:aws:iam::123456789012:role/x',
            }),
          ),
        ),
      ).toMatch(/settings:write/);
      const arn = 'arn:aws:proton:us-east-1:123456789012:environment/dev-1';
      expect(
        await denied(
          ro.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'a', value: 'b' }] })),
        ),
      ).toMatch(/environments:write/);
      expect(await denied(ext('ro').send(X('CreateAccessKey'), {}))).toMatch(/access:write/);
      expect(await denied(ext('ro').send(X('ListAuditEvents'), {}))).toMatch(/audit:read/);
    });

    it('platform manages the catalog and environments but not users, keys or services', async () => {
      const plat = sdk('plat');
      await plat.send(new CreateEnvironmentTemplateCommand({ name: 'plat-env' }));
      expect(
        (await pushFixture({ ...server, credentials: keys.plat! }, 'env-codebuild', 'plat.tar.gz'))
          .key,
      ).toBe('plat.tar.gz');
      expect(
        await denied(ext('plat').send(X('CreateUser'), { userName: 'eve', role: 'admin' })),
      ).toMatch(
        /user plat .* may not perform access:write on .*nucleon-user\/eve: the role platform does not allow access:write/,
      );
      expect(await denied(ext('plat').send(X('ListUsers'), {}))).toMatch(/access:read/);
      expect(await denied(ext('plat').send(X('CreateAccessKey'), { role: 'admin' }))).toMatch(
        /access:write/,
      );
      expect(
        await denied(
          plat.send(
            new CreateServiceCommand({
              name: 'plat-svc',
              templateName: 'web-svc',
              templateMajorVersion: '1',
              spec: serviceSpec('dev-1'),
            }),
          ),
        ),
      ).toMatch(/services:write/);
    });

    it('a key created with a role and no user has that role', async () => {
      keys.auditor = (
        (await root.send(X('CreateAccessKey'), { role: 'read-only' })) as { accessKey: Key }
      ).accessKey;
      expect(
        (await ext('auditor').send(X('GetCallerAccess'), {})) as { role: string },
      ).toMatchObject({ role: 'read-only' });
      expect(
        await denied(sdk('auditor').send(new CreateEnvironmentTemplateCommand({ name: 'aud' }))),
      ).toMatch(/role read-only/);
    });

    it('no other key, not even an admin one, can delete the root key', async () => {
      expect(
        await denied(
          ext('boss').send(X('DeleteAccessKey'), { accessKeyId: keys.root!.accessKeyId }),
        ),
      ).toMatch(/root key .* cannot be deleted/);
      expect((await root.send(X('GetCallerAccess'), {})) as { root: boolean }).toMatchObject({
        root: true,
      });
      const spare = (
        (await root.send(X('CreateAccessKey'), { userName: 'ro' })) as { accessKey: Key }
      ).accessKey;
      await ext('boss').send(X('DeleteAccessKey'), { accessKeyId: spare.accessKeyId });
    });

    it.skipIf(!python)(
      'boto3 gets AccessDeniedException for every forbidden call and succeeds with allowed ones',
      async () => {
        const { stdout } = await run('python3', [
          '-c',
          BOTO3_SCRIPT,
          JSON.stringify({ url: server.url, dev: keys.dev, ro: keys.ro, plat: keys.plat }),
        ]);
        const out = JSON.parse(stdout) as Record<string, string>;
        expect(out.devTemplate).toMatch(/^AccessDeniedException: .*templates:write/);
        expect(out.devPublish).toMatch(/^AccessDeniedException: .*templates:write/);
        expect(out.devProd).toMatch(
          /^AccessDeniedException: .*no grant covers the environment prod-1/,
        );
        expect(out.devList).toBe('OK');
        expect(out.roList).toBe('OK');
        expect(out.roDelete).toMatch(/^AccessDeniedException: .*environments:write/);
        expect(out.platTemplate).toBe('OK');
        expect(out.platService).toMatch(/^AccessDeniedException: .*services:write/);
      },
    );

    it('records every mutating call and every denial with its principal (ListAuditEvents)', async () => {
      const all = (filter: Record<string, unknown>) => allAuditEvents(root, filter);
      const dev = await all({ principal: 'dev' });
      const brief = (e: NucleonAuditEvent) => `${e.outcome} ${e.operation} ${e.resourceArn}`;
      expect(dev.map(brief)).toEqual(
        expect.arrayContaining([
          'DENIED CreateEnvironmentTemplate arn:aws:proton:us-east-1:123456789012:environment-template/dev-env',
          'DENIED GetEnvironment arn:aws:proton:us-east-1:123456789012:environment/prod-1',
          'DENIED CreateService arn:aws:proton:us-east-1:123456789012:service/web-prod',
          `DENIED DeleteAccessKey arn:aws:proton:us-east-1:123456789012:nucleon-access-key/${keys.ro!.accessKeyId}`,
          'SUCCEEDED CreateService arn:aws:proton:us-east-1:123456789012:service/web-dev',
        ]),
      );
      // Reads that were allowed are not recorded; every event names the caller.
      expect(dev.some((e) => e.operation === 'ListServiceTemplates')).toBe(false);
      expect(
        dev.every(
          (e) =>
            e.principal === 'dev' &&
            e.userName === 'dev' &&
            e.accessKeyId === keys.dev!.accessKeyId &&
            e.requestId &&
            e.sourceAddress === '127.0.0.1',
        ),
      ).toBe(true);
      const denial = dev.find((e) => e.operation === 'CreateEnvironmentTemplate')!;
      expect(denial).toMatchObject({
        errorType: 'AccessDeniedException',
        action: 'templates:write',
      });
      expect((await all({ principal: 'ro' })).every((e) => e.outcome === 'DENIED')).toBe(true);
      expect(
        (await all({ operation: 'CreateUser' }))
          .map((e) => `${e.principal} ${e.resourceArn.split(':').pop()}`)
          .sort(),
      ).toEqual([
        `${keys.root!.accessKeyId} nucleon-user/boss`,
        `${keys.root!.accessKeyId} nucleon-user/dev`,
        `${keys.root!.accessKeyId} nucleon-user/plat`,
        `${keys.root!.accessKeyId} nucleon-user/ro`,
        'plat nucleon-user/eve',
      ]);
      const byResource = await all({
        resourceArn: 'arn:aws:proton:us-east-1:123456789012:service/web-dev',
      });
      expect(byResource.map((e) => `${e.principal} ${e.operation} ${e.outcome}`)).toEqual([
        'ro DeleteService DENIED',
        'dev CreateService SUCCEEDED',
      ]);
      const rootTemplates = await all({
        principal: keys.root!.accessKeyId,
        operation: 'CreateEnvironmentTemplate',
      });
      expect(rootTemplates.map(brief)).toEqual([
        'SUCCEEDED CreateEnvironmentTemplate arn:aws:proton:us-east-1:123456789012:environment-template/base',
      ]);
      const future = await all({ startTime: Date.now() / 1000 + 3600 });
      expect(future).toEqual([]);
      // Pages are stable: walking them gives each event once, newest first.
      const everything = await all({});
      expect(new Set(everything.map((e) => e.id)).size).toBe(everything.length);
      expect(everything.map((e) => Number(e.id))).toEqual(
        [...everything.map((e) => Number(e.id))].sort((a, b) => b - a),
      );
    });

    it('records a failed mutating call with its error type', async () => {
      await expect(ext('boss').send(X('DeleteUser'), { userName: 'nobody' })).rejects.toThrow(
        /No user nobody/,
      );
      const [event] = (
        (await root.send(X('ListAuditEvents'), { principal: 'boss', operation: 'DeleteUser' })) as {
          events: NucleonAuditEvent[];
        }
      ).events;
      expect(event).toMatchObject({
        outcome: 'FAILED',
        errorType: 'ResourceNotFoundException',
        resourceArn: expect.stringMatching(/nucleon-user\/nobody$/),
      });
    });

    it('deleting a user deletes its keys at once', async () => {
      await root.send(X('DeleteUser'), { userName: 'ro' });
      const error = await sdk('ro')
        .send(new ListEnvironmentsCommand({}))
        .catch((e: Error) => e);
      expect((error as Error).name).toMatch(
        /UnrecognizedClientException|InvalidSignatureException|AccessDenied/,
      );
    });
  });
}
