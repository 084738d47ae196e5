import type { Redis } from 'ioredis';
import { HasfError } from '../errors/index.ts';

/**
 * Requests per minute per token, counted in Redis so every API replica shares the
 * count: a fixed one-minute window per identity (INCR, expiry set on first use).
 */
export class RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** Requests allowed per identity per minute. */
    private readonly perMinute: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Count one request of `identity`; throws RATE_LIMITED (with retryAfterSeconds) beyond the limit. */
  async hit(identity: string): Promise<void> {
    const now = this.clock();
    const window = Math.floor(now / 60_000);
    const key = `${this.prefix}:ratelimit:${identity}:${window}`;
    const res = await this.redis.multi().incr(key).pexpire(key, 61_000, 'NX').exec();
    const count = Number(res?.[0]?.[1] ?? 0);
    if (count > this.perMinute) {
      const retryAfterSeconds = Math.max(1, Math.ceil(((window + 1) * 60_000 - now) / 1000));
      throw new HasfError('RATE_LIMITED', `More than ${this.perMinute} requests this minute with this token; wait ${retryAfterSeconds} s and retry.`, {
        limit: this.perMinute,
        retryAfterSeconds,
      });
    }
  }
}
