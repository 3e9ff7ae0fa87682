/**
 * A load generator run as its own process: replays one pre-signed request (SigV4 signatures stay
 * valid for 15 minutes and carry no nonce) with N concurrent keep-alive connections for a fixed
 * time, and prints throughput and latency percentiles as JSON.
 */
import http from 'node:http';

const [url, headersJson, body, seconds, concurrency] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
];
const headers = JSON.parse(headersJson) as Record<string, string>;
const target = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(concurrency) });
const latencies: number[] = [];
let errors = 0;
const deadline = performance.now() + Number(seconds) * 1000;

function once(): Promise<void> {
  return new Promise((resolve) => {
    const start = performance.now();
    const req = http.request(
      { hostname: target.hostname, port: target.port, path: '/', method: 'POST', headers, agent },
      (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) latencies.push(performance.now() - start);
          else errors++;
          resolve();
        });
      },
    );
    req.on('error', () => {
      errors++;
      resolve();
    });
    req.end(body);
  });
}

async function worker(): Promise<void> {
  while (performance.now() < deadline) await once();
}

const started = performance.now();
await Promise.all(Array.from({ length: Number(concurrency) }, worker));
const elapsed = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p: number) =>
  Number(
    (
      latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0
    ).toFixed(2),
  );
process.stdout.write(
  JSON.stringify({
    requests: latencies.length,
    errors,
    seconds: Number(elapsed.toFixed(2)),
    requests_per_sec: Math.round(latencies.length / elapsed),
    p50_ms: pct(50),
    p99_ms: pct(99),
  }) + '\n',
);
agent.destroy();
