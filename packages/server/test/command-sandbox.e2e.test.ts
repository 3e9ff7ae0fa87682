import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateEnvironmentCommand,
  GetEnvironmentCommand,
  ListEnvironmentOutputsCommand,
  waitUntilEnvironmentDeployed,
  type ProtonClient,
} from '@aws-sdk/client-proton';
import { extensionTargetPrefix } from '@nucleon/protocol';
import { requireOrSkip, startTestServer, waitFor, type TestServer } from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nucleonClient, publishFixture, sdkClient } from './helpers.js';

/**
 * A hostile template against the command sandbox, end to end: while an ordinary deployment is
 * running (holding its scoped credentials), a template's commands try to read other processes'
 * environments, the data dir, that deployment's workspace and credentials, and to kill the
 * server. Its outputs report each attempt. The same template run with the sandbox off (and its
 * kills only probing) shows that every attempt is real: there, each one succeeds.
 */

function bwrapMissing(): string | undefined {
  try {
    execFileSync('bwrap', ['--version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'bubblewrap (bwrap) is not installed (Debian package bubblewrap)';
  }
}

const ATTEMPTS = [
  'ProcEnviron',
  'ServerEnviron',
  'ServerCmdline',
  'DataDir',
  'OtherWorkspace',
  'VictimCredentials',
  'KillServer',
  'PkillNode',
];
const w = (client: ProtonClient) => ({ client, maxWaitTime: 120, minDelay: 1, maxDelay: 1 });
const spec = (inputs: Record<string, unknown>) =>
  `proton: EnvironmentSpec\nspec:\n${Object.entries(inputs)
    .map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`)
    .join('\n')}\n`;

interface Scene {
  server: TestServer;
  proton: ProtonClient;
  workspaces: string;
  hostile: Record<string, string>;
  victim: Record<string, string>;
  log: string[];
}

/** Runs the victim, then the hostile template beside it, then lets the victim finish. */
async function playScene(sandbox: 'auto' | 'off', dryRun: boolean): Promise<Scene> {
  const workspaces = mkdtempSync(join(tmpdir(), 'nucleon-sandbox-ws-'));
  const server = await startTestServer({
    dialect: 'pglite',
    env: { NUCLEON_WORKSPACE_DIR: workspaces, NUCLEON_RUNNER_SANDBOX: sandbox },
  });
  const proton = sdkClient(server);
  await publishFixture(server, {
    kind: 'ENVIRONMENT',
    template: 'victim',
    fixture: 'env-codebuild-victim',
  });
  await publishFixture(server, {
    kind: 'ENVIRONMENT',
    template: 'hostile',
    fixture: 'env-codebuild-hostile',
  });
  await proton.send(
    new CreateEnvironmentCommand({
      name: 'victim',
      templateName: 'victim',
      templateMajorVersion: '1',
      spec: spec({ secret: 'victim-secret' }),
    }),
  );
  const victimWorkspace = await waitFor(
    async () =>
      readdirSync(workspaces)
        .map((d) => join(workspaces, d))
        .find((d) => existsSync(join(d, 'victim-ready'))),
    { timeoutMs: 120_000, what: 'the victim deployment to be running' },
  );
  const created = await proton.send(
    new CreateEnvironmentCommand({
      name: 'hostile',
      templateName: 'hostile',
      templateMajorVersion: '1',
      spec: spec({
        server_pid: String(process.pid),
        data_dir: server.dataDir,
        workspace_root: workspaces,
        dry_run: dryRun,
      }),
    }),
  );
  const hostileState = await waitUntilEnvironmentDeployed(w(proton), { name: 'hostile' }).then(
    (r) => r.state,
    (e: Error) => e.message,
  );
  writeFileSync(join(victimWorkspace, 'release'), '');
  await waitUntilEnvironmentDeployed(w(proton), { name: 'victim' });
  const outputs = async (name: string) =>
    Object.fromEntries(
      (
        (await proton.send(new ListEnvironmentOutputsCommand({ environmentName: name }))).outputs ??
        []
      ).map((o) => [o.key!, o.valueString!]),
    );
  const details = (await nucleonClient(server).send(
    `${extensionTargetPrefix}.GetDeploymentDetails`,
    {
      id: created.environment!.lastAttemptedDeploymentId,
    },
  )) as { events: Array<{ message: string }> };
  expect(hostileState, 'the hostile deployment provisions').toBe('SUCCESS');
  return {
    server,
    proton,
    workspaces,
    hostile: await outputs('hostile'),
    victim: await outputs('victim'),
    log: details.events.map((e) => e.message),
  };
}

describe('a hostile template under the command sandbox', () => {
  const available = requireOrSkip(bwrapMissing());
  let scene: Scene | undefined;

  beforeAll(async () => {
    if (available) scene = await playScene('auto', false);
  }, 600_000);
  afterAll(async () => {
    await scene?.server.stop();
    if (scene) rmSync(scene.workspaces, { recursive: true, force: true });
  });

  it.skipIf(!available)(
    'provisions, reporting that every attempt to reach beyond its deployment failed',
    () => {
      const s = scene!;
      expect(Object.fromEntries(ATTEMPTS.map((k) => [k, s.hostile[k]]))).toEqual(
        Object.fromEntries(ATTEMPTS.map((k) => [k, 'blocked'])),
      );
      if (process.getuid?.() === 0) expect(s.hostile.Uid).toBe('65534');
    },
  );

  it.skipIf(!available)(
    "leaves the server running and the concurrent deployment's outputs untouched",
    async () => {
      const s = scene!;
      const env = await s.proton.send(new GetEnvironmentCommand({ name: 'victim' }));
      expect(env.environment?.deploymentStatus).toBe('SUCCEEDED');
      expect(s.victim).toEqual({ Url: 'https://victim.example/', Marker: 'victim' });
    },
  );

  it.skipIf(!available)('says in the deployment log how the commands were sandboxed', () => {
    expect(scene!.log).toContainEqual(
      expect.stringMatching(
        /^commands run in a bubblewrap sandbox as uid \d+: new PID, IPC and mount namespaces/,
      ),
    );
  });
});

describe('the same hostile template with NUCLEON_RUNNER_SANDBOX=off (kills only probed)', () => {
  let scene: Scene | undefined;

  beforeAll(async () => {
    scene = await playScene('off', true);
  }, 600_000);
  afterAll(async () => {
    await scene?.server.stop();
    if (scene) rmSync(scene.workspaces, { recursive: true, force: true });
  });

  it('gets everything: environments, the data dir, the other workspace and its credentials, and could kill the server', () => {
    for (const attempt of ATTEMPTS) expect(scene!.hostile[attempt], attempt).toMatch(/^LEAKED: /);
    expect(scene!.victim.Url).toBe('https://attacker.example/');
  });

  it('warns in the deployment log that commands run without a sandbox', () => {
    expect(scene!.log).toContainEqual(
      expect.stringMatching(/^WARNING: template commands run WITHOUT a sandbox/),
    );
  });
});
