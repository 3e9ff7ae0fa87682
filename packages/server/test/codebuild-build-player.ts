import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/**
 * moto_server accepts CodeBuild builds but does not run them, and its BatchGetBuilds reports
 * every build SUCCEEDED the first time it is read. This test double plays the part moto cannot:
 * a proxy in front of moto's CodeBuild endpoint passes every call through to moto, records what
 * StartBuild and StopBuild were sent (moto drops buildspecOverride and the other overrides), and
 * answers BatchGetBuilds with the state of the build as this player runs it. The player does
 * what CodeBuild would: it downloads the source from moto's S3, runs the buildspec's commands
 * in one bash with the build's environment variables, writes the output to moto's CloudWatch
 * Logs in the stream CodeBuild would use, and uploads the artifacts to moto's S3. StopBuild
 * (passed to moto, which marks the build STOPPED) kills the running commands.
 */
export interface StartedBuild {
  id: string;
  request: StartBuildRequest;
  status: 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'STOPPED';
  lines: string[];
  /** moto's answer to StopBuild, when one came. */
  stopResponse?: { buildStatus?: string };
  process?: ChildProcess;
}

export interface StartBuildRequest {
  projectName: string;
  sourceTypeOverride: string;
  sourceLocationOverride: string;
  buildspecOverride: string;
  serviceRoleOverride: string;
  imageOverride: string;
  environmentVariablesOverride: Array<{ name: string; value: string; type: string }>;
  artifactsOverride: { type: string; location: string; path: string; name: string };
  logsConfigOverride: { cloudWatchLogs: { groupName: string; streamName: string } };
  timeoutInMinutesOverride: number;
}

export class CodeBuildPlayer {
  readonly builds = new Map<string, StartedBuild>();
  readonly calls: string[] = [];
  private server: Server | undefined;
  url = '';

  constructor(
    private readonly motoUrl: string,
    private readonly s3: S3Client,
    private readonly logs: CloudWatchLogsClient,
  ) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void this.handle(req.headers, req.method ?? 'POST', req.url ?? '/', Buffer.concat(chunks))
          .then(({ status, headers, body }) => {
            res.writeHead(status, headers);
            res.end(body);
          })
          .catch((error: unknown) => {
            res.writeHead(500);
            res.end(String(error));
          });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${address.port}`;
  }

  async stop(): Promise<void> {
    for (const b of this.builds.values()) b.process?.kill('SIGKILL');
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(
    headers: Record<string, string | string[] | undefined>,
    method: string,
    path: string,
    body: Buffer,
  ): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    const target = String(headers['x-amz-target'] ?? '');
    const action = target.split('.').pop() ?? '';
    this.calls.push(action);
    const answer = await this.forward(headers, method, path, body);
    if (answer.status !== 200) return answer;
    const json = () =>
      epochTimes(JSON.parse(answer.body.toString('utf8'))) as Record<string, unknown>;
    if (action === 'StartBuild') {
      const build = json().build as { id: string };
      const started: StartedBuild = {
        id: build.id,
        request: JSON.parse(body.toString('utf8')) as StartBuildRequest,
        status: 'IN_PROGRESS',
        lines: [],
      };
      this.builds.set(build.id, started);
      this.run(started);
      return { ...answer, body: Buffer.from(JSON.stringify({ build })) };
    } else if (action === 'StopBuild') {
      const build = json().build as { id: string; buildStatus?: string };
      const started = this.builds.get(build.id);
      if (started) {
        started.stopResponse = { buildStatus: build.buildStatus };
        started.process?.kill('SIGKILL');
        if (build.buildStatus === 'STOPPED') started.status = 'STOPPED';
      }
      return { ...answer, body: Buffer.from(JSON.stringify({ build })) };
    } else if (action === 'BatchGetBuilds') {
      const out = json() as { builds: Array<Record<string, unknown>> };
      for (const b of out.builds) {
        const started = this.builds.get(String(b.id));
        if (!started) continue;
        b.buildStatus = started.status;
        b.buildComplete = started.status !== 'IN_PROGRESS';
        b.currentPhase = started.status === 'IN_PROGRESS' ? 'BUILD' : 'COMPLETED';
        b.phases =
          started.status === 'FAILED'
            ? [
                {
                  phaseType: 'BUILD',
                  phaseStatus: 'FAILED',
                  contexts: [
                    { statusCode: 'COMMAND_EXECUTION_ERROR', message: started.lines.at(-1) },
                  ],
                },
              ]
            : [];
      }
      return { ...answer, body: Buffer.from(JSON.stringify(out)) };
    }
    return answer;
  }

  private forward(
    headers: Record<string, string | string[] | undefined>,
    method: string,
    path: string,
    body: Buffer,
  ): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    const url = new URL(path, this.motoUrl);
    return new Promise((resolve, reject) => {
      const req = httpRequest(url, { method, headers: { ...headers, host: url.host } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const type = res.headers['content-type'];
          resolve({
            status: res.statusCode ?? 500,
            headers: type ? { 'content-type': String(type) } : {},
            body: Buffer.concat(chunks),
          });
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Does what CodeBuild would do with the build; see the class comment. */
  private run(build: StartedBuild): void {
    void this.execute(build).catch((error: unknown) => {
      build.lines.push(`player error: ${String(error)}`);
      if (build.status === 'IN_PROGRESS') build.status = 'FAILED';
    });
  }

  private async execute(build: StartedBuild): Promise<void> {
    const r = build.request;
    const dir = mkdtempSync(join(tmpdir(), 'codebuild-player-'));
    try {
      const [bucket, ...key] = r.sourceLocationOverride.split('/');
      const source = await this.s3.send(
        new GetObjectCommand({ Bucket: bucket, Key: key.join('/') }),
      );
      writeFileSync(join(dir, 'source.zip'), await source.Body!.transformToByteArray());
      const src = join(dir, 'src');
      execFileSync('unzip', ['-q', join(dir, 'source.zip'), '-d', src]);
      const spec = JSON.parse(r.buildspecOverride) as {
        phases: { build: { commands: string[] } };
        artifacts: { files: string[] };
      };
      // Buildspec 0.2: one bash for every command; the first failing command ends the phase.
      const script = spec.phases.build.commands
        .map(
          (c, i) =>
            `${c}\n__rc=$?; if [ $__rc -ne 0 ]; then echo "[Container] Command did not exit successfully (command ${i}) exit status $__rc"; exit $__rc; fi`,
        )
        .join('\n');
      const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir };
      for (const v of r.environmentVariablesOverride) env[v.name] = v.value;
      const child = spawn('bash', ['--noprofile', '--norc', '-c', script], {
        cwd: src,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      build.process = child;
      const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
      let text = '';
      child.stdout.on('data', (c: Buffer) => (text += c.toString()));
      child.stderr.on('data', (c: Buffer) => (text += c.toString()));
      const group = r.logsConfigOverride.cloudWatchLogs.groupName;
      const stream = `${r.logsConfigOverride.cloudWatchLogs.streamName}/${build.id.split(':')[1]}`;
      await this.logs.send(new CreateLogGroupCommand({ logGroupName: group })).catch(() => {});
      await this.logs.send(
        new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }),
      );
      const ship = async () => {
        const cut = text.lastIndexOf('\n');
        if (cut === -1) return;
        const lines = text.slice(0, cut).split('\n');
        text = text.slice(cut + 1);
        build.lines.push(...lines);
        await this.logs.send(
          new PutLogEventsCommand({
            logGroupName: group,
            logStreamName: stream,
            logEvents: lines.map((l) => ({ timestamp: Date.now(), message: `${l}\n` })),
          }),
        );
      };
      const timer = setInterval(() => void ship(), 50);
      const code = await closed;
      clearInterval(timer);
      text += text && !text.endsWith('\n') ? '\n' : '';
      await ship();
      if (build.status === 'STOPPED') return;
      if (code === 0) {
        const a = r.artifactsOverride;
        for (const file of spec.artifacts.files) {
          if (!existsSync(join(src, file))) continue;
          await this.s3.send(
            new PutObjectCommand({
              Bucket: a.location,
              Key: `${a.path}/${a.name}/${file}`,
              Body: readFileSync(join(src, file)),
            }),
          );
        }
      }
      build.status = code === 0 ? 'SUCCEEDED' : 'FAILED';
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/**
 * moto writes a build's times as ISO strings where CodeBuild's JSON protocol has epoch seconds
 * (the SDK refuses them): they are rewritten on the way back.
 */
function epochTimes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(epochTimes);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>))
    out[k] = /Time$/.test(k) && typeof v === 'string' ? Date.parse(v) / 1000 : epochTimes(v);
  return out;
}
