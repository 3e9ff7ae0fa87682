import { ThrottlingError } from '@nucleon/core';
import type { Clock } from '../ports/clock.js';

export interface RateLimiterOptions {
  clock: Clock;
  /** Tokens added per second per principal; 0 turns throttling off. */
  ratePerSecond: number;
  /** Bucket size: how many calls may arrive at once after a quiet spell. */
  burst: number;
  /** Buckets kept in memory; the fullest (idle) ones are forgotten beyond this. */
  maxBuckets?: number;
}

/**
 * Token buckets per principal (access key), in this process's memory: each call takes one token,
 * tokens come back at `ratePerSecond` up to `burst`. Replicas each hold their own buckets.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly maxBuckets: number;

  constructor(private readonly options: RateLimiterOptions) {
    this.maxBuckets = options.maxBuckets ?? 100_000;
  }

  get enabled(): boolean {
    return this.options.ratePerSecond > 0;
  }

  /** Takes a token for `principal`, or throws ThrottlingError saying when to retry. */
  take(principal: string): void {
    if (!this.enabled) return;
    const { ratePerSecond, burst } = this.options;
    const now = this.options.clock.now().getTime();
    const bucket = this.buckets.get(principal) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * ratePerSecond);
    bucket.at = now;
    if (bucket.tokens < 1) {
      this.buckets.set(principal, bucket);
      const waitMs = Math.ceil(((1 - bucket.tokens) / ratePerSecond) * 1000);
      throw new ThrottlingError(
        `Rate exceeded for access key ${principal}: at most ${ratePerSecond} request(s) per second (bursts of ${burst}). Retry after ${waitMs} ms with backoff (the AWS SDKs do), or raise NUCLEON_RATE_LIMIT_RPS / NUCLEON_RATE_LIMIT_BURST.`,
      );
    }
    bucket.tokens -= 1;
    if (!this.buckets.has(principal) && this.buckets.size >= this.maxBuckets) this.forgetIdle(now);
    this.buckets.set(principal, bucket);
  }

  /** Drops buckets that have refilled (they hold no state worth keeping). */
  private forgetIdle(now: number): void {
    const { ratePerSecond, burst } = this.options;
    for (const [k, b] of this.buckets)
      if (b.tokens + ((now - b.at) / 1000) * ratePerSecond >= burst) this.buckets.delete(k);
    if (this.buckets.size >= this.maxBuckets) this.buckets.clear();
  }
}
