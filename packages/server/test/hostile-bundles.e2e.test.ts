import { gzipSync } from 'node:zlib';
import {
  CreateEnvironmentTemplateCommand,
  CreateEnvironmentTemplateVersionCommand,
  GetEnvironmentTemplateVersionCommand,
  ListEnvironmentTemplateVersionsCommand,
} from '@aws-sdk/client-proton';
import { extensionTargetPrefix } from '@nucleon/protocol';
import { startTestServer, waitFor, type TestServer } from '@nucleon/test-utils';
import { pack, type Headers } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nucleonClient, sdkClient, tarFixture } from './helpers.js';

async function tarGz(entries: Array<{ header: Headers; body?: string | Buffer }>): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve) => p.on('end', () => resolve()));
  for (const e of entries) p.entry(e.header, e.body);
  p.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

const schema =
  'schema:\n  format:\n    openapi: "3.0.0"\n  environment_input_type: "I"\n  types:\n    I:\n      type: object\n      properties:\n        a:\n          type: string\n';

describe('hostile bundles are refused at registration and change nothing else', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ dialect: 'pglite' });
    await sdkClient(server).send(new CreateEnvironmentTemplateCommand({ name: 'target' }));
  });
  afterAll(async () => {
    await server?.stop();
  });

  const cases: Array<[string, () => Promise<Buffer>, RegExp]> = [
    [
      'path traversal',
      () =>
        tarGz([
          { header: { name: 'schema/schema.yaml' }, body: schema },
          { header: { name: '../../escape.txt' }, body: 'x' },
        ]),
      /\.\./,
    ],
    ['an absolute path', () => tarGz([{ header: { name: '/etc/evil' }, body: 'x' }]), /absolute/i],
    [
      'a symlink',
      () =>
        tarGz([
          { header: { name: 'schema/schema.yaml' }, body: schema },
          { header: { name: 'link', type: 'symlink', linkname: '/etc/passwd' } },
        ]),
      /link/i,
    ],
    [
      'a device file',
      () =>
        tarGz([{ header: { name: 'dev', type: 'character-device', devmajor: 1, devminor: 3 } }]),
      /device|type/i,
    ],
    [
      'a decompression bomb',
      () => Promise.resolve(gzipSync(Buffer.alloc(200 * 1024 * 1024))),
      /large|limit|exceed/i,
    ],
    [
      'not an archive at all',
      () => Promise.resolve(Buffer.from('hello, I am not a tarball')),
      /archive|tar|gzip/i,
    ],
  ];

  for (const [what, make, message] of cases) {
    it(`refuses ${what}`, async () => {
      const key = `hostile-${what.replace(/\W+/g, '-')}.tar.gz`;
      await nucleonClient(server).send(`${extensionTargetPrefix}.PutBundle`, {
        key,
        content: (await make()).toString('base64'),
      });
      const created = await sdkClient(server).send(
        new CreateEnvironmentTemplateVersionCommand({
          templateName: 'target',
          source: { s3: { bucket: 'nucleon-bundles', key } },
        }),
      );
      const { majorVersion, minorVersion } = created.environmentTemplateVersion!;
      const settled = await waitFor(async () => {
        const v = (
          await sdkClient(server).send(
            new GetEnvironmentTemplateVersionCommand({
              templateName: 'target',
              majorVersion,
              minorVersion,
            }),
          )
        ).environmentTemplateVersion;
        return v?.status === 'REGISTRATION_IN_PROGRESS' ? undefined : v;
      });
      expect(settled.status).toBe('REGISTRATION_FAILED');
      expect(settled.statusMessage).toMatch(message);
    });
  }

  it('still registers a good bundle afterwards, and the failed versions are all that changed', async () => {
    const key = 'good.tar.gz';
    await nucleonClient(server).send(`${extensionTargetPrefix}.PutBundle`, {
      key,
      content: tarFixture('env-cfn').toString('base64'),
    });
    const created = await sdkClient(server).send(
      new CreateEnvironmentTemplateVersionCommand({
        templateName: 'target',
        source: { s3: { bucket: 'nucleon-bundles', key } },
      }),
    );
    const { majorVersion, minorVersion } = created.environmentTemplateVersion!;
    const v = await waitFor(async () => {
      const got = (
        await sdkClient(server).send(
          new GetEnvironmentTemplateVersionCommand({
            templateName: 'target',
            majorVersion,
            minorVersion,
          }),
        )
      ).environmentTemplateVersion;
      return got?.status === 'DRAFT' ? got : undefined;
    });
    expect(v.status).toBe('DRAFT');
    const all = await sdkClient(server).send(
      new ListEnvironmentTemplateVersionsCommand({ templateName: 'target' }),
    );
    expect(all.templateVersions?.map((x) => x.status)).toEqual([
      ...cases.map(() => 'REGISTRATION_FAILED'),
      'DRAFT',
    ]);
  });
});
