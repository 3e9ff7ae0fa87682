/**
 * The baseline of the signed-read benchmark (issue 13, ADR 0024): the least a server can do for a
 * signed GetEnvironmentTemplate. A bare `node:http` server that checks the request's SigV4
 * signature with Nucleon's own verifier (`beginSigV4` from the server's build), reads the same
 * template row by primary key from the same database (PostgreSQL by URL, or PGlite on the data
 * dir Nucleon used), and answers its JSON. No framework, no access control, no logging, no model:
 * Nucleon's throughput is reported as a fraction of this one's, driven by the same client.
 *
 * Usage: node --import tsx bench/baseline-server.ts <postgres-url | pglite-data-dir | ceiling> <accessKeyId> <secret>
 * (`ceiling`: no signature check and no database, to show how fast the client itself can go).
 * Prints `baseline listening at http://127.0.0.1:<port>` once it answers.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { beginSigV4 } from '../packages/server/dist/adapters/auth/sigv4-verifier.js';

const [where, accessKeyId, secretAccessKey] = process.argv.slice(2) as [string, string, string];
const QUERY = 'select * from templates where kind = $1 and name = $2';

let read: (name: string) => Promise<Record<string, unknown> | undefined>;
let close: () => Promise<void>;
const ceiling = where === 'ceiling';
if (ceiling) {
  // The client's ceiling: no signature, no database, a fixed answer (how fast the client can go).
  const row = {
    name: 'bench-env',
    arn: 'arn',
    created_at: new Date(),
    last_modified_at: new Date(),
  };
  read = () => Promise.resolve(row);
  close = () => Promise.resolve();
} else if (where.startsWith('postgres://')) {
  const pool = new pg.Pool({ connectionString: where, max: 10 });
  read = async (name) =>
    (await pool.query<Record<string, unknown>>(QUERY, ['ENVIRONMENT', name])).rows[0];
  close = () => pool.end();
} else {
  const db = await PGlite.create(join(where, 'pgdata'));
  read = async (name) =>
    (await db.query<Record<string, unknown>>(QUERY, ['ENVIRONMENT', name])).rows[0];
  close = () => db.close();
}

const key = { accessKeyId, secretAccessKey };
const lookup = (id: string) => Promise.resolve(id === accessKeyId ? key : undefined);

function answer(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    const body = Buffer.concat(chunks);
    const check = ceiling
      ? Promise.resolve({ verify: () => Promise.resolve() })
      : beginSigV4(
          { method: req.method ?? 'POST', path: '/', query: {}, headers },
          lookup,
          new Date(),
        );
    check
      .then(async (pending) => {
        await pending.verify(body);
        const { name } = JSON.parse(body.toString('utf8')) as { name: string };
        const row = await read(name);
        if (!row) return answer(res, 400, { __type: 'ResourceNotFoundException' });
        answer(res, 200, {
          environmentTemplate: {
            name: row.name,
            arn: row.arn,
            createdAt: (row.created_at as Date).getTime() / 1000,
            lastModifiedAt: (row.last_modified_at as Date).getTime() / 1000,
            displayName: row.display_name ?? undefined,
            description: row.description ?? undefined,
          },
        });
      })
      .catch((error: Error) => answer(res, 403, { __type: error.name, message: error.message }));
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(
    `baseline listening at http://127.0.0.1:${(server.address() as AddressInfo).port}\n`,
  );
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => void close().then(() => process.exit(0)));
});
