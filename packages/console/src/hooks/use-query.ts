import { useCallback, useEffect, useRef, useState } from 'react';

export interface Query<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  /** Loads again, keeping the current data on screen meanwhile. */
  reload(): void;
}

/**
 * Loads data for a page and keeps it fresh: `deps` restart it (other deps, other data),
 * `refreshKey` and `pollMs` (while `pollWhile(data)` holds) reload it in the background. A load
 * that finishes after a newer one started is ignored.
 */
export function useQuery<T>(
  load: () => Promise<T>,
  deps: readonly unknown[],
  options: {
    pollMs?: number;
    pollWhile?(data: T | undefined): boolean;
    /** Reloads when it changes, keeping the data shown meanwhile. */ refreshKey?: string;
  } = {},
): Query<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({
    loading: true,
  });
  const [tick, setTick] = useState(0);
  const generation = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const depsKey = JSON.stringify(deps);
  const lastKey = useRef(depsKey);

  useEffect(() => {
    const mine = ++generation.current;
    // Other deps show other data: drop the old data rather than show it under a new title.
    const fresh = lastKey.current !== depsKey;
    lastKey.current = depsKey;
    setState((s) => (fresh ? { loading: true } : { ...s, loading: true }));
    loadRef.current().then(
      (data) => mine === generation.current && setState({ data, loading: false }),
      (error: unknown) =>
        mine === generation.current &&
        setState((s) => ({
          data: s.data,
          error: error instanceof Error ? error : new Error(String(error)),
          loading: false,
        })),
    );
  }, [depsKey, tick, options.refreshKey]);

  const pollMs =
    options.pollMs && (!options.pollWhile || options.pollWhile(state.data)) ? options.pollMs : 0;
  useEffect(() => {
    if (!pollMs) return;
    const timer = window.setInterval(() => setTick((t) => t + 1), pollMs);
    return () => window.clearInterval(timer);
  }, [pollMs]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}
