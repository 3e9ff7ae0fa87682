import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { createHash } from 'node:crypto';
import type { Command } from 'commander';
import { extensionTargetPrefix } from '@nucleon/protocol';
import { resolveConnection, type ConnectionFlags } from '../connection.js';
import { packBundleParts } from './pack-bundle-parts.js';

interface PushFlags extends ConnectionFlags {
  bucket?: string;
  key?: string;
}

export function registerBundleCommands(program: Command, setExit: (code: number) => void): void {
  const bundle = program
    .command('bundle')
    .description("template bundles in Nucleon's bundle store");
  bundle
    .command('push <path>')
    .description(
      'upload a bundle folder (its schema/ and infrastructure folders, packed as .tar.gz) or a .tar.gz file; the last line printed is {"s3":{"bucket","key"}} for use as a version\'s source',
    )
    .option(
      '--bucket <bucket>',
      "bucket name in Nucleon's store (default: the server's NUCLEON_BUNDLE_BUCKET, nucleon-bundles)",
    )
    .option('--key <key>', 'object key (default: <name>-<sha256 prefix>.tar.gz)')
    .option('--endpoint-url <url>', 'Nucleon endpoint (AWS_ENDPOINT_URL_PROTON, AWS_ENDPOINT_URL)')
    .option('--profile <name>', 'credentials profile (AWS_PROFILE)')
    .option('--region <region>', 'signing region (AWS_REGION)')
    .action(async (path: string, flags: PushFlags) => {
      const info = await stat(path);
      const packed = info.isDirectory()
        ? await packBundleParts(path)
        : { data: new Uint8Array(await readFile(path)), leftOut: [] };
      const data = packed.data;
      const sha = createHash('sha256').update(data).digest('hex');
      const name =
        basename(path)
          .replace(/\.(tar\.gz|tgz)$/, '')
          .replace(/[^A-Za-z0-9._-]/g, '-') || 'bundle';
      const key = flags.key ?? `${name}-${sha.slice(0, 12)}.tar.gz`;
      const { client } = resolveConnection(flags);
      const out = (await client.send(`${extensionTargetPrefix}.PutBundle`, {
        ...(flags.bucket ? { bucket: flags.bucket } : {}),
        key,
        content: Buffer.from(data).toString('base64'),
      })) as { s3: { bucket: string; key: string }; size: number };
      process.stderr.write(`pushed ${path} (${out.size} bytes)\n`);
      if (packed.leftOut.length)
        process.stderr.write(
          `left out what is not part of a bundle (registration reads only schema/ and the infrastructure folders): ${packed.leftOut.join(', ')}\n`,
        );
      process.stdout.write(JSON.stringify({ s3: out.s3 }) + '\n');
      setExit(0);
    });
}
