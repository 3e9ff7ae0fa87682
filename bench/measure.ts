/**
 * Load-independent figures for the deployment and fleet benches (ADR 0024): SQL round trips
 * counted at the `pg` client (every statement the server sends, BEGIN/COMMIT included), CPU time
 * of this process (the server runs in it, next to a light polling client), the load average, and
 * where each deployment's wall time went, read back from its own timestamps and events.
 */
import { loadavg } from 'node:os';
import pg from 'pg';

/** Counts every query any `pg` client of this process sends (installed once, before the server starts). */
const counts = { total: 0 };
let installed = false;
export function countSqlRoundTrips(): void {
  if (installed) return;
  installed = true;
  const original = Reflect.get(pg.Client.prototype, 'query') as (...args: unknown[]) => unknown;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    counts.total++;
    return original.apply(this, args);
  } as typeof pg.Client.prototype.query;
}

export interface Window {
  startedAt: Date;
  end(units: number): {
    sql_round_trips_per_unit: number;
    cpu_ms_per_unit: number;
    wall_s: number;
    load_average: { before: number; after: number };
  };
}

/** A measured window: round trips and CPU per unit of work (a deployment, an instance). */
export function startWindow(): Window {
  const startedAt = new Date();
  const sql0 = counts.total;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const load0 = loadavg()[0]!;
  return {
    startedAt,
    end(units) {
      const cpu = process.cpuUsage(cpu0);
      return {
        sql_round_trips_per_unit: Number(((counts.total - sql0) / units).toFixed(1)),
        cpu_ms_per_unit: Number(((cpu.user + cpu.system) / 1000 / units).toFixed(2)),
        wall_s: Number(((performance.now() - t0) / 1000).toFixed(2)),
        load_average: { before: load0, after: loadavg()[0]! },
      };
    },
  };
}

export const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return Number((s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0).toFixed(1));
};

interface PhaseRow {
  id: string;
  created: number;
  completed: number;
  claimed: number | null;
  render_start: number | null;
  rendered: number | null;
  finishing: number | null;
}

/**
 * Median / p95 per phase of the deployments created since `since`, in ms:
 * queue (created → its job claimed), prepare (claim → rendering starts: reads), render
 * (rendering → rendered and saved, roles looked up), engine (rendered → the engine's result: the
 * sandbox and the command), finish (result → committed end: events flushed, state written).
 * Also the mean number of deployments in flight over the span, and the span itself.
 */
export async function deploymentPhases(databaseUrl: string, since: Date) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const ms = (c: string) => `extract(epoch from ${c}) * 1000`;
    const { rows } = await client.query<PhaseRow>(
      `select d.id, ${ms('d.created_at')} as created, ${ms('d.completed_at')} as completed,
         ${ms(`min(e.at) filter (where e.message like '%started on engine%')`)} as claimed,
         ${ms(`min(e.at) filter (where e.message = 'rendering the templates')`)} as render_start,
         ${ms(`min(e.at) filter (where e.message like 'rendered %')`)} as rendered,
         ${ms(`max(e.at) filter (where e.message like 'SUCCEEDED:%' or e.message like 'FAILED:%')`)} as finishing
       from deployments d left join deployment_events e on e.deployment_id = d.id
       where d.created_at >= $1 and d.completed_at is not null
       group by d.id`,
      [since],
    );
    const num = (v: unknown) => (v === null ? null : Number(v));
    const phases: Record<string, number[]> = {
      queue: [],
      prepare: [],
      render: [],
      engine: [],
      finish: [],
      total: [],
    };
    let busy = 0;
    let first = Infinity;
    let last = 0;
    for (const r of rows) {
      const [c, done, cl, rs, rd, fin] = [
        num(r.created)!,
        num(r.completed)!,
        num(r.claimed),
        num(r.render_start),
        num(r.rendered),
        num(r.finishing),
      ];
      phases.total!.push(done - c);
      busy += done - c;
      first = Math.min(first, c);
      last = Math.max(last, done);
      if (cl !== null) phases.queue!.push(cl - c);
      if (cl !== null && rs !== null) phases.prepare!.push(rs - cl);
      if (rs !== null && rd !== null) phases.render!.push(rd - rs);
      if (rd !== null && fin !== null) phases.engine!.push(fin - rd);
      if (fin !== null) phases.finish!.push(done - fin);
    }
    const out: Record<string, unknown> = { deployments: rows.length };
    for (const [k, xs] of Object.entries(phases))
      out[`${k}_ms`] = { median: pct(xs, 50), p95: pct(xs, 95) };
    out.mean_in_flight = rows.length ? Number((busy / (last - first)).toFixed(1)) : 0;
    out.span_s = rows.length ? Number(((last - first) / 1000).toFixed(2)) : 0;
    return out;
  } finally {
    await client.end();
  }
}
