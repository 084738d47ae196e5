import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { MAX_SKEW_SECONDS } from './verify-signature.ts';

/** Answers whether a verified request is seen for the first time (true) or is a replay (false). */
export type ReplayGuard = (signature: string) => Promise<boolean>;

/**
 * Remembers every verified Slack signature in Redis for as long as its timestamp is
 * accepted (5 minutes either way, plus a minute), so the same signed request is handled
 * once, whichever API replica gets it again. SET NX is atomic: two replicas getting the
 * same request at once handle it once between them.
 *
 * @example new HttpReceiver({ signingSecret, replayGuard: redisReplayGuard(redis, 'hasf') })
 */
export function redisReplayGuard(redis: Redis, prefix: string): ReplayGuard {
  const ttlMs = (2 * MAX_SKEW_SECONDS + 60) * 1000;
  return async (signature) => {
    const id = createHash('sha256').update(signature).digest('hex').slice(0, 32);
    return (await redis.set(`${prefix}:slack:seen:${id}`, '1', 'PX', ttlMs, 'NX')) === 'OK';
  };
}
