#!/usr/bin/env node
// The service instance itself: a tiny HTTP server. `node server.js <instance dir>` reads
// <instance dir>/config.json (written by local-web.js) and answers
//   GET /         {"service","instance","environment","message","port","pid","startedAt","deploymentId","requests"}
//   GET /healthz  {"status":"ok","instance","deploymentId","pid"}
// It is started and restarted by supervisor.js, never by hand.
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node server.js <instance dir>');
  process.exit(2);
}
const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
const startedAt = new Date().toISOString();
let requests = 0;

function send(res, status, body) {
  const text = JSON.stringify(body, null, 2) + '\n';
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

const server = http.createServer((req, res) => {
  requests += 1;
  const url = new URL(req.url || '/', 'http://localhost');
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'only GET is served' });
  if (url.pathname === '/healthz') return send(res, 200, { status: 'ok', instance: config.instance, deploymentId: config.deploymentId, pid: process.pid });
  if (url.pathname === '/') {
    return send(res, 200, {
      service: config.service,
      instance: config.instance,
      environment: config.environment,
      message: config.message,
      port: config.port,
      pid: process.pid,
      startedAt,
      deploymentId: config.deploymentId,
      requests,
    });
  }
  return send(res, 404, { error: `no route for ${url.pathname}` });
});

server.on('error', (error) => {
  console.error(`${new Date().toISOString()} server: ${error.message}`);
  process.exit(1);
});
server.listen(config.port, config.host, () => {
  console.log(`${new Date().toISOString()} server: ${config.service}/${config.instance} listening on http://${config.host}:${config.port}/ (pid ${process.pid})`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    console.log(`${new Date().toISOString()} server: ${signal}, stopping`);
    server.close(() => process.exit(0));
    server.closeAllConnections?.();
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
