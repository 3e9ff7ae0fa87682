import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateEnvironmentCommand,
  CreateServiceTemplateCommand,
  GetEnvironmentCommand,
  ListEnvironmentOutputsCommand,
  waitUntilEnvironmentDeployed,
} from '@aws-sdk/client-proton';
import { extensionTargetPrefix } from '@nucleon/protocol';
import { startTestServer, waitFor, type TestServer } from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nucleonClient, publishFixture, sdkClient } from './helpers.js';
import { publishEnvMinor, rolloutCall, w, waitRollout } from './rollout-fixtures.js';

const ENVS = ['fleet-a', 'fleet-b', 'fleet-c'];
const ended = (r: { status: string }) => !['IN_PROGRESS', 'PAUSED'].includes(r.status);

/** Each environment's version, last attempted deployment and outputs. */
async function envState(server: TestServer) {
  const proton = sdkClient(server);
  const out: Record<string, { version: string; lastAttempted: string; inputs: unknown }> = {};
  for (const name of ENVS) {
    const e = (await proton.send(new GetEnvironmentCommand({ name }))).environment!;
    const outputs = await proton.send(new ListEnvironmentOutputsCommand({ environmentName: name }));
    const o = Object.fromEntries((outputs.outputs ?? []).map((x) => [x.key!, x.valueString!]));
    expect(o.Version, name).toBe(`${e.templateMajorVersion}.${e.templateMinorVersion}`);
    out[name] = {
      version: `${e.templateMajorVersion}.${e.templateMinorVersion}`,
      lastAttempted: e.lastAttemptedDeploymentId ?? '',
      inputs: JSON.parse(o.Inputs!),
    };
  }
  return out;
}

const drift = async (server: TestServer, templateName: string) =>
  (
    (await nucleonClient(server).send(`${extensionTargetPrefix}.GetDriftReport`, {
      templateName,
    })) as { resources: Array<Record<string, unknown>> }
  ).resources;

/**
 * Fleet operations on environment templates, over HTTP with real clients: three environments
 * of a CodeBuild environment template roll 1.0 → 1.1 in waves and roll back from a failing 1.2;
 * and a CodeBuild template's own `drift` commands report drift when the world changes.
 */
describe('environment templates: rollouts in waves with rollback, and drift commands', () => {
  let server: TestServer;
  // A local HTTP server: GET serves the file the drift command checks (the sandbox shows the
  // commands only their workspace), POST receives the rollout events a webhook delivers.
  let dir: string;
  let local: Server;
  let base: string;
  const events: Array<{ detail: Record<string, unknown> }> = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nucleon-drift-'));
    local = createServer((req, res) => {
      if (req.method === 'POST') {
        let body = '';
        req.on('data', (d: Buffer) => (body += d.toString()));
        req.on('end', () => {
          events.push(JSON.parse(body) as { detail: Record<string, unknown> });
          res.writeHead(204).end();
        });
        return;
      }
      readFile(join(dir, 'size')).then(
        (body) => res.end(body),
        () => res.writeHead(404).end(),
      );
    });
    await new Promise<void>((resolve) => local.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(local.address() as AddressInfo).port}`;
    server = await startTestServer({ dialect: 'pglite' });
    await nucleonClient(server).send(`${extensionTargetPrefix}.CreateEventSubscription`, {
      url: `${base}/events`,
      detailTypes: ['Nucleon Rollout Status Change'],
    });
    const proton = sdkClient(server);
    await publishFixture(server, {
      kind: 'ENVIRONMENT',
      template: 'fleet-env',
      fixture: 'env-fleet-1_0',
    });
    for (const name of ENVS) {
      // fleet-b's provision fails on 1.2.
      const failOn = name === 'fleet-b' ? '"1.2"' : 'none';
      await proton.send(
        new CreateEnvironmentCommand({
          name,
          templateName: 'fleet-env',
          templateMajorVersion: '1',
          spec: `proton: EnvironmentSpec\nspec:\n  fail_on: ${failOn}\n`,
        }),
      );
    }
    for (const name of ENVS) await waitUntilEnvironmentDeployed(w(proton), { name });
    await publishEnvMinor(server, 'fleet-env', 'env-fleet-1_1');
    await publishEnvMinor(server, 'fleet-env', 'env-fleet-1_2');
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
    await new Promise((resolve) => local?.close(resolve));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('previews, then rolls 1.0 to 1.1 one environment per wave in the given order, and ends SUCCEEDED', async () => {
    const preview = (await nucleonClient(server).send(`${extensionTargetPrefix}.PreviewRollout`, {
      templateName: 'fleet-env',
      targetMajorVersion: '1',
      targetMinorVersion: '1',
    })) as {
      previewHash: string;
      templateType: string;
      resources: Array<{
        environmentName: string;
        currentVersion: string;
        engine: string;
        files: Array<{ path: string; change: string; diff?: string }>;
        inputChanges: Array<{ name: string; before?: string; after?: string }>;
      }>;
    };
    expect(preview.templateType).toBe('ENVIRONMENT');
    expect(preview.resources.map((r) => [r.environmentName, r.currentVersion, r.engine])).toEqual(
      ENVS.map((e) => [e, '1.0', 'codebuild']),
    );
    for (const r of preview.resources) {
      // 1.1 adds the input size (default small) and its manifest runs provision.js 1.1.
      expect(r.inputChanges).toEqual([{ name: 'size', after: '"small"' }]);
      const manifest = r.files.find((f) => f.path === 'infrastructure/manifest.yaml')!;
      expect(manifest.change).toBe('MODIFIED');
      expect(manifest.diff).toContain('+          - node provision.js 1.1');
      expect(r.files.find((f) => f.path === 'proton-inputs.json')?.diff).toContain('"size"');
    }

    const started = await rolloutCall(server, 'StartRollout', {
      templateName: 'fleet-env',
      targetMajorVersion: '1',
      targetMinorVersion: '1',
      environmentOrder: ['fleet-c', 'fleet-a', 'fleet-b'],
      bakeSeconds: 1,
      autoRollback: true,
      previewHash: preview.previewHash,
    });
    expect(started).toMatchObject({ status: 'IN_PROGRESS', waveCount: 3 });
    expect(started.instances.map((i) => [i.wave, i.environmentName, i.serviceName])).toEqual([
      [1, 'fleet-c', ''],
      [2, 'fleet-a', ''],
      [3, 'fleet-b', ''],
    ]);
    const done = await waitRollout(server, started.rolloutId, ended, 'the rollout to end');
    expect(done).toMatchObject({ status: 'SUCCEEDED' });
    expect((done as unknown as { templateType: string }).templateType).toBe('ENVIRONMENT');
    expect(done.instances.map((i) => [i.state, i.previousVersion])).toEqual(
      Array(3).fill(['SUCCEEDED', '1.0']),
    );
    const after = await envState(server);
    for (const name of ENVS) {
      expect(after[name]!.version, name).toBe('1.1');
      expect(after[name]!.inputs, name).toMatchObject({ size: 'small' });
    }
    // Its events say it moves an environment template.
    const ev = await waitFor(
      async () =>
        events.find((e) => e.detail.id === started.rolloutId && e.detail.status === 'SUCCEEDED'),
      { timeoutMs: 60_000, intervalMs: 200, what: 'the rollout event' },
    );
    expect(ev.detail).toMatchObject({ templateName: 'fleet-env', templateType: 'ENVIRONMENT' });
  }, 300_000);

  it('rolls back the environments a failing 1.2 touched, never starts the last wave, and ends ROLLED_BACK', async () => {
    const before = await envState(server);
    const started = await rolloutCall(server, 'StartRollout', {
      templateName: 'fleet-env',
      targetMajorVersion: '1',
      targetMinorVersion: '2',
      explicitWaves: [['fleet-a'], ['fleet-b'], ['fleet-c']],
      autoRollback: true,
    });
    const done = await waitRollout(server, started.rolloutId, ended, 'the rollout to end');
    expect(done.status).toBe('ROLLED_BACK');
    expect(done.statusMessage).toContain('wave 2 of 3 failed');
    const state = Object.fromEntries(done.instances.map((i) => [i.environmentName, i]));
    expect(state['fleet-a']!.state).toBe('ROLLED_BACK');
    expect(state['fleet-b']!.state).toBe('ROLLED_BACK');
    expect(state['fleet-c']!.state).toBe('SKIPPED');
    expect(state['fleet-c']!.deploymentId).toBeUndefined();
    const after = await envState(server);
    for (const name of ENVS) {
      // Back on 1.1 with the inputs it had (no 1.2 input "zone").
      expect(after[name]!.version, name).toBe('1.1');
      expect(after[name]!.inputs, name).toEqual(before[name]!.inputs);
    }
    expect(after['fleet-c']!.lastAttempted).toBe(before['fleet-c']!.lastAttempted);
  }, 300_000);

  it('refuses a selector by service, and a name both template kinds use unless templateType says which', async () => {
    await expect(
      rolloutCall(server, 'StartRollout', {
        templateName: 'fleet-env',
        targetMajorVersion: '1',
        targetMinorVersion: '2',
        selector: { services: ['api'] },
      }),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('selector.services does not apply'),
    });
    await sdkClient(server).send(new CreateServiceTemplateCommand({ name: 'fleet-env' }));
    for (const op of ['StartRollout', 'PreviewRollout'])
      await expect(
        nucleonClient(server).send(`${extensionTargetPrefix}.${op}`, {
          templateName: 'fleet-env',
          targetMajorVersion: '1',
          targetMinorVersion: '1',
        }),
      ).rejects.toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining('say which one with templateType'),
      });
    // Told which, it goes on: every environment is on 1.1 already.
    await expect(
      rolloutCall(server, 'StartRollout', {
        templateName: 'fleet-env',
        templateType: 'ENVIRONMENT',
        targetMajorVersion: '1',
        targetMinorVersion: '1',
      }),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('No environment of fleet-env'),
    });
  });

  it("runs a codebuild template's drift commands: in sync, then drifted with their output", async () => {
    const url = `${base}/size`;
    await writeFile(join(dir, 'size'), 'small\n');
    const proton = sdkClient(server);
    await publishFixture(server, {
      kind: 'ENVIRONMENT',
      template: 'drift-env',
      fixture: 'env-drift',
    });
    await proton.send(
      new CreateEnvironmentCommand({
        name: 'drifty',
        templateName: 'drift-env',
        templateMajorVersion: '1',
        spec: `proton: EnvironmentSpec\nspec:\n  state_url: "${url}"\n  size: small\n`,
      }),
    );
    await waitUntilEnvironmentDeployed(w(proton), { name: 'drifty' });

    const [inSync] = await drift(server, 'drift-env');
    expect(inSync).toMatchObject({
      name: 'drifty',
      drifted: false,
      driftCommand: { status: 'IN_SYNC', output: 'size small as deployed' },
    });
    await writeFile(join(dir, 'size'), 'large\n');
    const [drifted] = await drift(server, 'drift-env');
    expect(drifted).toMatchObject({
      name: 'drifty',
      drifted: true,
      renderedChanges: [],
      driftCommand: {
        status: 'DRIFTED',
        exitCode: 3,
        output: 'size drifted: the cloud has large, the template says small',
      },
    });
    expect(drifted!.actions).toEqual([
      expect.stringContaining('redeploy to converge'),
      expect.stringContaining('accept: AcceptDrift'),
    ]);
    // A codebuild template without drift commands is compared as before, with no command run.
    const plain = await drift(server, 'fleet-env');
    expect(plain.map((r) => [r.name, r.drifted, r.driftCommand])).toEqual(
      ENVS.map((e) => [e, false, undefined]),
    );
  });
});
