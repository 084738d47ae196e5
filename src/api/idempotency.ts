import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { canonicalJson } from '../audit/index.ts';
import { HasfError } from '../errors/index.ts';

/** How long a key is remembered. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;

interface Entry {
  s: 'pending' | 'done';
  h: string;
  job?: string;
}

/** The fingerprint of a request body: same JSON meaning, same hash (key order ignored). */
export function bodyHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/**
 * Idempotency-Key bookkeeping in Redis, per person. A first request claims the key with
 * SET NX (a pending marker), so concurrent duplicates cannot both create a job; the
 * duplicate waits for the first to finish and answers with its job.
 */
export class IdempotencyStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly waitMs = 5000,
  ) {}

  private key(person: string, key: string): string {
    return `${this.prefix}:idem:${person}:${createHash('sha256').update(key).digest('hex')}`;
  }

  /**
   * Claim `key` for a request with body hash `h`: 'new' when this request must do the
   * work, or the job id of the earlier request with the same body. IDEMPOTENCY_CONFLICT
   * when the key was used with another body (or is still being processed after waitMs).
   */
  async begin(person: string, key: string, h: string): Promise<{ kind: 'new' } | { kind: 'done'; jobId: string }> {
    const k = this.key(person, key);
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      const claimed = await this.redis.set(k, JSON.stringify({ s: 'pending', h } satisfies Entry), 'PX', IDEMPOTENCY_TTL_MS, 'NX');
      if (claimed === 'OK') return { kind: 'new' };
      const raw = await this.redis.get(k);
      if (raw === null) continue; // the first request failed and let go of the key
      const e = JSON.parse(raw) as Entry;
      if (e.h !== h) {
        throw new HasfError('IDEMPOTENCY_CONFLICT', 'This Idempotency-Key was already used with a different request body; use a new key for a new request.', { idempotencyKey: key.slice(0, 64) });
      }
      if (e.s === 'done' && e.job) return { kind: 'done', jobId: e.job };
      if (Date.now() > deadline) {
        throw new HasfError('IDEMPOTENCY_CONFLICT', 'A request with this Idempotency-Key is still being processed; retry in a few seconds.', { idempotencyKey: key.slice(0, 64), retryAfterSeconds: 2 });
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Remember the job the key produced. */
  async complete(person: string, key: string, h: string, jobId: string): Promise<void> {
    await this.redis.set(this.key(person, key), JSON.stringify({ s: 'done', h, job: jobId } satisfies Entry), 'PX', IDEMPOTENCY_TTL_MS);
  }

  /** Let go of a key whose request failed, so a retry is processed afresh. */
  async abandon(person: string, key: string): Promise<void> {
    await this.redis.del(this.key(person, key));
  }
}
