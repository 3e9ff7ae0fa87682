import type { Logger } from '@nucleon/core';
import { coerceError } from '@nucleon/core';
import type { Hono } from 'hono';
import type { RepositorySyncService } from '../app/sync/repository-sync-service.js';
import { ProtocolError } from './error-mapper.js';
import { readBoundedBody } from './read-body.js';

/**
 * `POST /webhooks/repositories/<id>`: push deliveries from GitHub, GitLab and Gitea. Not signed
 * with SigV4: the body's HMAC (or GitLab's token) against the repository's webhook secret is
 * the authentication, checked before anything happens.
 */
export function mountWebhookRoutes(
  app: Hono,
  options: { sync: RepositorySyncService; maxBodyBytes: number; logger: Logger },
): void {
  app.post('/webhooks/repositories/:id', async (c) => {
    try {
      const body = await readBoundedBody(
        c.req.raw.body,
        c.req.header('content-length'),
        options.maxBodyBytes,
        'Send push events only (not the whole repository history).',
      );
      const headers = Object.fromEntries(
        [...c.req.raw.headers].map(([k, v]) => [k.toLowerCase(), v]),
      );
      const r = await options.sync.receiveWebhook(c.req.param('id'), headers, body);
      return c.json({ message: r.message }, r.status as 202);
    } catch (error) {
      if (error instanceof ProtocolError) return c.json({ message: error.message }, 413);
      options.logger.error('webhook delivery failed', { error: coerceError(error).message });
      return c.json({ message: 'internal error; the delivery can be sent again' }, 500);
    }
  });
}
