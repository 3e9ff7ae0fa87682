import { Hono } from 'hono';
import { mountHealthRoutes, type HttpAppOptions } from '../http/create-http-app.js';

/**
 * What a worker serves when given a health port (`nucleon worker --health-port`): the same
 * `/healthz` (the process runs), `/readyz` (it can do its work) and `/metrics` as the API, nothing
 * else.
 */
export function createHealthApp(options: Pick<HttpAppOptions, 'ready' | 'metrics'>): Hono {
  return mountHealthRoutes(new Hono(), options);
}
