import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/** One console session as kept in Redis (never the session id itself, never a plain token). */
export interface Session {
  /** Person name at sign-in (the credential is re-checked on every request). */
  person: string;
  /** The token's `sha256:` hash: what the session re-authenticates with. */
  tokenHash: string;
  /** Per-session secret every form and action must carry. */
  csrf: string;
  /** How the person signed in: `token` (pasted an API token) or `demo` (the demo's people). */
  via: 'token' | 'demo';
  createdAt: string;
  /** Absolute end (sessionMaxHours after sign-in); idle expiry is Redis's TTL. */
  expiresAt: string;
}

/** Options of {@link SessionStore}. */
export interface SessionStoreOptions {
  redis: Redis;
  /** Key prefix (config.redis.prefix). */
  prefix: string;
  /** Idle timeout: the key's TTL, renewed on each request. */
  idleMs: number;
  /** Absolute lifetime from sign-in. */
  maxMs: number;
  clock?: () => number;
}

const SID = /^[A-Za-z0-9_-]{43}$/;

/**
 * Console sessions in Redis, so any API replica serves any session and a sign-out or an
 * expiry holds everywhere at once. Keys are the SHA-256 of the session id: a Redis dump
 * holds nothing a browser could present.
 */
export class SessionStore {
  private readonly clock: () => number;
  constructor(private readonly o: SessionStoreOptions) {
    this.clock = o.clock ?? Date.now;
  }

  private key(sid: string): string {
    return `${this.o.prefix}:ui:session:${createHash('sha256').update(sid).digest('hex')}`;
  }

  /** Start a session; returns the id for the cookie (shown to nobody else). */
  async create(s: Omit<Session, 'csrf' | 'createdAt' | 'expiresAt'>): Promise<{ sid: string; session: Session }> {
    const sid = randomBytes(32).toString('base64url');
    const now = this.clock();
    const session: Session = { ...s, csrf: randomBytes(32).toString('base64url'), createdAt: new Date(now).toISOString(), expiresAt: new Date(now + this.o.maxMs).toISOString() };
    await this.o.redis.set(this.key(sid), JSON.stringify(session), 'PX', Math.min(this.o.idleMs, this.o.maxMs));
    return { sid, session };
  }

  /** The live session of an id (renewing its idle timer), or undefined when unknown, idle too long or past its end. */
  async get(sid: string | undefined): Promise<Session | undefined> {
    if (!sid || !SID.test(sid)) return undefined;
    const k = this.key(sid);
    // Read and renew the idle timer in one round trip; a session near its absolute end is shortened below.
    const raw = await this.o.redis.getex(k, 'PX', this.o.idleMs);
    if (!raw) return undefined;
    let s: Session;
    try {
      s = JSON.parse(raw) as Session;
    } catch {
      await this.o.redis.del(k);
      return undefined;
    }
    const left = Date.parse(s.expiresAt) - this.clock();
    if (!(left > 0)) {
      await this.o.redis.del(k);
      return undefined;
    }
    if (left < this.o.idleMs) await this.o.redis.pexpire(k, left);
    return s;
  }

  /** End a session (sign-out, or its credential is gone). */
  async destroy(sid: string | undefined): Promise<void> {
    if (sid && SID.test(sid)) await this.o.redis.del(this.key(sid));
  }
}
