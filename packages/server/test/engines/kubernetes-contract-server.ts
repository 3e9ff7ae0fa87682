import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * No Kubernetes cluster can run here. This server implements the few API endpoints the
 * Kubernetes runner calls, answering with request and response shapes written by hand from the
 * Kubernetes API reference (v1.30; not captured from a live cluster: Secret and Job create, pod
 * list by `job-name`, pod read, the follow-mode log with timestamps, Job and Secret read and
 * delete), and records every request so
 * tests assert what the adapter sends. It also plays the kubelet, so the contract is exercised
 * with a real run: the pod's container command is run with bash on this machine, the Secret's
 * files in a folder standing in for the volume and `secretKeyRef` values resolved from the
 * Secret; deleting the Job kills it, as the Job controller would.
 */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  body: unknown;
}

interface Pod {
  name: string;
  job: string;
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  exitCode?: number;
  log: Array<{ ts: string; text: string }>;
  ended: boolean;
  process?: ChildProcess;
  listeners: Array<() => void>;
}

export class KubernetesContractServer {
  readonly requests: RecordedRequest[] = [];
  readonly secrets = new Map<string, Record<string, unknown>>();
  readonly jobs = new Map<string, Record<string, unknown>>();
  readonly pods = new Map<string, Pod>();
  private server: Server | undefined;
  private readonly dirs: string[] = [];
  private seq = 0;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try {
          this.handle(req, res, Buffer.concat(chunks));
        } catch (error) {
          send(res, 500, status(500, 'InternalError', String(error)));
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  async stop(): Promise<void> {
    for (const pod of this.pods.values()) kill(pod);
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }

  /** Requests other than the pod polls, as `METHOD path`. */
  calls(): string[] {
    return this.requests
      .filter((r) => !(r.method === 'GET' && /\/pods(\/[^/]+)?$/.test(r.path)))
      .map((r) => `${r.method} ${r.path}`);
  }

  private handle(req: IncomingMessage, res: ServerResponse, raw: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const body = raw.length > 0 ? (JSON.parse(raw.toString('utf8')) as unknown) : undefined;
    this.requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      authorization: req.headers.authorization,
      body,
    });
    const m = (re: RegExp) => re.exec(url.pathname);
    let g: RegExpExecArray | null;
    if (req.method === 'POST' && (g = m(/^\/api\/v1\/namespaces\/([^/]+)\/secrets$/)))
      return this.create(res, this.secrets, body as Record<string, unknown>, g[1]!);
    if (req.method === 'POST' && (g = m(/^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs$/))) {
      const job = body as Record<string, unknown>;
      this.create(res, this.jobs, job, g[1]!);
      return this.schedule(job);
    }
    if ((g = m(/^\/api\/v1\/namespaces\/([^/]+)\/secrets\/([^/]+)$/)))
      return this.one(req.method, res, this.secrets, g[2]!, 'secrets');
    if ((g = m(/^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs\/([^/]+)$/))) {
      if (req.method === 'DELETE')
        for (const pod of this.pods.values()) if (pod.job === g[2]) kill(pod);
      return this.one(req.method, res, this.jobs, g[2]!, 'jobs.batch');
    }
    if (req.method === 'GET' && (g = m(/^\/api\/v1\/namespaces\/([^/]+)\/pods$/))) {
      const job = /^job-name=(.+)$/.exec(url.searchParams.get('labelSelector') ?? '')?.[1];
      const items = [...this.pods.values()]
        .filter((p) => p.job === job)
        .map((p) => podJson(p, g![1]!));
      return send(res, 200, {
        kind: 'PodList',
        apiVersion: 'v1',
        metadata: { resourceVersion: '1' },
        items,
      });
    }
    if (req.method === 'GET' && (g = m(/^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/)))
      return this.log(res, g[2]!, url.searchParams);
    if (req.method === 'GET' && (g = m(/^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/))) {
      const pod = this.pods.get(g[2]!);
      return pod
        ? send(res, 200, podJson(pod, g[1]!))
        : send(res, 404, status(404, 'NotFound', `pods "${g[2]}" not found`));
    }
    send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
  }

  private create(
    res: ServerResponse,
    store: Map<string, Record<string, unknown>>,
    object: Record<string, unknown>,
    namespace: string,
  ): void {
    const meta = object.metadata as { name: string };
    if (store.has(meta.name))
      return send(res, 409, status(409, 'AlreadyExists', `"${meta.name}" already exists`));
    const stored = {
      ...object,
      metadata: {
        ...meta,
        namespace,
        uid: `00000000-0000-4000-8000-${String(++this.seq).padStart(12, '0')}`,
        resourceVersion: String(this.seq),
        creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      },
    };
    store.set(meta.name, stored);
    send(res, 201, stored);
  }

  private one(
    method: string | undefined,
    res: ServerResponse,
    store: Map<string, Record<string, unknown>>,
    name: string,
    kind: string,
  ): void {
    const found = store.get(name);
    if (!found) return send(res, 404, status(404, 'NotFound', `${kind} "${name}" not found`));
    if (method === 'DELETE') {
      store.delete(name);
      return send(res, 200, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: { name, kind },
      });
    }
    send(res, 200, found);
  }

  /** The Job controller and kubelet: a pod that runs the container command with bash here. */
  private schedule(job: Record<string, unknown>): void {
    const jobName = (job.metadata as { name: string }).name;
    const spec = job.spec as {
      template: {
        spec: { containers: Array<{ command: string[]; env: Array<Record<string, unknown>> }> };
      };
    };
    const container = spec.template.spec.containers[0]!;
    const secret = this.secrets.get(jobName);
    const data = (secret?.data ?? {}) as Record<string, string>;
    const root = mkdtempSync(join(tmpdir(), 'k8s-contract-pod-'));
    this.dirs.push(root);
    const files = join(root, 'nucleon');
    mkdirSync(files);
    for (const key of ['workspace.tgz', 'commands', 'driver.sh'])
      writeFileSync(join(files, key), Buffer.from(data[key] ?? '', 'base64'));
    const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root };
    for (const e of container.env) {
      const ref = (e.valueFrom as { secretKeyRef?: { key: string } } | undefined)?.secretKeyRef;
      env[String(e.name)] = ref
        ? Buffer.from(data[ref.key] ?? '', 'base64').toString()
        : String(e.value);
    }
    env.NUCLEON_FILES = files; // the volume mounts, here folders
    env.NUCLEON_WORKSPACE = join(root, 'workspace');
    const pod: Pod = {
      name: `${jobName}-x7k2p`,
      job: jobName,
      phase: 'Pending',
      log: [],
      ended: false,
      listeners: [],
    };
    this.pods.set(pod.name, pod);
    const [file, ...args] = container.command;
    const child = spawn(file!, args, {
      env,
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: a deleted Job ends everything the pod started
    });
    pod.process = child;
    pod.phase = 'Running';
    let partial = '';
    const take = (c: Buffer) => {
      const lines = (partial + c.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const text of lines) pod.log.push({ ts: timestamp(), text });
      for (const l of pod.listeners) l();
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('close', (code) => {
      if (partial) pod.log.push({ ts: timestamp(), text: partial });
      pod.exitCode = code ?? 137;
      pod.phase = code === 0 ? 'Succeeded' : 'Failed';
      pod.ended = true;
      for (const l of pod.listeners) l();
    });
  }

  /** `follow=true&timestamps=true`: lines as they come, the response ends with the container. */
  private log(res: ServerResponse, name: string, query: URLSearchParams): void {
    const pod = this.pods.get(name);
    if (!pod) return send(res, 404, status(404, 'NotFound', `pods "${name}" not found`));
    res.writeHead(200, { 'content-type': 'text/plain' });
    const since = query.get('sinceTime');
    let sent = 0;
    const pump = () => {
      for (; sent < pod.log.length; sent++) {
        const line = pod.log[sent]!;
        if (since && line.ts < since) continue;
        res.write(`${query.get('timestamps') === 'true' ? `${line.ts} ` : ''}${line.text}\n`);
      }
      if (pod.ended || query.get('follow') !== 'true') res.end();
    };
    pod.listeners.push(pump);
    res.on('close', () => pod.listeners.splice(pod.listeners.indexOf(pump), 1));
    pump();
  }
}

/** Stops a pod's every process, as deleting its Job does. */
function kill(pod: Pod): void {
  if (pod.ended || pod.process?.pid === undefined) return;
  try {
    process.kill(-pod.process.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

let last = '';
/** RFC 3339 with nanoseconds, as the kubelet writes; strictly increasing here. */
function timestamp(): string {
  const now = new Date().toISOString().replace('Z', '');
  let ts = `${now}000000Z`;
  if (ts <= last) {
    const n = BigInt(last.slice(20, 29)) + 1n;
    ts = `${last.slice(0, 20)}${n.toString().padStart(9, '0')}Z`;
  }
  last = ts;
  return ts;
}

function podJson(pod: Pod, namespace: string): Record<string, unknown> {
  const state =
    pod.phase === 'Running'
      ? { running: { startedAt: '2026-01-01T00:00:00Z' } }
      : pod.ended
        ? {
            terminated: {
              exitCode: pod.exitCode,
              reason: pod.exitCode === 0 ? 'Completed' : 'Error',
              startedAt: '2026-01-01T00:00:00Z',
              finishedAt: '2026-01-01T00:00:01Z',
              containerID: 'containerd://1',
            },
          }
        : { waiting: { reason: 'ContainerCreating' } };
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: {
      name: pod.name,
      namespace,
      labels: { 'job-name': pod.job, 'batch.kubernetes.io/job-name': pod.job },
    },
    status: {
      phase: pod.phase,
      containerStatuses: [
        {
          name: 'commands',
          ready: pod.phase === 'Running',
          restartCount: 0,
          image: 'debian:bookworm-slim',
          imageID: '',
          state,
        },
      ],
    },
  };
}

function status(code: number, reason: string, message: string): Record<string, unknown> {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  };
}

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
