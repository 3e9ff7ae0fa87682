import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import {
  CancelEnvironmentDeploymentCommand,
  CreateEnvironmentCommand,
  DeleteEnvironmentCommand,
  GetEnvironmentCommand,
  ListEnvironmentOutputsCommand,
  type ProtonClient,
} from '@aws-sdk/client-proton';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { extensionTargetPrefix } from '@nucleon/protocol';
import { requireOrSkip, startTestServer, waitFor, type TestServer } from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodeBuildPlayer } from './codebuild-build-player.js';
import { nucleonClient, publishFixture, sdkClient } from './helpers.js';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function missing(): string | undefined {
  for (const [tool, args] of [
    ['moto_server', ['--help']],
    ['unzip', ['-v']],
  ] as const) {
    try {
      execFileSync(tool, args, { stdio: 'ignore' });
    } catch {
      return `${tool} is not installed`;
    }
  }
  return undefined;
}

const ROLE = 'arn:aws:iam::123456789012:role/nucleon-codebuild';
const ENV_ROLE = 'arn:aws:iam::123456789012:role/env-codebuild';
const BUCKET = 'nucleon-builds';

/**
 * The CodeBuild runner through the real AWS SDK against moto_server (CodeBuild, S3, CloudWatch
 * Logs). moto accepts builds but does not run them: CodeBuildPlayer (see its comment) runs each
 * started build as CodeBuild would and reports its state; everything else is moto's.
 */
describe('the codebuild runner against moto_server', () => {
  const available = requireOrSkip(missing());
  let moto: ChildProcess;
  let server: TestServer;
  let proton: ProtonClient;
  let player: CodeBuildPlayer;
  let s3: S3Client;
  const saved = { ...process.env };

  beforeAll(async () => {
    if (!available) return;
    const port = await freePort();
    const motoUrl = `http://127.0.0.1:${port}`;
    moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    await waitFor(
      () =>
        fetch(`${motoUrl}/`).then(
          () => true,
          () => undefined,
        ),
      { what: 'moto_server' },
    );
    const aws = {
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    };
    s3 = new S3Client({ ...aws, endpoint: motoUrl, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    player = new CodeBuildPlayer(
      motoUrl,
      s3,
      new CloudWatchLogsClient({ ...aws, endpoint: motoUrl }),
    );
    await player.start();
    // The runner uses the SDK's standard chains, as in production.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_CODEBUILD: player.url,
      AWS_ENDPOINT_URL_S3: motoUrl,
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: motoUrl,
      AWS_ENDPOINT_URL_STS: motoUrl,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
    });
    server = await startTestServer({
      dialect: 'pglite',
      env: {
        NUCLEON_RUNNER: 'codebuild',
        NUCLEON_CODEBUILD_BUCKET: BUCKET,
        NUCLEON_CODEBUILD_ROLE_ARN: ROLE,
        NUCLEON_RUNNER_POLL_MS: '100',
        NUCLEON_RUNNER_ENVIRONMENTS: 'cb-here=local',
        NUCLEON_S3_FORCE_PATH_STYLE: 'true',
      },
    });
    proton = sdkClient(server);
    await publishFixture(server, {
      kind: 'ENVIRONMENT',
      template: 'remote-env',
      fixture: 'env-codebuild-remote',
    });
  });
  afterAll(async () => {
    await server?.stop();
    await player?.stop();
    moto?.kill();
    process.env = saved;
  });

  const settled = (name: string) =>
    waitFor(
      async () => {
        const env = (await proton.send(new GetEnvironmentCommand({ name }))).environment!;
        const busy =
          env.deploymentStatus === 'IN_PROGRESS' || env.deploymentStatus === 'CANCELLING';
        return busy ? undefined : env;
      },
      { timeoutMs: 60_000, what: `the deployment of ${name} to end` },
    );
  const events = async (id: string) =>
    (
      (await nucleonClient(server).send(`${extensionTargetPrefix}.GetDeploymentDetails`, {
        id,
      })) as { events: Array<{ kind: string; message: string }> }
    ).events.map((e) => e.message);

  it.skipIf(!available)(
    'provisions an environment as a CodeBuild build: buildspec from the manifest, S3 source, logs and outputs',
    async () => {
      await proton.send(
        new CreateEnvironmentCommand({
          name: 'cb-ok',
          templateName: 'remote-env',
          templateMajorVersion: '1',
          codebuildRoleArn: ENV_ROLE,
          spec: 'proton: EnvironmentSpec\nspec:\n  greeting: hi there\n',
        }),
      );
      const env = await settled('cb-ok');
      expect(env.deploymentStatus).toBe('SUCCEEDED');
      const outputs = Object.fromEntries(
        (
          (await proton.send(new ListEnvironmentOutputsCommand({ environmentName: 'cb-ok' })))
            .outputs ?? []
        ).map((o) => [o.key, o.valueString]),
      );
      expect(outputs).toEqual({
        ClusterName: 'cluster-cb-ok',
        Greeting: 'hi there',
        Stage: 'remote',
      });

      const build = [...player.builds.values()].find((b) =>
        b.request.environmentVariablesOverride.some(
          (v) => v.name === 'PROTON_DEPLOYMENT_ID' && v.value === env.lastAttemptedDeploymentId,
        ),
      )!;
      expect(build).toBeDefined();
      const r = build.request;
      expect(r.projectName).toBe('nucleon-provisioning');
      expect(r.serviceRoleOverride).toBe(ENV_ROLE); // the environment's codebuildRoleArn
      expect(r.imageOverride).toBe('aws/codebuild/amazonlinux2-x86_64-standard:5.0');
      expect(r.sourceTypeOverride).toBe('S3');
      const deploymentId = env.lastAttemptedDeploymentId!;
      expect(r.sourceLocationOverride).toBe(`${BUCKET}/nucleon-runs/${deploymentId}/source.zip`);
      const spec = JSON.parse(r.buildspecOverride) as Record<string, unknown>;
      expect(spec).toMatchObject({
        version: '0.2',
        env: { shell: 'bash' },
        phases: { install: { 'runtime-versions': { nodejs: '18' } } },
      });
      const vars = Object.fromEntries(r.environmentVariablesOverride.map((v) => [v.name, v.value]));
      expect(vars.STAGE).toBe('remote');
      expect(vars.RESOURCE_ARN).toBe('arn:aws:proton:us-east-1:123456789012:environment/cb-ok');
      // The build acts as its service role: no Nucleon credentials travel in plain text.
      expect(vars.AWS_ACCESS_KEY_ID).toBeUndefined();
      expect(vars.AWS_SECRET_ACCESS_KEY).toBeUndefined();
      expect(r.logsConfigOverride.cloudWatchLogs).toEqual({
        status: 'ENABLED',
        groupName: '/nucleon/codebuild',
        streamName: deploymentId,
      });

      // The build's CloudWatch log is in the deployment log.
      const log = await events(deploymentId);
      expect(log).toContain('provisioning cb-ok at stage remote');
      expect(log).toContain('wrote outputs');
      expect(log).toContain(
        `started CodeBuild build ${build.id} (source s3://${BUCKET}/nucleon-runs/${deploymentId}/source.zip, service role ${ENV_ROLE})`,
      );
      expect(
        log.some((m) => m.includes('AWS CodeBuild build in the project nucleon-provisioning')),
      ).toBe(true);
      // The source archive is deleted once the build ended (its tags said it was this run's).
      const left = await s3.send(
        new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `nucleon-runs/${deploymentId}/` }),
      );
      expect((left.Contents ?? []).map((o) => o.Key)).not.toContain(
        `nucleon-runs/${deploymentId}/source.zip`,
      );
      expect(player.calls).toContain('CreateProject');
    },
  );

  it.skipIf(!available)(
    'deletes the environment with its deprovision commands as a build',
    async () => {
      const before = new Set(player.builds.keys());
      await proton.send(new DeleteEnvironmentCommand({ name: 'cb-ok' }));
      await waitFor(
        async () => {
          try {
            const env = (await proton.send(new GetEnvironmentCommand({ name: 'cb-ok' })))
              .environment!;
            throw new Error(`still there: ${env.deploymentStatus}`);
          } catch (error) {
            if ((error as Error).name === 'ResourceNotFoundException') return true;
            throw error;
          }
        },
        { timeoutMs: 60_000, what: 'the environment to be deleted' },
      );
      const build = [...player.builds.values()].find((b) => !before.has(b.id))!;
      expect(build.status).toBe('SUCCEEDED');
      expect(JSON.parse(build.request.buildspecOverride)).toMatchObject({
        phases: { build: { commands: ['echo "deprovisioning $RESOURCE_ARN"'] } },
      });
      expect(build.lines).toContain(
        'deprovisioning arn:aws:proton:us-east-1:123456789012:environment/cb-ok',
      );
    },
  );

  it.skipIf(!available)(
    'fails the deployment with the failing command and its output',
    async () => {
      await proton.send(
        new CreateEnvironmentCommand({
          name: 'cb-fail',
          templateName: 'remote-env',
          templateMajorVersion: '1',
          spec: 'proton: EnvironmentSpec\nspec:\n  fail: true\n',
        }),
      );
      const env = await settled('cb-fail');
      expect(env.deploymentStatus).toBe('FAILED');
      expect(env.deploymentStatusMessage).toMatch(
        /CodeBuild build .* ended failed in its BUILD phase/,
      );
      expect(env.deploymentStatusMessage).toContain('exit status 1');
      const build = [...player.builds.values()].find((b) =>
        b.request.environmentVariablesOverride.some(
          (v) => v.name === 'PROTON_DEPLOYMENT_ID' && v.value === env.lastAttemptedDeploymentId,
        ),
      )!;
      // No codebuildRoleArn on the environment: the configured default service role.
      expect(build.request.serviceRoleOverride).toBe(ROLE);
    },
  );

  it.skipIf(!available)(
    'cancel stops the build (StopBuild in moto) and cancels the deployment',
    async () => {
      await proton.send(
        new CreateEnvironmentCommand({
          name: 'cb-cancel',
          templateName: 'remote-env',
          templateMajorVersion: '1',
          spec: 'proton: EnvironmentSpec\nspec:\n  hang: true\n',
        }),
      );
      const id = (await proton.send(new GetEnvironmentCommand({ name: 'cb-cancel' }))).environment!
        .lastAttemptedDeploymentId!;
      // The build is running once its log reached the deployment log.
      await waitFor(
        async () => ((await events(id)).includes('waiting to be stopped') ? true : undefined),
        { timeoutMs: 60_000, what: 'the build to run' },
      );
      await proton.send(new CancelEnvironmentDeploymentCommand({ environmentName: 'cb-cancel' }));
      const env = await settled('cb-cancel');
      expect(env.deploymentStatus).toBe('CANCELLED');
      const build = [...player.builds.values()].find((b) =>
        b.request.environmentVariablesOverride.some(
          (v) => v.name === 'PROTON_DEPLOYMENT_ID' && v.value === id,
        ),
      )!;
      expect(player.calls).toContain('StopBuild');
      expect(build.stopResponse?.buildStatus).toBe('STOPPED'); // moto's answer to StopBuild
      expect(build.status).toBe('STOPPED');
    },
  );

  it.skipIf(!available)(
    'an environment set to the local runner (NUCLEON_RUNNER_ENVIRONMENTS) runs here, not on CodeBuild',
    async () => {
      const before = player.builds.size;
      await proton.send(
        new CreateEnvironmentCommand({
          name: 'cb-here',
          templateName: 'remote-env',
          templateMajorVersion: '1',
          spec: 'proton: EnvironmentSpec\nspec:\n  greeting: local\n',
        }),
      );
      const env = await settled('cb-here');
      expect(env.deploymentStatus).toBe('SUCCEEDED');
      expect(player.builds.size).toBe(before);
      const outputs =
        (await proton.send(new ListEnvironmentOutputsCommand({ environmentName: 'cb-here' })))
          .outputs ?? [];
      expect(outputs.find((o) => o.key === 'Greeting')?.valueString).toBe('local');
      const log = await events(env.lastAttemptedDeploymentId!);
      expect(log.some((m) => m.includes('CodeBuild'))).toBe(false);
    },
  );
});
