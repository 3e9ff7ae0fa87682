import {
  CreateEnvironmentTemplateCommand,
  CreateEnvironmentTemplateVersionCommand,
  CreateServiceTemplateCommand,
  CreateServiceTemplateVersionCommand,
  DeleteEnvironmentTemplateCommand,
  DeleteEnvironmentTemplateVersionCommand,
  GetEnvironmentTemplateCommand,
  GetEnvironmentTemplateVersionCommand,
  ListEnvironmentTemplatesCommand,
  ListEnvironmentTemplateVersionsCommand,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
  ConflictException,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateEnvironmentTemplateCommand,
  UpdateEnvironmentTemplateVersionCommand,
  ValidationException,
  paginateListEnvironmentTemplates,
  waitUntilEnvironmentTemplateVersionRegistered,
  waitUntilServiceTemplateVersionRegistered,
} from '@aws-sdk/client-proton';
import {
  postgresUnavailable,
  requireOrSkip,
  startTestServer,
  testDialects,
  waitFor,
  type TestServer,
} from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushFixture, sdkClient } from './helpers.js';

async function settle(
  client: ReturnType<typeof sdkClient>,
  templateName: string,
  majorVersion: string,
  minorVersion: string,
) {
  return waitFor(
    async () => {
      const v = (
        await client.send(
          new GetEnvironmentTemplateVersionCommand({ templateName, majorVersion, minorVersion }),
        )
      ).environmentTemplateVersion;
      return v?.status === 'REGISTRATION_IN_PROGRESS' ? undefined : v;
    },
    { what: `${templateName}:${majorVersion}.${minorVersion} to settle` },
  );
}

const waiter = (client: ReturnType<typeof sdkClient>) => ({
  client,
  maxWaitTime: 30,
  minDelay: 1,
  maxDelay: 1,
});

for (const dialect of testDialects()) {
  describe(`the template catalog over the AWS SDK (${dialect})`, async () => {
    const available = dialect === 'postgres' ? requireOrSkip(await postgresUnavailable()) : true;
    let server: TestServer;
    let proton: ReturnType<typeof sdkClient>;

    beforeAll(async () => {
      if (!available) return;
      server = await startTestServer({ dialect });
      proton = sdkClient(server);
    });
    afterAll(async () => {
      await server?.stop();
    });

    it.skipIf(!available)(
      'registers, publishes and recommends environment template versions',
      async () => {
        const created = await proton.send(
          new CreateEnvironmentTemplateCommand({
            name: 'vpc-env',
            displayName: 'VPC',
            description: 'a VPC',
            tags: [{ key: 'team', value: 'platform' }],
          }),
        );
        expect(created.environmentTemplate?.arn).toBe(
          'arn:aws:proton:us-east-1:123456789012:environment-template/vpc-env',
        );
        expect(created.environmentTemplate?.createdAt).toBeInstanceOf(Date);

        const source = await pushFixture(server, 'env-cfn');
        const v1 = await proton.send(
          new CreateEnvironmentTemplateVersionCommand({
            templateName: 'vpc-env',
            source: { s3: source },
            description: 'first',
          }),
        );
        expect(v1.environmentTemplateVersion).toMatchObject({
          majorVersion: '1',
          minorVersion: '0',
          status: 'REGISTRATION_IN_PROGRESS',
        });

        const result = await waitUntilEnvironmentTemplateVersionRegistered(waiter(proton), {
          templateName: 'vpc-env',
          majorVersion: '1',
          minorVersion: '0',
        });
        expect(result.state).toBe('SUCCESS');
        const got = await proton.send(
          new GetEnvironmentTemplateVersionCommand({
            templateName: 'vpc-env',
            majorVersion: '1',
            minorVersion: '0',
          }),
        );
        expect(got.environmentTemplateVersion?.status).toBe('DRAFT');
        expect(got.environmentTemplateVersion?.schema).toContain('environment_input_type');

        await proton.send(
          new UpdateEnvironmentTemplateVersionCommand({
            templateName: 'vpc-env',
            majorVersion: '1',
            minorVersion: '0',
            status: 'PUBLISHED',
          }),
        );
        const template = await proton.send(new GetEnvironmentTemplateCommand({ name: 'vpc-env' }));
        expect(template.environmentTemplate?.recommendedVersion).toBe('1.0');

        // A compatible minor version: 1.1.
        const v11 = await proton.send(
          new CreateEnvironmentTemplateVersionCommand({
            templateName: 'vpc-env',
            majorVersion: '1',
            source: { s3: await pushFixture(server, 'env-cfn-v1_1') },
          }),
        );
        expect(v11.environmentTemplateVersion).toMatchObject({
          majorVersion: '1',
          minorVersion: '1',
        });
        await waitUntilEnvironmentTemplateVersionRegistered(waiter(proton), {
          templateName: 'vpc-env',
          majorVersion: '1',
          minorVersion: '1',
        });
        await proton.send(
          new UpdateEnvironmentTemplateVersionCommand({
            templateName: 'vpc-env',
            majorVersion: '1',
            minorVersion: '1',
            status: 'PUBLISHED',
          }),
        );
        const minors = await proton.send(
          new ListEnvironmentTemplateVersionsCommand({
            templateName: 'vpc-env',
            majorVersion: '1',
          }),
        );
        expect(
          minors.templateVersions?.map(
            (v) => `${v.majorVersion}.${v.minorVersion}:${v.recommendedMinorVersion}`,
          ),
        ).toEqual(['1.0:1', '1.1:1']);
      },
    );

    it.skipIf(!available)(
      'fails registration of an incompatible minor version, naming the input',
      async () => {
        await proton.send(
          new CreateEnvironmentTemplateVersionCommand({
            templateName: 'vpc-env',
            majorVersion: '1',
            source: { s3: await pushFixture(server, 'env-cfn-breaking') },
          }),
        );
        await expect(
          waitUntilEnvironmentTemplateVersionRegistered(waiter(proton), {
            templateName: 'vpc-env',
            majorVersion: '1',
            minorVersion: '2',
          }),
        ).rejects.toThrow();
        const v = await proton.send(
          new GetEnvironmentTemplateVersionCommand({
            templateName: 'vpc-env',
            majorVersion: '1',
            minorVersion: '2',
          }),
        );
        expect(v.environmentTemplateVersion?.status).toBe('REGISTRATION_FAILED');
        expect(v.environmentTemplateVersion?.statusMessage).toMatch(/cluster_name/);
        expect(v.environmentTemplateVersion?.statusMessage).toMatch(/subnet_count/);
      },
    );

    it.skipIf(!available)(
      'fails registration of a bad bundle with the file and the problem',
      async () => {
        await proton.send(
          new CreateEnvironmentTemplateVersionCommand({
            templateName: 'vpc-env',
            source: { s3: await pushFixture(server, 'env-bad-manifest') },
          }),
        );
        const settled = await settle(proton, 'vpc-env', '2', '0');
        expect(settled?.status).toBe('REGISTRATION_FAILED');
        expect(settled?.statusMessage).toMatch(/infrastructure\/manifest\.yaml/);
        expect(settled?.statusMessage).toMatch(/missing\.yaml/);
      },
    );

    it.skipIf(!available)(
      'fails registration when the bundle is not in the store, saying where it looked',
      async () => {
        await proton.send(
          new CreateEnvironmentTemplateVersionCommand({
            templateName: 'vpc-env',
            source: { s3: { bucket: 'nucleon-bundles', key: 'nope.tar.gz' } },
          }),
        );
        await expect(
          waitUntilEnvironmentTemplateVersionRegistered(waiter(proton), {
            templateName: 'vpc-env',
            majorVersion: '3',
            minorVersion: '0',
          }),
        ).rejects.toThrow();
        const v = await proton.send(
          new GetEnvironmentTemplateVersionCommand({
            templateName: 'vpc-env',
            majorVersion: '3',
            minorVersion: '0',
          }),
        );
        expect(v.environmentTemplateVersion?.statusMessage).toMatch(
          /s3:\/\/nucleon-bundles\/nope\.tar\.gz/,
        );
      },
    );

    it.skipIf(!available)(
      'registers service template versions against compatible environment templates',
      async () => {
        await proton.send(new CreateServiceTemplateCommand({ name: 'queue-svc' }));
        await proton.send(
          new CreateServiceTemplateVersionCommand({
            templateName: 'queue-svc',
            source: { s3: await pushFixture(server, 'svc-cfn') },
            compatibleEnvironmentTemplates: [{ templateName: 'vpc-env', majorVersion: '1' }],
          }),
        );
        const ok = await waitUntilServiceTemplateVersionRegistered(waiter(proton), {
          templateName: 'queue-svc',
          majorVersion: '1',
          minorVersion: '0',
        });
        expect(ok.state).toBe('SUCCESS');

        await proton.send(
          new CreateServiceTemplateVersionCommand({
            templateName: 'queue-svc',
            source: { s3: await pushFixture(server, 'svc-cfn') },
            compatibleEnvironmentTemplates: [{ templateName: 'no-such-env', majorVersion: '1' }],
          }),
        );
        await expect(
          waitUntilServiceTemplateVersionRegistered(waiter(proton), {
            templateName: 'queue-svc',
            majorVersion: '2',
            minorVersion: '0',
          }),
        ).rejects.toThrow();
      },
    );

    it.skipIf(!available)('tags templates and versions, and pages through lists', async () => {
      const arn = 'arn:aws:proton:us-east-1:123456789012:environment-template/vpc-env';
      await proton.send(
        new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'cost-center', value: '42' }] }),
      );
      await proton.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['team'] }));
      const tags = await proton.send(new ListTagsForResourceCommand({ resourceArn: arn }));
      expect(tags.tags).toEqual([{ key: 'cost-center', value: '42' }]);
      await expect(
        proton.send(
          new TagResourceCommand({
            resourceArn: `${arn}-missing`,
            tags: [{ key: 'a', value: 'b' }],
          }),
        ),
      ).rejects.toBeInstanceOf(ResourceNotFoundException);

      for (let i = 0; i < 5; i++)
        await proton.send(new CreateEnvironmentTemplateCommand({ name: `page-${i}` }));
      const names: string[] = [];
      let pages = 0;
      for await (const page of paginateListEnvironmentTemplates(
        { client: proton, pageSize: 2 },
        {},
      )) {
        pages++;
        names.push(...(page.templates ?? []).map((t) => t.name!));
      }
      expect(names).toEqual(['page-0', 'page-1', 'page-2', 'page-3', 'page-4', 'vpc-env']);
      expect(pages).toBe(3);
    });

    it.skipIf(!available)(
      'updates templates, protects templates with versions, and deletes idempotently',
      async () => {
        const updated = await proton.send(
          new UpdateEnvironmentTemplateCommand({ name: 'page-0', description: 'changed' }),
        );
        expect(updated.environmentTemplate?.description).toBe('changed');
        await expect(
          proton.send(new DeleteEnvironmentTemplateCommand({ name: 'vpc-env' })),
        ).rejects.toBeInstanceOf(ConflictException);
        const deleted = await proton.send(new DeleteEnvironmentTemplateCommand({ name: 'page-1' }));
        expect(deleted.environmentTemplate?.name).toBe('page-1');
        const again = await proton.send(new DeleteEnvironmentTemplateCommand({ name: 'page-1' }));
        expect(again.environmentTemplate).toBeUndefined();
        await expect(
          proton.send(new GetEnvironmentTemplateCommand({ name: 'page-1' })),
        ).rejects.toBeInstanceOf(ResourceNotFoundException);
        // The recommended minor can't go while other minors exist; a failed one can.
        await expect(
          proton.send(
            new DeleteEnvironmentTemplateVersionCommand({
              templateName: 'vpc-env',
              majorVersion: '1',
              minorVersion: '1',
            }),
          ),
        ).rejects.toBeInstanceOf(ConflictException);
        const gone = await proton.send(
          new DeleteEnvironmentTemplateVersionCommand({
            templateName: 'vpc-env',
            majorVersion: '1',
            minorVersion: '2',
          }),
        );
        expect(gone.environmentTemplateVersion?.status).toBe('REGISTRATION_FAILED');
      },
    );

    it.skipIf(!available)(
      'answers invalid input with ValidationException naming the field',
      async () => {
        const error = await proton
          .send(new CreateEnvironmentTemplateCommand({ name: 'bad name!' }))
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ValidationException);
        expect((error as Error).message).toMatch(/at 'name' failed to satisfy constraint/);
        const long = await proton
          .send(new CreateEnvironmentTemplateCommand({ name: 'x', description: 'd'.repeat(501) }))
          .catch((e: unknown) => e);
        expect((long as Error).message).toMatch(/'description'.*less than or equal to 500/);
        const list = await proton
          .send(new ListEnvironmentTemplatesCommand({ maxResults: 1000 }))
          .catch((e: unknown) => e);
        expect((list as Error).message).toMatch(/'maxResults'/);
      },
    );
  });
}
