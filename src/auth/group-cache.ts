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
}

interface Entry {
  members: Set<string>;
  fetchedAt: number;
}

/**
 * Caches group member lists with a TTL. Concurrent misses for one group share one lookup,
 * so a burst of Slack commands does not become a burst of Slack API calls. Failures are
 * not cached (the next call retries) and grant nothing.
 */
export class GroupCache {
  readonly #lookup: GroupMembersLookup;
  readonly #ttlMs: number;
  readonly #clock: () => number;
  readonly #onError: (err: unknown, groupId: string) => void;
  readonly #entries = new Map<string, Entry>();
  readonly #inflight = new Map<string, Promise<Set<string>>>();

  constructor(opts: GroupCacheOptions) {
    this.#lookup = opts.lookup;
    this.#ttlMs = opts.ttlMs ?? 300_000;
    this.#clock = opts.clock ?? Date.now;
    this.#onError = opts.onError ?? (() => {});
  }

  /** Members of `groupId` (cached); an empty set when the lookup fails. */
  async members(groupId: string): Promise<Set<string>> {
    const hit = this.#entries.get(groupId);
    if (hit && this.#clock() - hit.fetchedAt < this.#ttlMs) return hit.members;
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
    try {
      const members = new Set(await this.#lookup(groupId));
      this.#entries.set(groupId, { members, fetchedAt: this.#clock() });
      return members;
    } catch (err) {
      this.#onError(err, groupId);
      return new Set();
    }
  }
}
