import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ErrorCode, HasfError, isHasfError } from '../errors/index.ts';
import { generateToken, hashToken, isTokenFormat } from './token-format.ts';

/** Options of {@link TokenStore}. */
export interface TokenStoreOptions {
  /** An ioredis connection (standalone, Sentinel or Cluster-compatible: all keys share one hash slot). */
  redis: Redis;
  /** Key prefix. Default `hasf:`; keys are `<prefix>{tokens}:…`. */
  prefix?: string;
  /** Clock in ms since the epoch; injected by tests. Default `Date.now`. Expiry is judged by it. */
  clock?: () => number;
}

/** Who minted a token, and with which credential. */
export interface TokenMinter {
  /** Person name of the creator. */
  person: string;
  /** The creator's identity when minting (`token:…`, `slack:…`). */
  identity: string;
  /** Whether the creator's own credential was personal (see {@link ResolvedToken.personal}). */
  personal: boolean;
}

/** What is known about a stored token (never the token itself). */
export interface TokenInfo {
  id: string;
  personName: string;
  label?: string;
  createdAt: string;
  expiresAt?: string;
  /** Person who minted it (absent for tokens minted before provenance was recorded). */
  createdBy?: string;
  /** True when its person minted it for themselves with a personal credential. */
  personal: boolean;
}

/** The one-time answer of {@link TokenStore.create}: the only time the plain token exists. */
export interface CreatedToken {
  token: string;
  id: string;
  expiresAt?: string;
}

/** Who a presented token belongs to, and where it came from. */
export interface ResolvedToken {
  personName: string;
  tokenId: string;
  /** Person who minted it; undefined for tokens minted before this was recorded. */
  createdBy?: string;
  /** The identity the minter used. */
  createdWith?: string;
  /**
   * True only when the token's person minted it for themselves, with a credential that was
   * itself personal. A token someone else minted (an admin for a ticketing system, …) is
   * delegated: it may request and read, but its decisions don't count as that person's.
   */
  personal: boolean;
}

// Redis garbage-collects expired tokens a while after the store's own clock says they
// expired, so the store's check (not Redis) decides and clock skew can't extend a token.
const GC_GRACE_MS = 60_000;

/**
 * API tokens in Redis, stored only as SHA-256 hashes. `create` hands out the plain token
 * once; `resolve` maps a presented token to its person; tokens can expire and be revoked.
 */
export class TokenStore {
  readonly #redis: Redis;
  readonly #k: string;
  readonly #clock: () => number;

  constructor(opts: TokenStoreOptions) {
    this.#redis = opts.redis;
    // The hash tag keeps every token key in one slot, so MULTI works on Redis Cluster.
    this.#k = `${opts.prefix ?? 'hasf:'}{tokens}:`;
    this.#clock = opts.clock ?? Date.now;
  }

  /**
   * Create a token for `personName`; the returned `token` is shown to the user once and
   * never stored. `createdBy` records who minted it; without it the token is delegated
   * (not personal): its approvals never count.
   */
  async create(
    personName: string,
    opts: { ttlMs?: number; label?: string; createdBy?: TokenMinter } = {},
  ): Promise<CreatedToken> {
    if (opts.ttlMs !== undefined && !(Number.isFinite(opts.ttlMs) && opts.ttlMs > 0)) {
      throw new HasfError(
        ErrorCode.INVALID_INPUT,
        'A token lifetime must be a positive number of milliseconds; omit it for a token that does not expire.',
        { ttlMs: opts.ttlMs },
      );
    }
    const token = generateToken();
    const id = `tok_${randomBytes(8).toString('hex')}`;
    const hash = hashToken(token);
    const now = this.#clock();
    const info: Record<string, string> = {
      person: personName,
      hash,
      createdAt: new Date(now).toISOString(),
    };
    if (opts.label) info.label = opts.label;
    const by = opts.createdBy;
    if (by) {
      info.createdBy = by.person;
      info.createdWith = by.identity;
    }
    // Personal: minted by its own person, with a personal credential (provenance is inherited).
    info.personal = by && by.person === personName && by.personal ? '1' : '0';
    let expiresAt: string | undefined;
    if (opts.ttlMs !== undefined)
      info.expiresAt = expiresAt = new Date(now + opts.ttlMs).toISOString();
    const tx = this.#redis
      .multi()
      .hset(this.#idKey(id), info)
      .set(this.#hashKey(hash), id)
      .sadd(this.#k + 'ids', id);
    if (opts.ttlMs !== undefined) {
      const gc = Math.ceil(opts.ttlMs + GC_GRACE_MS);
      tx.pexpire(this.#idKey(id), gc).pexpire(this.#hashKey(hash), gc);
    }
    await this.#run(async () => {
      const failed = (await tx.exec())?.find(([err]) => err);
      if (failed) throw failed[0];
    });
    return expiresAt ? { token, id, expiresAt } : { token, id };
  }

  /** The person a presented token belongs to; undefined when unknown, revoked, expired or malformed. */
  async resolve(token: string): Promise<ResolvedToken | undefined> {
    if (!isTokenFormat(token)) return undefined;
    return this.resolveHash(hashToken(token));
  }

  /** The same by the token's `sha256:` hash (a console session keeps only the hash and re-checks it). */
  async resolveHash(hash: string): Promise<ResolvedToken | undefined> {
    if (!/^sha256:[0-9a-f]{64}$/.test(hash)) return undefined;
    return this.#run(async () => {
      const id = await this.#redis.get(this.#hashKey(hash));
      if (!id) return undefined;
      const info = await this.#redis.hgetall(this.#idKey(id));
      if (info.hash !== hash || !info.person) return undefined;
      if (info.expiresAt && Date.parse(info.expiresAt) <= this.#clock()) return undefined;
      return {
        personName: info.person,
        tokenId: id,
        ...(info.createdBy ? { createdBy: info.createdBy } : {}),
        ...(info.createdWith ? { createdWith: info.createdWith } : {}),
        personal: info.personal === '1',
      };
    });
  }

  /** Revoke a token by id; true when it existed. Takes effect at once for every replica. */
  async revoke(id: string): Promise<boolean> {
    return this.#run(async () => {
      const hash = await this.#redis.hget(this.#idKey(id), 'hash');
      const tx = this.#redis
        .multi()
        .del(this.#idKey(id))
        .srem(this.#k + 'ids', id);
      if (hash) tx.del(this.#hashKey(hash));
      const res = await tx.exec();
      return Number(res?.[0]?.[1] ?? 0) > 0;
    });
  }

  /** Revoke every token of a person (e.g. when they leave); returns how many. */
  async revokeAll(personName: string): Promise<number> {
    let n = 0;
    for (const t of await this.list(personName)) if (await this.revoke(t.id)) n++;
    return n;
  }

  /** Live tokens, of one person or all, oldest first; expired ones are left out (and swept). */
  async list(personName?: string): Promise<TokenInfo[]> {
    return this.#run(async () => {
      const ids = await this.#redis.smembers(this.#k + 'ids');
      const pipe = this.#redis.pipeline();
      for (const id of ids) pipe.hgetall(this.#idKey(id));
      const rows = (await pipe.exec()) ?? [];
      const now = this.#clock();
      const out: TokenInfo[] = [];
      const gone: string[] = [];
      ids.forEach((id, i) => {
        const info = (rows[i]?.[1] ?? {}) as Record<string, string>;
        if (!info.person) return void gone.push(id);
        if (info.expiresAt && Date.parse(info.expiresAt) <= now) return;
        if (personName !== undefined && info.person !== personName) return;
        out.push({
          id,
          personName: info.person,
          createdAt: info.createdAt ?? '',
          ...(info.label ? { label: info.label } : {}),
          ...(info.expiresAt ? { expiresAt: info.expiresAt } : {}),
          ...(info.createdBy ? { createdBy: info.createdBy } : {}),
          personal: info.personal === '1',
        });
      });
      if (gone.length) await this.#redis.srem(this.#k + 'ids', ...gone);
      return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    });
  }

  #idKey(id: string): string {
    return `${this.#k}id:${id}`;
  }

  #hashKey(hash: string): string {
    return `${this.#k}hash:${hash.slice('sha256:'.length)}`;
  }

  // Redis failures surface as REDIS_UNAVAILABLE so callers answer 503, not 500 or "unauthenticated".
  async #run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isHasfError(err)) throw err;
      throw new HasfError(
        ErrorCode.REDIS_UNAVAILABLE,
        'The token store in Redis did not answer; check that Redis is running and reachable, then retry.',
        {},
        { cause: err },
      );
    }
  }
}
