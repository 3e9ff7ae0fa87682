/**
 * The load generator, run as its own process so it never shares an event loop with the server:
 * autocannon (a maintained HTTP load tool) replays a pool of pre-signed requests (SigV4 signatures
 * stay valid for 15 minutes and carry no nonce) over N keep-alive connections for a fixed time, and
 * prints throughput and latency percentiles as JSON. Any non-2xx answer counts as an error.
 *
 * Usage: node --import tsx bench/load-client.ts <url> <pool.json> <seconds> <connections>
 * where pool.json is `[{ headers, body }]`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

interface Histogram {
  average: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}
interface AutocannonResult {
  requests: Histogram & { total: number };
  latency: Histogram;
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const [url, poolFile, seconds, connections] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
];
const pool = JSON.parse(readFileSync(poolFile, 'utf8')) as Array<{
  headers: Record<string, string>;
  body: string;
}>;
const requests = pool.map((r) => ({ method: 'POST', path: '/', headers: r.headers, body: r.body }));

const cpu0 = process.cpuUsage();
const r = await autocannon({
  url,
  connections: Number(connections),
  duration: Number(seconds),
  requests,
});
const cpu = process.cpuUsage(cpu0);
const ok = r.requests.total - r.non2xx;
process.stdout.write(
  JSON.stringify({
    tool: 'autocannon',
    connections: Number(connections),
    seconds: r.duration,
    requests: ok,
    errors: r.errors + r.timeouts + r.non2xx,
    requests_per_sec: Math.round(ok / r.duration),
    p50_ms: r.latency.p50,
    p90_ms: r.latency.p90,
    p99_ms: r.latency.p99,
    max_ms: r.latency.max,
    // The client's own CPU time over the run, as a share of one core: near 100% would mean the
    // client, not the server, is the limit.
    client_cpu_percent: Math.round(((cpu.user + cpu.system) / 1e6 / r.duration) * 100),
  }) + '\n',
);
