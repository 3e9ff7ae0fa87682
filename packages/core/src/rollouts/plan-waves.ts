/** How a rollout splits its instances into waves. */
export type WaveStrategy =
  /** `count` waves of (nearly) equal size, in the instances' order. */
  | { kind: 'COUNT'; count: number }
  /** Cumulative percentages, e.g. [10, 50, 100]: wave i takes the fleet up to percentages[i]. */
  | { kind: 'PERCENTAGES'; percentages: readonly number[] }
  /** Explicit waves of instance ids; instances named in none go into a last wave. */
  | { kind: 'EXPLICIT'; waves: ReadonlyArray<readonly string[]> }
  /** One wave per environment, in this order; instances of other environments form a last wave. */
  | { kind: 'ENVIRONMENTS'; order: readonly string[] };

export interface WaveCandidate {
  /** `service/instance`. */
  id: string;
  environment: string;
}

export type WavePlan = { waves: string[][] } | { error: string };

/**
 * Splits a rollout's instances into waves (empty waves are dropped). Pure: the same input gives
 * the same plan, so a plan over 10,000 instances is cheap and testable.
 */
export function planWaves(candidates: readonly WaveCandidate[], strategy: WaveStrategy): WavePlan {
  const ids = candidates.map((c) => c.id);
  let waves: string[][];
  switch (strategy.kind) {
    case 'COUNT': {
      if (!Number.isInteger(strategy.count) || strategy.count < 1)
        return { error: `waves must be a whole number of at least 1 (got ${strategy.count})` };
      const n = Math.min(strategy.count, Math.max(ids.length, 1));
      waves = Array.from({ length: n }, (_, i) =>
        ids.slice(Math.floor((i * ids.length) / n), Math.floor(((i + 1) * ids.length) / n)),
      );
      break;
    }
    case 'PERCENTAGES': {
      const p = strategy.percentages;
      for (let i = 0; i < p.length; i++) {
        const v = p[i]!;
        if (!(v > 0 && v <= 100) || (i > 0 && v <= p[i - 1]!))
          return {
            error: `wavePercentages must rise strictly, each above 0 and at most 100 (got ${p.join(', ')})`,
          };
      }
      const cuts = [...p.map((v) => Math.ceil((v / 100) * ids.length))];
      if (p[p.length - 1] !== 100) cuts.push(ids.length);
      let from = 0;
      waves = cuts.map((to) => {
        const w = ids.slice(from, Math.max(to, from));
        from = Math.max(to, from);
        return w;
      });
      break;
    }
    case 'EXPLICIT': {
      const known = new Set(ids);
      const seen = new Set<string>();
      for (const w of strategy.waves)
        for (const id of w) {
          if (!known.has(id))
            return {
              error: `explicitWaves names ${id}, which is not among the instances the selector chose`,
            };
          if (seen.has(id)) return { error: `explicitWaves names ${id} in more than one wave` };
          seen.add(id);
        }
      waves = [...strategy.waves.map((w) => [...w]), ids.filter((id) => !seen.has(id))];
      break;
    }
    case 'ENVIRONMENTS': {
      const order = new Map(strategy.order.map((e, i) => [e, i]));
      waves = strategy.order.map(() => [] as string[]);
      const rest: string[] = [];
      for (const c of candidates) {
        const i = order.get(c.environment);
        if (i === undefined) rest.push(c.id);
        else waves[i]!.push(c.id);
      }
      waves.push(rest);
      break;
    }
  }
  return { waves: waves.filter((w) => w.length > 0) };
}
