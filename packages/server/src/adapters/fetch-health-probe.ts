import type { HealthProbe } from '../ports/health-probe.js';

/** A GET with a timeout; any 2xx is healthy. */
export class FetchHealthProbe implements HealthProbe {
  constructor(private readonly timeoutMs = 5000) {}

  async check(url: string): Promise<string | undefined> {
    if (!/^https?:\/\//i.test(url)) return `${url} is not an http(s) URL`;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
      await res.body?.cancel().catch(() => undefined);
      return res.status >= 200 && res.status < 300
        ? undefined
        : `GET ${url} answered ${res.status}`;
    } catch (error) {
      return `GET ${url} failed: ${(error as Error).message}`;
    }
  }
}
