import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultExamplesDir, loadCatalog, packExample } from '../src/commands/examples-catalog.js';
import { nextSteps } from '../src/commands/examples.js';

describe('the examples catalog', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nucleon-examples-catalog-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is found from the CLI package and lists environments before the services that need them', async () => {
    const catalog = await loadCatalog(defaultExamplesDir());
    expect(catalog.map((e) => `${e.group}/${e.kind}/${e.name}`)).toEqual([
      'local/environment/local-env',
      'local/service/local-web',
      'cloudformation/environment/vpc-env',
      'cloudformation/service/queue-svc',
    ]);
    expect(
      catalog
        .filter((e) => e.kind === 'service')
        .every((e) => e.pipelineProvisioning === 'CUSTOMER_MANAGED'),
    ).toBe(true);
  });

  it('packs only the template parts, deterministically', async () => {
    const copy = join(dir, 'examples');
    cpSync(defaultExamplesDir(), copy, { recursive: true });
    const [env] = await loadCatalog(copy);
    const first = await packExample(env!);
    expect(first.key).toMatch(/^examples\/local-env-[0-9a-f]{12}\.tar\.gz$/);
    writeFileSync(join(env!.dir, 'README.md'), 'changed docs\n');
    writeFileSync(join(env!.dir, 'spec', 'spec.yaml'), 'proton: EnvironmentSpec\nspec: {}\n');
    expect((await packExample(env!)).key).toBe(first.key);
    writeFileSync(
      join(env!.dir, 'infrastructure', 'local-env.js'),
      readFileSync(join(env!.dir, 'infrastructure', 'local-env.js'), 'utf8') + '\n// change\n',
    );
    expect((await packExample(env!)).key).not.toBe(first.key);
  });

  it('refuses a catalog whose service comes before its environment template', async () => {
    const copy = join(dir, 'reordered');
    cpSync(defaultExamplesDir(), copy, { recursive: true });
    const doc = JSON.parse(readFileSync(join(copy, 'catalog.json'), 'utf8')) as {
      examples: unknown[];
    };
    doc.examples.reverse();
    writeFileSync(join(copy, 'catalog.json'), JSON.stringify(doc));
    await expect(loadCatalog(copy)).rejects.toThrow(
      /compatible environment template vpc-env must be listed before it/,
    );
  });

  it('prints create, wait, update and delete commands with the installed major', async () => {
    const catalog = await loadCatalog(defaultExamplesDir());
    const local = catalog.filter((e) => e.group === 'local');
    const results = local.map((e) => ({
      template: e.name,
      kind: e.kind,
      group: e.group,
      engine: e.engine,
      version: e.name === 'local-web' ? '2.3' : '1.0',
      actions: [],
      changed: false,
    }));
    const lines = nextSteps(local, results, 'http://127.0.0.1:9999', 'eu-west-1').join('\n');
    expect(lines).toContain(
      'export AWS_ENDPOINT_URL_PROTON=http://127.0.0.1:9999 AWS_REGION=eu-west-1',
    );
    expect(lines).toMatch(
      /create-environment --name local-dev --template-name local-env --template-major-version 1 --spec file:\/\/\S+local-env\/spec\/spec\.yaml/,
    );
    expect(lines).toMatch(
      /create-service --name hello --template-name local-web --template-major-version 2 /,
    );
    expect(lines).toContain(
      'update-service-instance --service-name hello --name web-1 --deployment-type CURRENT_VERSION',
    );
    expect(lines.indexOf('delete-service')).toBeLessThan(lines.indexOf('delete-environment'));
    expect(lines).not.toContain('cloudformation');
  });
});
