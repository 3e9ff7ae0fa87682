import {
  CreateEnvironmentCommand,
  ListDeploymentsCommand,
  ListEnvironmentsCommand,
  ListServicesCommand,
  ValidationException,
  type ProtonClient,
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

for (const dialect of testDialects())
  describe(`list pages are read in SQL after the token's key (${dialect})`, async () => {
    if (dialect === 'postgres' && !requireOrSkip(await postgresUnavailable())) return;
    let server: TestServer;
    let proton: ProtonClient;
    const create = (name: string, templateName = 'pg-env') =>
      proton.send(
        new CreateEnvironmentCommand({
          name,
          templateName,
          templateMajorVersion: '1',
          spec: 'proton: EnvironmentSpec\nspec:\n  greeting: hi\n',
        }),
      );

    beforeAll(async () => {
      server = await startTestServer({ dialect });
      proton = sdkClient(server);
      await publishFixture(server, {
        kind: 'ENVIRONMENT',
        template: 'pg-env',
        fixture: 'env-codebuild',
      });
      await publishFixture(server, {
        kind: 'ENVIRONMENT',
        template: 'pg-other',
        fixture: 'env-codebuild',
      });
      for (const n of ['e01', 'e03', 'e05', 'e07', 'e09']) await create(n);
      await create('o02', 'pg-other');
      await create('o08', 'pg-other');
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('pages through every environment exactly once while others are created between pages', async () => {
      const seen: string[] = [];
      const inserted = ['e00', 'e08', 'p50'];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await proton.send(
          new ListEnvironmentsCommand({ maxResults: 2, ...(token ? { nextToken: token } : {}) }),
        );
        expect(page.environments!.length).toBeLessThanOrEqual(2);
        seen.push(...page.environments!.map((e) => e.name!));
        token = page.nextToken;
        // Between pages: a name sorting before the pages read so far, then ones after them.
        const next = inserted[pages++];
        if (next) await create(next);
      } while (token);
      // Nothing shifts or repeats: the ones created behind the cursor are not read, the ones
      // created ahead of it are, and everything that was there from the start is read once.
      expect(seen).toEqual(['e01', 'e03', 'e05', 'e07', 'e08', 'e09', 'o02', 'o08', 'p50']);
    });

    it('applies the environmentTemplates filter in every page', async () => {
      const seen: string[] = [];
      let token: string | undefined;
      do {
        const page = await proton.send(
          new ListEnvironmentsCommand({
            maxResults: 1,
            environmentTemplates: [{ templateName: 'pg-other', majorVersion: '1' }],
            ...(token ? { nextToken: token } : {}),
          }),
        );
        seen.push(...page.environments!.map((e) => e.name!));
        token = page.nextToken;
      } while (token);
      expect(seen).toEqual(['o02', 'o08']);
      const none = await proton.send(
        new ListEnvironmentsCommand({
          environmentTemplates: [{ templateName: 'pg-other', majorVersion: '2' }],
        }),
      );
      expect(none.environments).toEqual([]);
    });

    it('answers the last page without a nextToken and the default page with everything', async () => {
      const all = await proton.send(new ListEnvironmentsCommand({}));
      expect(all.nextToken).toBeUndefined();
      const count = all.environments!.length;
      const exact = await proton.send(new ListEnvironmentsCommand({ maxResults: count }));
      expect(exact.environments!.length).toBe(count);
      expect(exact.nextToken).toBeUndefined();
    });

    it('pages through deployments newest first, each once, while new ones start between pages', async () => {
      const before = await proton.send(new ListDeploymentsCommand({}));
      const ids: string[] = [];
      let token: string | undefined;
      let n = 0;
      do {
        const page = await proton.send(
          new ListDeploymentsCommand({ maxResults: 3, ...(token ? { nextToken: token } : {}) }),
        );
        ids.push(...page.deployments!.map((d) => d.id!));
        token = page.nextToken;
        // A new deployment is the newest: behind the cursor, so it neither shifts nor repeats.
        if (n++ < 2) await create(`q0${n}`);
      } while (token);
      expect(ids).toEqual(before.deployments!.map((d) => d.id));
      const after = await proton.send(new ListDeploymentsCommand({ environmentName: 'q01' }));
      expect(after.deployments!.map((d) => d.environmentName)).toEqual(['q01']);
    });

    it('refuses a nextToken it did not issue with a ValidationException saying what to do', async () => {
      for (const send of [
        () => proton.send(new ListEnvironmentsCommand({ nextToken: 'bm90LWpzb24=' })),
        () => proton.send(new ListServicesCommand({ nextToken: 'bm90LWpzb24=' })),
        // A token of another list: its key is not a deployment's.
        () => proton.send(new ListDeploymentsCommand({ nextToken: 'eyJrIjoienp6In0=' })),
      ]) {
        const error = await send().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ValidationException);
        expect((error as Error).message).toMatch(/nextToken is invalid.*omit it/);
      }
    });
  });
