#!/usr/bin/env node
// Provisions and deprovisions a "local environment": a state folder on the machine Nucleon runs
// on, with a small JSON registry file that service instances (see the local-web service
// template) read to find their home and port range. Run by the manifest's commands in the
// deployment workspace, which holds proton-inputs.json and is deleted after the run, so all
// state lives in the state folder.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const REGISTRY = 'environment.json';
const KIND = 'nucleon-example/local-env';

function fail(message) {
  console.error(`local-env: ${message}`);
  process.exit(1);
}

function readInputs() {
  const inputs = JSON.parse(fs.readFileSync('proton-inputs.json', 'utf8'));
  const env = inputs.environment;
  if (!env || typeof env.name !== 'string') fail('proton-inputs.json has no environment.name');
  if (!/^[0-9A-Za-z][0-9A-Za-z_-]*$/.test(env.name)) fail(`unexpected environment name ${JSON.stringify(env.name)}`);
  return { name: env.name, inputs: env.inputs || {} };
}

/** The examples' state root: the state_root input, else $NUCLEON_EXAMPLES_HOME, else ~/.nucleon-examples. */
function stateRoot(inputs) {
  const root = inputs.state_root || process.env.NUCLEON_EXAMPLES_HOME || path.join(process.env.HOME || os.homedir(), '.nucleon-examples');
  if (!path.isAbsolute(root)) fail(`the state root ${JSON.stringify(root)} is not an absolute path`);
  return path.resolve(root);
}

function readRegistry(dir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, REGISTRY), 'utf8'));
  } catch (error) {
    if (error.code === 'ENOENT') return undefined;
    fail(`cannot read ${path.join(dir, REGISTRY)}: ${error.message}`);
  }
}

function writeJsonAtomically(file, value) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** Refuses to touch a folder that another environment (another ARN) registered. */
function checkOwner(dir, registry) {
  const arn = process.env.RESOURCE_ARN;
  if (registry && registry.kind === KIND && arn && registry.arn && registry.arn !== arn) {
    fail(`${dir} belongs to ${registry.arn}, not ${arn}; choose another state_root or environment name`);
  }
  if (registry && registry.kind !== KIND) fail(`${path.join(dir, REGISTRY)} was not written by the local-env template; not touching ${dir}`);
}

function provision() {
  const { name, inputs } = readInputs();
  const start = Number(inputs.port_range_start ?? 18080);
  const size = Number(inputs.port_range_size ?? 100);
  const end = Math.min(start + size - 1, 65535);
  const dir = path.join(stateRoot(inputs), 'envs', name);
  const existing = readRegistry(dir);
  if (!existing && fs.existsSync(dir) && fs.readdirSync(dir).length > 0) fail(`${dir} exists, is not empty and has no ${REGISTRY}; not taking it over`);
  checkOwner(dir, existing);
  for (const sub of ['', 'services', 'ports']) fs.mkdirSync(path.join(dir, sub), { recursive: true, mode: 0o700 });
  const now = new Date().toISOString();
  const registry = {
    kind: KIND,
    name,
    arn: process.env.RESOURCE_ARN || null,
    portRange: { start, end },
    servicesDir: path.join(dir, 'services'),
    portsDir: path.join(dir, 'ports'),
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
    lastDeploymentId: process.env.PROTON_DEPLOYMENT_ID || null,
  };
  writeJsonAtomically(path.join(dir, REGISTRY), registry);
  const outputs = {
    EnvironmentDir: dir,
    RegistryFile: path.join(dir, REGISTRY),
    PortRangeStart: String(start),
    PortRangeEnd: String(end),
  };
  fs.writeFileSync('proton-outputs.json', JSON.stringify(outputs));
  console.log(`${existing ? 'updated' : 'created'} local environment ${name} in ${dir} (ports ${start}-${end})`);
}

// ---- stopping leftover instance processes (a safety net; instances stop their own) ----

function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    return error.code === 'EPERM';
  }
  if (process.platform !== 'linux') return true;
  // kill(-pgid, 0) also counts zombies that no init has reaped yet.
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
      return require('node:child_process').execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' });
    } catch {
      return undefined;
    }
  }
}

async function stopGroup(pidFile, marker) {
  let pid;
  try {
    pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 1 || !groupAlive(pid)) return;
  const cmd = commandLineOf(pid);
  if (cmd !== undefined && cmd !== '' && !cmd.includes(marker)) return; // the pid was reused by something else
  const signal = (s) => {
    try {
      process.kill(-pid, s);
    } catch {
      /* gone */
    }
  };
  signal('SIGTERM');
  for (let waited = 0; waited < 10_000 && groupAlive(pid); waited += 100) await new Promise((r) => setTimeout(r, 100));
  if (groupAlive(pid)) signal('SIGKILL');
  console.log(`stopped leftover process group ${pid} (${path.dirname(pidFile)})`);
}

async function deprovision() {
  const { name, inputs } = readInputs();
  const dir = path.join(stateRoot(inputs), 'envs', name);
  if (!fs.existsSync(dir)) {
    console.log(`local environment ${name}: ${dir} does not exist; nothing to remove`);
    return;
  }
  const registry = readRegistry(dir);
  if (!registry) fail(`${dir} has no ${REGISTRY}; not removing a folder this template did not create`);
  checkOwner(dir, registry);
  const services = path.join(dir, 'services');
  const dirsIn = (d) => (fs.existsSync(d) ? fs.readdirSync(d, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name) : []);
  for (const service of dirsIn(services)) {
    for (const instance of dirsIn(path.join(services, service))) {
      const instanceDir = path.join(services, service, instance);
      await stopGroup(path.join(instanceDir, 'supervisor.pid'), instanceDir);
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(`removed local environment ${name} (${dir})`);
}

const command = process.argv[2];
if (command === 'provision') provision();
else if (command === 'deprovision') deprovision().catch((error) => fail(error.stack || String(error)));
else fail('usage: node local-env.js provision|deprovision');
