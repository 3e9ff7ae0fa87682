import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { envNames } from '@nucleon/server';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { assertBuilt, runCli } from './run-cli.js';

/**
 * What can be checked of the packaging without Docker or Helm (neither runs here; say so):
 * the chart's templates are YAML once their template actions are stubbed, they use only values
 * that values.yaml defines and settings Nucleon reads, run commands the CLI has, and probe the
 * routes the server serves; the Dockerfile copies every workspace and runs as a non-root user.
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));
const chart = join(root, 'deploy/helm/nucleon');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** Stubs a Helm template's actions so the YAML around them can be parsed (see the header). */
function stub(template: string): string {
  const lines = template.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const action = /^\s*\{\{-?\s*(.*?)\s*-?\}\}\s*$/.exec(line);
    if (!action) {
      out.push(line.replace(/\{\{-?.*?-?\}\}/g, 'x'));
      continue;
    }
    const indent = /\| nindent (\d+)/.exec(action[1]!);
    if (!indent) continue; // if / with / range / end: keep the body
    const pad = ' '.repeat(Number(indent[1]));
    // A list item when its siblings are list items, else a mapping key.
    const sibling = lines
      .slice(i + 1)
      .find((l) => l.startsWith(pad) && l[pad.length] !== ' ' && !/^\s*\{\{/.test(l));
    out.push(sibling?.slice(pad.length).startsWith('- ') ? `${pad}- x` : `${pad}stub${i}: x`);
  }
  return out.join('\n');
}

const templates = readdirSync(join(chart, 'templates')).filter((f) => f.endsWith('.yaml'));
const docs = templates.flatMap((file) =>
  parseAllDocuments(stub(readFileSync(join(chart, 'templates', file), 'utf8'))).map((d) => ({
    file,
    doc: d,
  })),
);
type Container = {
  args: string[];
  env: Array<{ name: string }>;
  ports: Array<{ name: string; containerPort: unknown }>;
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  startupProbe: { httpGet: { path: string; port: string } };
};
const deployment = (file: string) =>
  (
    docs.find((d) => d.file === file)!.doc.toJS() as {
      kind: string;
      spec: { template: { spec: { containers: Container[] } } };
    }
  ).spec.template.spec.containers[0]!;

describe('the Helm chart (helm is not installed here: its templates are checked as YAML)', () => {
  it('has templates that parse as YAML once their actions are stubbed', () => {
    expect(templates.sort()).toEqual([
      'server-deployment.yaml',
      'service.yaml',
      'serviceaccount.yaml',
      'servicemonitor.yaml',
      'worker-deployment.yaml',
    ]);
    for (const { file, doc } of docs)
      expect(doc.errors.map((e) => `${file}: ${e.message}`)).toEqual([]);
    const kinds = docs.map((d) => (d.doc.toJS() as { kind: string }).kind).sort();
    expect(kinds).toEqual([
      'Deployment',
      'Deployment',
      'Service',
      'Service',
      'ServiceAccount',
      'ServiceMonitor',
    ]);
  });

  it('uses only values that values.yaml defines', () => {
    const values = parse(readFileSync(join(chart, 'values.yaml'), 'utf8')) as Record<
      string,
      unknown
    >;
    const all = readdirSync(join(chart, 'templates'))
      .map((f) => readFileSync(join(chart, 'templates', f), 'utf8'))
      .join('\n');
    const used = new Set([...all.matchAll(/\$?\.Values\.([\w.]+)/g)].map((m) => m[1]!));
    expect(used.size).toBeGreaterThan(20);
    const missing = [...used].filter((path) => {
      let at: unknown = values;
      for (const part of path.split('.')) {
        if (typeof at !== 'object' || at === null || !(part in at)) return true;
        at = (at as Record<string, unknown>)[part];
      }
      return false;
    });
    expect(missing).toEqual([]);
  });

  it('sets only settings Nucleon reads', () => {
    const all = readdirSync(join(chart, 'templates'))
      .map((f) => readFileSync(join(chart, 'templates', f), 'utf8'))
      .join('\n');
    const names = new Set(
      [...all.matchAll(/name: ((?:NUCLEON|DATABASE)_[A-Z_]+)/g)].map((m) => m[1]!),
    );
    expect(names.size).toBeGreaterThan(10);
    const known = new Set(Object.values(envNames));
    expect([...names].filter((n) => !known.has(n))).toEqual([]);
  });

  it('runs `nucleon server` and `nucleon worker`, probed on /healthz and /readyz', async () => {
    assertBuilt();
    const server = deployment('server-deployment.yaml');
    const worker = deployment('worker-deployment.yaml');
    expect(server.args).toEqual(['server']);
    expect(worker.args).toEqual(['worker']);
    for (const [c, port] of [
      [server, 'http'],
      [worker, 'metrics'],
    ] as const) {
      expect(c.ports.map((p) => p.name)).toEqual([port]);
      expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port });
      expect(c.startupProbe.httpGet).toEqual({ path: '/healthz', port });
      expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port });
    }
    // Workers have no API port: their probes and metrics are on NUCLEON_METRICS_PORT.
    expect(worker.env.map((e) => e.name)).toContain('NUCLEON_METRICS_PORT');
    for (const command of ['server', 'worker']) {
      const help = await runCli([command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: nucleon ${command}`);
    }
  });
});

describe('the Dockerfile (no Docker engine here: checked as text)', () => {
  const dockerfile = read('Dockerfile');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((l) => /^[A-Z]+ /.test(l));

  it('is multi-stage, Debian slim, and installs bubblewrap, git and the AWS CLI', () => {
    const froms = instructions.filter((l) => l.startsWith('FROM '));
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms) expect(from).toMatch(/-bookworm-slim /);
    const install = instructions.find((l) => l.includes('apt-get install'))!;
    for (const pkg of ['bubblewrap', 'git', 'ca-certificates', 'tini'])
      expect(install.split(/\s+/)).toContain(pkg);
    expect(install).toContain('/tmp/aws/install');
  });

  it('copies every workspace manifest before npm ci', () => {
    const workspaces = (JSON.parse(read('package.json')) as { workspaces: string[] }).workspaces;
    const copied = [...dockerfile.matchAll(/^COPY (packages\/[\w-]+)\/package\.json /gm)].map(
      (m) => m[1],
    );
    expect(copied.sort()).toEqual([...workspaces].sort());
  });

  it('runs the CLI as a non-root user with the data dir as a volume', () => {
    const user = instructions.filter((l) => l.startsWith('USER ')).at(-1)!;
    expect(user).toMatch(/^USER [1-9]\d*:[1-9]\d*$/);
    const entry = instructions.find((l) => l.startsWith('ENTRYPOINT '))!;
    const cli = /"node", "\/opt\/nucleon\/(packages\/cli\/bin\/nucleon\.js)"/.exec(entry)![1]!;
    expect(existsSync(join(root, cli))).toBe(true);
    expect(dockerfile).toMatch(/NUCLEON_DATA_DIR=\/var\/lib\/nucleon/);
    expect(dockerfile).toContain('VOLUME ["/var/lib/nucleon"]');
    const values = parse(readFileSync(join(chart, 'values.yaml'), 'utf8')) as {
      server: { port: number };
      metrics: { workerPort: number };
      podSecurityContext: { runAsUser: number };
    };
    expect(instructions).toContain(`EXPOSE ${values.server.port} ${values.metrics.workerPort}`);
    expect(user).toBe(
      `USER ${values.podSecurityContext.runAsUser}:${values.podSecurityContext.runAsUser}`,
    );
  });
});
