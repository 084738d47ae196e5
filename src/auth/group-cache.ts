/** Looks up the members (Slack user IDs) of a Slack user group, e.g. via `usergroups.users.list`. */
export type GroupMembersLookup = (groupId: string) => Promise<string[]>;

/** Options of {@link GroupCache}. */
export interface GroupCacheOptions {
  lookup: GroupMembersLookup;
  /** How long a group's member list is trusted, in ms. Default 300 000 (5 min): membership changes in Slack take effect within this. */
  ttlMs?: number;
  /** Clock in ms since the epoch; injected by tests. Default `Date.now`. */
  clock?: () => number;
  /** Told about lookup failures; the lookup then counts as "no members" (fail closed). */
  onError?: (err: unknown, groupId: string) => void;
  /**
   * How long a failed lookup counts as "no members" before the next try, in ms. Default
   * 30 000: while Slack is down, authentications answer at once (without the group's
   * roles) instead of each waiting for a lookup that fails.
   */
  failureTtlMs?: number;
  /** A lookup that takes longer than this counts as failed, in ms. Default 5000. */
  lookupTimeoutMs?: number;
}

interface Entry {
  members: Set<string>;
  fetchedAt: number;
  /** The lookup failed: trusted only for failureTtlMs. */
  failed?: boolean;
}

/**
 * Caches group member lists with a TTL. Concurrent misses for one group share one lookup,
 * so a burst of Slack commands does not become a burst of Slack API calls. Failures grant
 * nothing and are remembered for failureTtlMs, so a Slack outage costs one lookup per
 * group per failureTtlMs rather than one per authentication.
 */
export class GroupCache {
  readonly #lookup: GroupMembersLookup;
  readonly #ttlMs: number;
  readonly #clock: () => number;
  readonly #onError: (err: unknown, groupId: string) => void;
  readonly #failureTtlMs: number;
  readonly #lookupTimeoutMs: number;
  readonly #entries = new Map<string, Entry>();
  readonly #inflight = new Map<string, Promise<Set<string>>>();

  constructor(opts: GroupCacheOptions) {
    this.#lookup = opts.lookup;
    this.#ttlMs = opts.ttlMs ?? 300_000;
    this.#clock = opts.clock ?? Date.now;
    this.#onError = opts.onError ?? (() => {});
    this.#failureTtlMs = opts.failureTtlMs ?? 30_000;
    this.#lookupTimeoutMs = opts.lookupTimeoutMs ?? 5000;
  }

  /** Members of `groupId` (cached); an empty set when the lookup fails. */
  async members(groupId: string): Promise<Set<string>> {
    const hit = this.#entries.get(groupId);
    if (hit && this.#clock() - hit.fetchedAt < (hit.failed ? this.#failureTtlMs : this.#ttlMs)) return hit.members;
    const pending = this.#inflight.get(groupId);
    if (pending) return pending;
    const p = this.#fetch(groupId).finally(() => this.#inflight.delete(groupId));
    this.#inflight.set(groupId, p);
    return p;
  }

  /** Forget cached members (all groups, or one), e.g. on a Slack `subteam_members_changed` event. */
  invalidate(groupId?: string): void {
    if (groupId === undefined) this.#entries.clear();
    else this.#entries.delete(groupId);
  }

  async #fetch(groupId: string): Promise<Set<string>> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${this.#lookupTimeoutMs} ms`)), this.#lookupTimeoutMs);
      });
      const members = new Set(await Promise.race([this.#lookup(groupId), timeout]));
      this.#entries.set(groupId, { members, fetchedAt: this.#clock() });
      return members;
    } catch (err) {
      this.#onError(err, groupId);
      // Fail closed, and briefly remembered so the next callers don't wait for Slack too.
      const members = new Set<string>();
      this.#entries.set(groupId, { members, fetchedAt: this.#clock(), failed: true });
      return members;
    } finally {
      clearTimeout(timer);
    }
  }
}
