import {
  CreateServiceCommand,
  CreateServiceInstanceCommand,
  ListComponentsCommand,
  ListDeploymentsCommand,
  ListEnvironmentAccountConnectionsCommand,
  ListEnvironmentOutputsCommand,
  ListEnvironmentProvisionedResourcesCommand,
  ListEnvironmentsCommand,
  ListEnvironmentTemplatesCommand,
  ListEnvironmentTemplateVersionsCommand,
  ListRepositoriesCommand,
  ListServiceInstanceOutputsCommand,
  ListServiceInstanceProvisionedResourcesCommand,
  ListServiceInstancesCommand,
  ListServicesCommand,
  ListServiceTemplatesCommand,
  ListServiceTemplateVersionsCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  ValidationException,
  waitUntilEnvironmentDeployed,
  waitUntilServiceCreated,
  waitUntilServiceInstanceDeployed,
  type ListServiceInstancesCommandInput,
  type ProtonClient,
  type ServiceInstanceSummary,
  CreateEnvironmentCommand,
} from '@aws-sdk/client-proton';
import {
  postgresUnavailable,
  requireOrSkip,
  startTestServer,
  testDialects,
  type TestServer,
} from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishFixture, sdkClient } from './helpers.js';

const w = (client: ProtonClient) => ({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 1 });

/** Every item of a list, one page of `maxResults` at a time, calling `between` after each page. */
async function pageAll<T>(
  read: (nextToken: string | undefined) => Promise<{ items: T[]; nextToken?: string | undefined }>,
  maxResults: number,
  between: (page: number) => Promise<void> = async () => undefined,
): Promise<T[]> {
  const seen: T[] = [];
  let token: string | undefined;
  let n = 0;
  do {
    const page = await read(token);
    expect(page.items.length).toBeLessThanOrEqual(maxResults);
    seen.push(...page.items);
    token = page.nextToken;
    await between(n++);
  } while (token);
  return seen;
}

const errorOf = (p: Promise<unknown>) => p.then(() => undefined).catch((e: unknown) => e);

for (const dialect of testDialects())
  describe(`every List operation pages in SQL (${dialect})`, async () => {
    if (dialect === 'postgres' && !requireOrSkip(await postgresUnavailable())) return;
    let server: TestServer;
    let proton: ProtonClient;
    const queries: string[] = [];
    let capturing = false;

    const instances = (input: Omit<ListServiceInstancesCommandInput, 'nextToken'>) =>
      pageAll(async (nextToken) => {
        const out = await proton.send(
          new ListServiceInstancesCommand({ ...input, ...(nextToken ? { nextToken } : {}) }),
        );
        return { items: out.serviceInstances!, nextToken: out.nextToken };
      }, input.maxResults ?? 100);
    const names = (list: ServiceInstanceSummary[]) => list.map((i) => i.name);
    const addInstance = async (name: string) => {
      await proton.send(
        new CreateServiceInstanceCommand({
          serviceName: 'api',
          name,
          spec: `proton: ServiceSpec\ninstances:\n  - name: ${name}\n    environment: dev\n    spec:\n      port: 9000\n`,
        }),
      );
      await waitUntilServiceInstanceDeployed(w(proton), { serviceName: 'api', name });
    };

    beforeAll(async () => {
      server = await startTestServer({
        dialect,
        onQuery: (sql) => {
          if (capturing) queries.push(sql);
        },
      });
      proton = sdkClient(server);
      await publishFixture(server, {
        kind: 'ENVIRONMENT',
        template: 'lp-env',
        fixture: 'env-codebuild',
      });
      await publishFixture(server, {
        kind: 'SERVICE',
        template: 'lp-svc',
        fixture: 'svc-codebuild',
        compatible: [{ templateName: 'lp-env', majorVersion: '1' }],
        pipeline: false,
      });
      await proton.send(
        new CreateEnvironmentCommand({
          name: 'dev',
          templateName: 'lp-env',
          templateMajorVersion: '1',
          spec: 'proton: EnvironmentSpec\nspec:\n  greeting: hi\n',
        }),
      );
      await waitUntilEnvironmentDeployed(w(proton), { name: 'dev' });
      const spec = ['i01', 'i03', 'i05', 'i07']
        .map((n, i) => `  - name: ${n}\n    environment: dev\n    spec:\n      port: ${8000 + i}\n`)
        .join('');
      await proton.send(
        new CreateServiceCommand({
          name: 'api',
          templateName: 'lp-svc',
          templateMajorVersion: '1',
          spec: `proton: ServiceSpec\ninstances:\n${spec}`,
        }),
      );
      await waitUntilServiceCreated(w(proton), { name: 'api' });
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('pages service instances once each while instances are created between pages', async () => {
      const inserted = ['i00', 'i04', 'i09'];
      const seen = await pageAll(
        async (nextToken) => {
          const out = await proton.send(
            new ListServiceInstancesCommand({
              serviceName: 'api',
              sortBy: 'name',
              maxResults: 1,
              ...(nextToken ? { nextToken } : {}),
            }),
          );
          return { items: out.serviceInstances!, nextToken: out.nextToken };
        },
        1,
        async (n) => {
          // Page 1 ends at i01: i00 lands behind the cursor, i04 and i09 ahead of it.
          if (n < inserted.length) await addInstance(inserted[n]!);
        },
      );
      expect(names(seen)).toEqual(['i01', 'i03', 'i04', 'i05', 'i07', 'i09']);
    });

    it('applies filters and sort order in SQL, in every page', async () => {
      const all = await instances({ sortBy: 'name' });
      expect(names(all)).toEqual(['i00', 'i01', 'i03', 'i04', 'i05', 'i07', 'i09']);
      const desc = await instances({ sortBy: 'name', sortOrder: 'DESCENDING', maxResults: 2 });
      expect(names(desc)).toEqual(names(all).reverse());
      // By creation time, newest first: the three added in the first test lead, in reverse.
      const newest = await instances({
        sortBy: 'createdAt',
        sortOrder: 'DESCENDING',
        maxResults: 2,
      });
      expect(names(newest).slice(0, 3)).toEqual(['i09', 'i04', 'i00']);
      const cut = all.find((i) => i.name === 'i00')!.createdAt!;
      const after = await instances({
        filters: [{ key: 'createdAtAfter', value: new Date(cut.getTime() - 1).toISOString() }],
        sortBy: 'name',
        maxResults: 1,
      });
      expect(names(after)).toEqual(['i00', 'i04', 'i09']);
      const named = await instances({ filters: [{ key: 'name', value: 'i05' }] });
      expect(names(named)).toEqual(['i05']);
      const upToDate = await instances({
        filters: [
          { key: 'deployedTemplateVersionStatus', value: 'UP_TO_DATE' },
          { key: 'environmentName', value: 'dev' },
          { key: 'deploymentStatus', value: 'SUCCEEDED' },
        ],
        maxResults: 3,
      });
      expect(upToDate.length).toBe(7);
      const behind = await instances({
        filters: [{ key: 'deployedTemplateVersionStatus', value: 'BEHIND_MAJOR' }],
      });
      expect(behind).toEqual([]);
      const bad = await errorOf(
        proton.send(
          new ListServiceInstancesCommand({ filters: [{ key: 'createdAtAfter', value: 'soon' }] }),
        ),
      );
      expect(bad).toBeInstanceOf(ValidationException);
    });

    it('binds a token to its list, filter and sort, and refuses an edited one', async () => {
      const first = await proton.send(
        new ListServiceInstancesCommand({
          filters: [{ key: 'environmentName', value: 'dev' }],
          maxResults: 1,
        }),
      );
      const token = first.nextToken!;
      expect(token).toMatch(/^[A-Za-z0-9+=/]+$/);
      const same = await proton.send(
        new ListServiceInstancesCommand({
          filters: [{ key: 'environmentName', value: 'dev' }],
          maxResults: 1,
          nextToken: token,
        }),
      );
      expect(same.serviceInstances![0]!.name).not.toBe(first.serviceInstances![0]!.name);
      const body = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { k: string };
      const edited = Buffer.from(
        JSON.stringify({ ...body, k: JSON.stringify(['zzz', 'arn:zzz']) }),
        'utf8',
      ).toString('base64');
      for (const send of [
        // Another filter value, another sort, another list.
        proton.send(
          new ListServiceInstancesCommand({
            filters: [{ key: 'environmentName', value: 'prod' }],
            nextToken: token,
          }),
        ),
        proton.send(
          new ListServiceInstancesCommand({
            filters: [{ key: 'environmentName', value: 'dev' }],
            sortBy: 'name',
            nextToken: token,
          }),
        ),
        proton.send(new ListEnvironmentsCommand({ nextToken: token })),
        proton.send(new ListComponentsCommand({ nextToken: token })),
        proton.send(
          new ListServiceInstancesCommand({
            filters: [{ key: 'environmentName', value: 'dev' }],
            nextToken: edited,
          }),
        ),
      ]) {
        const error = await errorOf(send);
        expect(error).toBeInstanceOf(ValidationException);
        expect((error as Error).message).toMatch(/nextToken is invalid/);
      }
      const deployments = await proton.send(
        new ListDeploymentsCommand({ serviceName: 'api', maxResults: 1 }),
      );
      const other = await errorOf(
        proton.send(
          new ListDeploymentsCommand({ environmentName: 'dev', nextToken: deployments.nextToken }),
        ),
      );
      expect(other).toBeInstanceOf(ValidationException);
    });

    it('honours maxResults in every list, and pages add up to the whole list', async () => {
      const service = await proton.send(new ListServicesCommand({}));
      const arn = service.services![0]!.arn!;
      await proton.send(
        new TagResourceCommand({
          resourceArn: arn,
          tags: ['a', 'b', 'c'].map((key) => ({ key, value: key.toUpperCase() })),
        }),
      );
      const lists: Array<[string, (t: string | undefined, max: number) => Promise<unknown[]>]> = [];
      const list = <T>(
        name: string,
        read: (
          nextToken: string | undefined,
          max: number,
        ) => Promise<{ items: T[]; nextToken?: string | undefined }>,
      ) => lists.push([name, read as never]);
      const tok = (t: string | undefined) => (t ? { nextToken: t } : {});
      list('tags', async (t, maxResults) => {
        const o = await proton.send(
          new ListTagsForResourceCommand({ resourceArn: arn, maxResults, ...tok(t) }),
        );
        return { items: o.tags!.map((x) => x.key), nextToken: o.nextToken };
      });
      list('deployments', async (t, maxResults) => {
        const o = await proton.send(new ListDeploymentsCommand({ maxResults, ...tok(t) }));
        return { items: o.deployments!.map((x) => x.id), nextToken: o.nextToken };
      });
      list('env templates', async (t, maxResults) => {
        const o = await proton.send(new ListEnvironmentTemplatesCommand({ maxResults, ...tok(t) }));
        return { items: o.templates!.map((x) => x.name), nextToken: o.nextToken };
      });
      list('svc templates', async (t, maxResults) => {
        const o = await proton.send(new ListServiceTemplatesCommand({ maxResults, ...tok(t) }));
        return { items: o.templates!.map((x) => x.name), nextToken: o.nextToken };
      });
      list('instances', async (t, maxResults) => {
        const o = await proton.send(new ListServiceInstancesCommand({ maxResults, ...tok(t) }));
        return { items: o.serviceInstances!.map((x) => x.name), nextToken: o.nextToken };
      });
      for (const [name, read] of lists) {
        const whole = (await read(undefined, 100)) as unknown as { items: unknown[] };
        const one = await pageAll(
          (t) => read(t, 1) as never as Promise<{ items: unknown[]; nextToken?: string }>,
          1,
        );
        expect(one, name).toEqual(whole.items);
      }
      const tags = await proton.send(
        new ListTagsForResourceCommand({ resourceArn: arn, maxResults: 2 }),
      );
      expect(tags.tags!.map((t) => t.key)).toEqual(['a', 'b']);
      expect(tags.nextToken).toBeDefined();
      const refused = await errorOf(
        proton.send(new ListServiceInstancesCommand({ maxResults: 101 })),
      );
      expect(refused).toBeInstanceOf(ValidationException);
    });

    it('reads no rendered files, logs or specs on any list path', async () => {
      queries.length = 0;
      capturing = true;
      try {
        await proton.send(new ListEnvironmentsCommand({ maxResults: 1 }));
        await proton.send(new ListServicesCommand({}));
        await proton.send(
          new ListServiceInstancesCommand({
            filters: [{ key: 'deployedTemplateVersionStatus', value: 'UP_TO_DATE' }],
            sortBy: 'lastDeploymentAttemptedAt',
            maxResults: 2,
          }),
        );
        await proton.send(new ListDeploymentsCommand({ serviceName: 'api' }));
        const outputs = await proton.send(
          new ListServiceInstanceOutputsCommand({ serviceName: 'api', serviceInstanceName: 'i01' }),
        );
        expect(outputs.outputs!.map((o) => o.key).sort()).toEqual(['Cluster', 'Message', 'Url']);
        const envOutputs = await proton.send(
          new ListEnvironmentOutputsCommand({ environmentName: 'dev' }),
        );
        expect(envOutputs.outputs!.length).toBeGreaterThan(0);
        await proton.send(
          new ListEnvironmentProvisionedResourcesCommand({ environmentName: 'dev' }),
        );
        await proton.send(
          new ListServiceInstanceProvisionedResourcesCommand({
            serviceName: 'api',
            serviceInstanceName: 'i01',
          }),
        );
        await proton.send(new ListComponentsCommand({ environmentName: 'dev' }));
        await proton.send(new ListEnvironmentTemplatesCommand({}));
        await proton.send(new ListServiceTemplateVersionsCommand({ templateName: 'lp-svc' }));
        await proton.send(
          new ListEnvironmentTemplateVersionsCommand({ templateName: 'lp-env', majorVersion: '1' }),
        );
        await proton.send(new ListRepositoriesCommand({}));
        await proton.send(
          new ListEnvironmentAccountConnectionsCommand({ requestedBy: 'MANAGEMENT_ACCOUNT' }),
        );
      } finally {
        capturing = false;
      }
      const seen = queries.join('\n');
      // The page queries themselves ran (they are what is checked).
      expect(seen).toMatch(/from "resources".*limit/);
      expect(seen).toMatch(/from "deployments".*limit/);
      expect(seen).toMatch(/jsonb_each_text/);
      for (const q of queries) {
        expect(q, q).not.toMatch(/rendered|deployment_events|initial_state|target_state/);
        expect(q, q).not.toMatch(/select \* from "deployments"/);
        // Pages (queries with a limit) never read a spec or a schema, nor every column of a
        // table that has them.
        if (/\blimit\b/i.test(q)) {
          expect(q, q).not.toMatch(
            /"spec"|schema_text|select \* from "(resources|services|template_versions)"/,
          );
        }
      }
    });
  });
