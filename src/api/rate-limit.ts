import type { Redis } from 'ioredis';
import { HasfError } from '../errors/index.ts';

// Count a hit and start the window's expiry on the first one, in one round trip.
const HIT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
`;

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
    // One command per request (a transaction would be four): count, and set the expiry on the first hit.
    const count = Number(await this.redis.eval(HIT, 1, key, '61000'));
    if (count > this.perMinute) {
      const retryAfterSeconds = Math.max(1, Math.ceil(((window + 1) * 60_000 - now) / 1000));
      throw new HasfError('RATE_LIMITED', `More than ${this.perMinute} requests this minute with this token; wait ${retryAfterSeconds} s and retry.`, {
        limit: this.perMinute,
        retryAfterSeconds,
      });
    }
  }
}
