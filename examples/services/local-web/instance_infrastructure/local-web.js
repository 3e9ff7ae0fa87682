#!/usr/bin/env node
// Provisions and deprovisions one local-web service instance: a Node HTTP server (server.js)
// kept running by supervisor.js, detached from the deployment, in the instance's state folder
//   <EnvironmentDir>/services/<service>/<instance>/
//     app/server.js, app/supervisor.js   copies (the deployment workspace is deleted after the run)
//     config.json                        what the server serves (port, message, names, deployment id)
//     instance.json                      this script's record (port, pids, url)
//     supervisor.pid                     the supervisor's pid = its process group id
//     server.log                         supervisor and server output
// and a port reservation <EnvironmentDir>/ports/<port>.json. EnvironmentDir is an output of the
// local-env environment template. `provision` is idempotent: it replaces a running server.
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');
const { spawn, execFileSync } = require('node:child_process');

const HOST = '127.0.0.1';
const KIND = 'nucleon-example/local-web';

function fail(message) {
  console.error(`local-web: ${message}`);
  process.exit(1);
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    if (error.code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${file}: ${error.message}`);
  }
}

function writeJsonAtomically(file, value) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
}

function readInputs() {
  const doc = JSON.parse(fs.readFileSync('proton-inputs.json', 'utf8'));
  const service = doc.service?.name;
  const instance = doc.service_instance?.name;
  for (const [what, name] of [['service', service], ['instance', instance]]) {
    if (typeof name !== 'string' || !/^[0-9A-Za-z][0-9A-Za-z_-]*$/.test(name)) fail(`unexpected ${what} name ${JSON.stringify(name)}`);
  }
  return { doc, service, instance, inputs: doc.service_instance.inputs || {}, environment: doc.environment || {} };
}

/** The environment's folder (output EnvironmentDir of local-env) and its registry, or undefined. */
function environmentOf(environment) {
  const dir = environment.outputs?.EnvironmentDir;
  if (typeof dir !== 'string' || !path.isAbsolute(dir)) return undefined;
  const registry = readJson(path.join(dir, 'environment.json'));
  if (!registry || registry.kind !== 'nucleon-example/local-env') return { dir, registry: undefined };
  return { dir, registry };
}

// ---- processes ----

/** True while process group `pgid` has a live (non-zombie) member. */
function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    return error.code === 'EPERM';
  }
  if (process.platform !== 'linux') return true;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') return true;
  }
  return false;
}

function commandLineOf(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    try {
      return execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' });
    } catch {
      return undefined;
    }
  }
}

/** Stops the supervisor recorded in `dir`/supervisor.pid and everything in its group. */
async function stopRunning(dir) {
  const pidFile = path.join(dir, 'supervisor.pid');
  let pid;
  try {
    pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  } catch {
    return false;
  }
  fs.rmSync(pidFile, { force: true });
  if (!Number.isInteger(pid) || pid <= 1 || !groupAlive(pid)) return false;
  const cmd = commandLineOf(pid);
  if (cmd && !cmd.includes(dir)) {
    console.log(`pid ${pid} from ${pidFile} is now another program (${cmd.trim().slice(0, 80)}); leaving it alone`);
    return false;
  }
  const signal = (s) => {
    try {
      process.kill(-pid, s);
    } catch {
      /* already gone */
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + 10_000;
  while (groupAlive(pid) && Date.now() < deadline) await sleep(100);
  if (groupAlive(pid)) {
    signal('SIGKILL');
    while (groupAlive(pid) && Date.now() < deadline + 5_000) await sleep(100);
  }
  if (groupAlive(pid)) fail(`process group ${pid} did not stop`);
  console.log(`stopped process group ${pid}`);
  return true;
}

// ---- ports ----

function canListen(port) {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host: HOST, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/**
 * Reserves `port` for this instance in <EnvironmentDir>/ports (one file per port, created
 * exclusively, so two instances deploying at once never get the same port). Returns the owner
 * when another live instance holds it.
 */
function reserve(portsDir, port, me) {
  const file = path.join(portsDir, `${port}.json`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(me) + '\n', { flag: 'wx', mode: 0o600 });
      return undefined;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    const owner = readJson(file);
    if (owner && owner.service === me.service && owner.instance === me.instance) return undefined;
    // A reservation whose instance folder is gone is stale (its deprovision did not finish).
    if (owner && owner.dir && fs.existsSync(owner.dir)) return owner;
    fs.rmSync(file, { force: true });
  }
  return { service: '?', instance: '?' };
}

function release(portsDir, port, me) {
  const file = path.join(portsDir, `${port}.json`);
  const owner = readJson(file);
  if (owner && owner.service === me.service && owner.instance === me.instance) fs.rmSync(file, { force: true });
}

async function choosePort({ requested, previous, range, portsDir, me }) {
  if (requested > 0) {
    const owner = reserve(portsDir, requested, me);
    if (owner) fail(`port ${requested} is already used by ${owner.service}/${owner.instance} in this environment`);
    if (!(await canListen(requested))) {
      release(portsDir, requested, me);
      fail(`port ${requested} on ${HOST} is in use by another program`);
    }
    return requested;
  }
  const candidates = [];
  if (previous) candidates.push(previous);
  for (let p = range.start; p <= range.end; p++) if (p !== previous) candidates.push(p);
  for (const port of candidates) {
    if (reserve(portsDir, port, me)) continue;
    if (await canListen(port)) return port;
    release(portsDir, port, me);
  }
  fail(`no free port in the environment's range ${range.start}-${range.end}`);
}

// ---- health ----

function getJson(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode, body: JSON.parse(body) });
        } catch {
          resolve({ status: res.statusCode, body: undefined });
        }
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

function logTail(file, lines = 20) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

// ---- commands ----

async function provision() {
  const { service, instance, inputs, environment } = readInputs();
  const env = environmentOf(environment);
  if (!env) fail(`environment ${environment.name} has no EnvironmentDir output; create it from the local-env environment template`);
  if (!env.registry) fail(`${env.dir} is not a local-env environment folder (no environment.json); redeploy environment ${environment.name}`);
  const dir = path.join(env.dir, 'services', service, instance);
  const portsDir = path.join(env.dir, 'ports');
  fs.mkdirSync(path.join(dir, 'app'), { recursive: true, mode: 0o700 });
  fs.mkdirSync(portsDir, { recursive: true, mode: 0o700 });
  const previous = readJson(path.join(dir, 'instance.json'));
  const me = { service, instance, dir, arn: process.env.RESOURCE_ARN || null };

  // Idempotent: whatever runs for this instance is replaced.
  await stopRunning(dir);

  const range = {
    start: Number(environment.outputs.PortRangeStart ?? env.registry.portRange?.start),
    end: Number(environment.outputs.PortRangeEnd ?? env.registry.portRange?.end),
  };
  const requested = Number(inputs.port ?? 0);
  const port = await choosePort({ requested, previous: requested === 0 ? previous?.port : undefined, range, portsDir, me });
  if (previous?.port && previous.port !== port) release(portsDir, previous.port, me);

  for (const file of ['server.js', 'supervisor.js']) fs.copyFileSync(file, path.join(dir, 'app', file));
  const deploymentId = process.env.PROTON_DEPLOYMENT_ID || `manual-${Date.now()}`;
  writeJsonAtomically(path.join(dir, 'config.json'), {
    service,
    instance,
    environment: environment.name,
    message: String(inputs.message ?? ''),
    host: HOST,
    port,
    deploymentId,
  });

  const logFile = path.join(dir, 'server.log');
  const out = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, [path.join(dir, 'app', 'supervisor.js'), dir], {
    cwd: dir,
    detached: true, // its own session and process group: it outlives this deployment's shell
    stdio: ['ignore', out, out],
    // Nothing of the deployment (scoped AWS credentials, resource ARN) reaches the server.
    env: { PATH: process.env.PATH || '/usr/bin:/bin', HOME: process.env.HOME || dir, LANG: process.env.LANG || 'C.UTF-8', NODE_ENV: 'production' },
  });
  fs.closeSync(out);
  child.unref();
  const pid = child.pid;
  if (!pid) fail('could not start the supervisor');
  fs.writeFileSync(path.join(dir, 'supervisor.pid'), `${pid}\n`);

  const url = `http://${HOST}:${port}/`;
  const timeoutMs = Number(inputs.start_timeout_seconds ?? 20) * 1000;
  const deadline = Date.now() + timeoutMs;
  let health;
  for (;;) {
    health = await getJson(`${url}healthz`);
    if (health?.status === 200 && health.body?.deploymentId === deploymentId) break;
    if (!groupAlive(pid) || Date.now() > deadline) {
      console.error(`--- ${logFile} (last lines) ---\n${logTail(logFile)}`);
      await stopRunning(dir);
      fail(groupAlive(pid) ? `the server did not answer ${url}healthz within ${timeoutMs / 1000} s` : 'the server exited while starting');
    }
    await sleep(150);
  }
  const serverPid = health.body.pid;
  const now = new Date().toISOString();
  writeJsonAtomically(path.join(dir, 'instance.json'), {
    kind: KIND,
    service,
    instance,
    environment: environment.name,
    arn: me.arn,
    port,
    url,
    supervisorPid: pid,
    serverPid,
    logFile,
    createdAt: previous?.createdAt ?? now,
    updatedAt: now,
    lastDeploymentId: deploymentId,
  });
  fs.writeFileSync(
    'proton-outputs.json',
    JSON.stringify({ Url: url, Port: String(port), Pid: String(pid), ServerPid: String(serverPid), InstanceDir: dir, LogFile: logFile }),
  );
  console.log(`${service}/${instance} answers at ${url} (supervisor pid ${pid}, server pid ${serverPid})`);
}

async function deprovision() {
  const { service, instance, environment } = readInputs();
  const env = environmentOf(environment);
  if (!env || !fs.existsSync(env.dir)) {
    console.log(`environment folder ${env?.dir ?? '(unknown)'} is gone; nothing to remove for ${service}/${instance}`);
    return;
  }
  const serviceDir = path.join(env.dir, 'services', service);
  const dir = path.join(serviceDir, instance);
  if (!fs.existsSync(dir)) {
    console.log(`${dir} does not exist; nothing to remove`);
    return;
  }
  const record = readJson(path.join(dir, 'instance.json'));
  const arn = process.env.RESOURCE_ARN;
  if (record && record.arn && arn && record.arn !== arn) fail(`${dir} belongs to ${record.arn}, not ${arn}; not removing it`);
  await stopRunning(dir);
  if (record?.port) {
    const answer = await getJson(`http://${HOST}:${record.port}/healthz`);
    if (answer?.body?.instance === instance) fail(`something still answers for ${instance} on port ${record.port}`);
  }
  // Every reservation of this instance, including one left by a deployment that failed midway.
  const portsDir = path.join(env.dir, 'ports');
  for (const file of fs.existsSync(portsDir) ? fs.readdirSync(portsDir) : []) {
    const port = /^(\d+)\.json$/.exec(file)?.[1];
    if (port) release(portsDir, Number(port), { service, instance });
  }
  fs.rmSync(dir, { recursive: true, force: true });
  try {
    fs.rmdirSync(serviceDir); // only when no other instance of the service is left
  } catch {
    /* not empty */
  }
  console.log(`removed ${service}/${instance} (${dir})`);
}

const command = process.argv[2];
const run = command === 'provision' ? provision : command === 'deprovision' ? deprovision : undefined;
if (!run) fail('usage: node local-web.js provision|deprovision');
run().catch((error) => fail(error.stack || String(error)));
