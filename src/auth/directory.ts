import { GroupCache, type GroupMembersLookup } from './group-cache.ts';
import type { Person, PersonConfig, SlackUserGroupConfig } from './people.ts';
import type { Role } from './roles.ts';

/** Options of {@link Directory}. */
export interface DirectoryOptions {
  /** Configured people (parsed by `peopleSchema`). */
  people: readonly PersonConfig[];
  /** Slack user groups that grant roles. */
  slackUserGroups?: readonly SlackUserGroupConfig[];
  /**
   * More group IDs whose membership matters although they grant no role: the ones named
   * in approval policies (`policyGroups()` from approvals), so `decide()` can see them.
   */
  watchGroups?: readonly string[];
  /** Member lookup for Slack user groups. Without it, groups grant nothing. */
  groupMembers?: GroupMembersLookup;
  /** TTL of cached group member lists, ms. Default 300 000. */
  groupCacheMs?: number;
  /** How long a failed group lookup counts as "no members", ms. Default 30 000. */
  groupFailureMs?: number;
  /** A group lookup slower than this counts as failed, ms. Default 5000. */
  groupLookupTimeoutMs?: number;
  /** Clock for the group cache; injected by tests. */
  clock?: () => number;
  /** Told when a group lookup fails (the group then counts as empty). */
  onGroupError?: (err: unknown, groupId: string) => void;
}

/**
 * Who is who: maps names, Slack users and declared token hashes to people, with the
 * roles Slack user groups add. Read-only; built from configuration at start-up.
 */
export class Directory {
  readonly #byName = new Map<string, PersonConfig>();
  readonly #bySlack = new Map<string, PersonConfig>();
  readonly #byTokenHash = new Map<string, PersonConfig>();
  readonly #groups: readonly SlackUserGroupConfig[];
  readonly #groupIds: string[];
  readonly #cache: GroupCache | undefined;

  constructor(opts: DirectoryOptions) {
    for (const p of opts.people) {
      this.#byName.set(p.name, p);
      for (const u of p.slackUserIds) this.#bySlack.set(u, p);
      for (const h of p.tokenHashes) this.#byTokenHash.set(h, p);
    }
    this.#groups = opts.slackUserGroups ?? [];
    this.#groupIds = [...new Set([...this.#groups.map((g) => g.id), ...(opts.watchGroups ?? [])])];
    this.#cache = opts.groupMembers
      ? new GroupCache({
          lookup: opts.groupMembers,
          ttlMs: opts.groupCacheMs,
          failureTtlMs: opts.groupFailureMs,
          lookupTimeoutMs: opts.groupLookupTimeoutMs,
          clock: opts.clock,
          onError: opts.onGroupError,
        })
      : undefined;
  }

  /** The configured person of that name, with group-granted roles; undefined if unknown. */
  async byName(name: string): Promise<Person | undefined> {
    const p = this.#byName.get(name);
    return p ? this.#resolve(p) : undefined;
  }

  /**
   * The person behind a Slack user: a configured person, or, for a user only known
   * through a role-granting group, a person named `slack:<userId>`. Undefined if neither.
   */
  async bySlackUser(userId: string): Promise<Person | undefined> {
    const p = this.#bySlack.get(userId);
    if (p) return this.#resolve(p);
    const groups = await this.#groupsOf([userId]);
    const roles = this.#rolesOf(groups);
    if (roles.length === 0) return undefined;
    return {
      name: `slack:${userId}`,
      displayName: userId,
      roles,
      slackUserIds: [userId],
      slackGroups: groups,
    };
  }

  /** The configured person who declared this `sha256:<hex>` token hash, if any. */
  async byTokenHash(hash: string): Promise<Person | undefined> {
    const p = this.#byTokenHash.get(hash);
    return p ? this.#resolve(p) : undefined;
  }

  /** Every configured person as configured (no group lookups), e.g. for listings. */
  all(): PersonConfig[] {
    return [...this.#byName.values()];
  }

  /** Drop cached group memberships (one group or all). */
  invalidateGroups(groupId?: string): void {
    this.#cache?.invalidate(groupId);
  }

  async #resolve(p: PersonConfig): Promise<Person> {
    const groups = await this.#groupsOf(p.slackUserIds);
    const roles = [...new Set<Role>([...p.roles, ...this.#rolesOf(groups)])];
    return {
      name: p.name,
      displayName: p.displayName ?? p.name,
      roles,
      slackUserIds: [...p.slackUserIds],
      slackGroups: groups,
    };
  }

  async #groupsOf(userIds: readonly string[]): Promise<string[]> {
    if (!this.#cache || userIds.length === 0) return [];
    const cache = this.#cache;
    const hits = await Promise.all(
      this.#groupIds.map(async (id) => {
        const members = await cache.members(id);
        return userIds.some((u) => members.has(u)) ? id : undefined;
      }),
    );
    return hits.filter((id): id is string => id !== undefined);
  }

  #rolesOf(groupIds: readonly string[]): Role[] {
    const set = new Set(groupIds);
    return [...new Set(this.#groups.filter((g) => set.has(g.id)).flatMap((g) => g.roles))];
  }
}
