import { Hono } from 'hono';

/**
 * What a worker serves when given a health port (`nucleon worker --health-port`): the same
 * `/healthz` (the process runs) and `/readyz` (its database answers) as the API, nothing else.
 * Other per-process endpoints a worker should expose (metrics) are mounted here too.
 */
export function createHealthApp(ready: () => Promise<boolean>): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) =>
    (await ready()) ? c.json({ status: 'ready' }) : c.json({ status: 'not ready' }, 503),
  );
  return app;
}
