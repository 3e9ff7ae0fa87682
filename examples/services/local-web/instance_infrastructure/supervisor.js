#!/usr/bin/env node
// Keeps one server.js running for a service instance. `node supervisor.js <instance dir>` is
// started detached (its own session and process group) by local-web.js, which records its pid
// in <instance dir>/supervisor.pid. The server is restarted when it exits on its own (at most 5
// times a minute, then the supervisor gives up and exits 1). SIGTERM or SIGINT stops the server
// and then the supervisor. Output goes to <instance dir>/server.log.
'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node supervisor.js <instance dir>');
  process.exit(2);
}
const log = (message) => console.log(`${new Date().toISOString()} supervisor[${process.pid}]: ${message}`);
const MAX_RESTARTS = 5;
const WINDOW_MS = 60_000;
let child;
let stopping = false;
let restarts = [];

function start() {
  child = spawn(process.execPath, [path.join(dir, 'app', 'server.js'), dir], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });
  log(`started server pid ${child.pid}`);
  child.on('exit', (code, signal) => {
    if (stopping) {
      log(`server stopped (${signal ?? code})`);
      process.exit(0);
    }
    const now = Date.now();
    restarts = restarts.filter((t) => now - t < WINDOW_MS);
    if (restarts.length >= MAX_RESTARTS) {
      log(`server exited (${signal ?? code}) ${MAX_RESTARTS + 1} times within a minute; giving up`);
      process.exit(1);
    }
    restarts.push(now);
    log(`server exited (${signal ?? code}); restarting in 1 s`);
    setTimeout(() => {
      if (!stopping) start();
    }, 1000);
  });
}

function stop(signal) {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping the server`);
  if (!child || child.exitCode !== null || child.signalCode !== null) process.exit(0);
  child.kill('SIGTERM');
  setTimeout(() => {
    child.kill('SIGKILL');
    process.exit(0);
  }, 5000).unref();
}

process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGHUP', () => log('SIGHUP ignored'));
log(`supervising ${dir}`);
start();
