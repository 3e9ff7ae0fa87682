import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

/**
 * PostgreSQL `LISTEN/NOTIFY` (ADR 0025): how one process learns at once what another committed
 * (jobs enqueued, access keys changed). Notifications are a hint, never the only path: a
 * listener that was disconnected may have missed some, so after every reconnect each channel's
 * `resync` runs (poll now, drop caches).
 */
export interface Notifications {
  listen(channel: string, handler: (payload: string) => void, resync?: () => void): Promise<void>;
  close(): Promise<void>;
}

interface Channel {
  handler: (payload: string) => void;
  resync: (() => void) | undefined;
}

const CHANNEL = /^[a-z_][a-z0-9_]*$/;

function checked(channel: string): string {
  if (!CHANNEL.test(channel)) throw new Error(`invalid notification channel name ${channel}`);
  return channel;
}

/** One dedicated connection (not from the pool) that LISTENs, reconnecting after a drop. */
export class PgNotifications implements Notifications {
  private client: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private readonly channels = new Map<string, Channel>();
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    private readonly onError: (error: Error) => void = () => undefined,
    private readonly retryMs = 1000,
  ) {}

  async listen(
    channel: string,
    handler: (payload: string) => void,
    resync?: () => void,
  ): Promise<void> {
    this.channels.set(checked(channel), { handler, resync });
    if (this.client) await this.client.query(`LISTEN ${channel}`);
    else await this.connect();
  }

  private connect(): Promise<void> {
    this.connecting ??= (async () => {
      const client = new pg.Client({ connectionString: this.url, keepAlive: true });
      client.on('notification', (n) => this.channels.get(n.channel)?.handler(n.payload ?? ''));
      client.on('error', (error) => this.dropped(client, error));
      client.on('end', () => this.dropped(client, new Error('the connection ended')));
      try {
        await client.connect();
        for (const name of this.channels.keys()) await client.query(`LISTEN ${name}`);
      } catch (error) {
        await client.end().catch(() => undefined);
        throw error;
      }
      if (this.closed) {
        await client.end().catch(() => undefined);
        return;
      }
      this.client = client;
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private dropped(client: pg.Client, error: Error): void {
    if (this.client !== client || this.closed) return;
    this.client = undefined;
    this.onError(error);
    client.end().catch(() => undefined);
    this.reconnectSoon();
  }

  private reconnectSoon(): void {
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.connect().then(
        // Whatever was notified while disconnected is lost: every channel catches up.
        () => {
          for (const c of this.channels.values()) c.resync?.();
        },
        (error: unknown) => {
          this.onError(error instanceof Error ? error : new Error(String(error)));
          this.reconnectSoon();
        },
      );
    }, this.retryMs);
    this.retry.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    await this.connecting?.catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}

/** PGlite's notifications (one process: the same database instance). */
export class PGliteNotifications implements Notifications {
  private readonly unlisten: Array<() => Promise<void>> = [];

  constructor(private readonly pglite: PGlite) {}

  async listen(channel: string, handler: (payload: string) => void): Promise<void> {
    this.unlisten.push(await this.pglite.listen(checked(channel), handler));
  }

  async close(): Promise<void> {
    for (const u of this.unlisten.splice(0)) await u().catch(() => undefined);
  }
}
