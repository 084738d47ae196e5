import { ErrorCode, HasfError } from '../errors/index.ts';
import type { Directory } from './directory.ts';
import type { Person } from './people.ts';
import { can, type Permission } from './roles.ts';
import { hashToken, isTokenFormat } from './token-format.ts';
import type { TokenStore } from './token-store.ts';

/** Where a request came in. */
export type Channel = 'rest' | 'slack' | 'cli' | 'web';

/** An authenticated caller: the person, the identity used, and the door. */
export interface Principal {
  person: Person;
  /** `token:<id>` (Redis token), `token:cfg-<hash prefix>` (declared token), `slack:<userId>` or `cli:<name>`. */
  identity: string;
  channel: Channel;
}

/** Options of {@link Authenticator}. */
export interface AuthenticatorOptions {
  directory: Directory;
  /** Redis tokens; without it only tokens declared in configuration are accepted. */
  tokens?: TokenStore;
}

const unauthenticated = (message: string, details: Record<string, unknown> = {}) =>
  new HasfError(ErrorCode.UNAUTHENTICATED, message, details);

/**
 * Maps every caller to a person, and checks permissions. Every door calls `from…` and
 * then `require` before doing anything else.
 */
export class Authenticator {
  readonly #directory: Directory;
  readonly #tokens: TokenStore | undefined;

  constructor(opts: AuthenticatorOptions) {
    this.#directory = opts.directory;
    this.#tokens = opts.tokens;
  }

  /** The principal behind an `Authorization: Bearer hasf_…` header; throws UNAUTHENTICATED. */
  async fromBearer(authorizationHeader?: string): Promise<Principal> {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorizationHeader ?? '');
    if (!m)
      throw unauthenticated(
        'No API token was sent; send the header "Authorization: Bearer hasf_…" with a token from `hasf token create`.',
      );
    const token = m[1]!;
    if (!isTokenFormat(token))
      throw unauthenticated(
        'The API token is malformed; HASF tokens look like hasf_ followed by 43 characters.',
      );
    return this.fromTokenHash(hashToken(token), 'rest');
  }

  /**
   * The principal behind a token known by its `sha256:` hash, through `channel`: the web
   * console keeps only the hash in its session and asks again on every request, so a
   * revoked or expired token ends the session at once. Throws UNAUTHENTICATED.
   */
  async fromTokenHash(hash: string, channel: Channel): Promise<Principal> {
    const declared = await this.#directory.byTokenHash(hash);
    if (declared)
      return { person: declared, identity: `token:cfg-${hash.slice(7, 23)}`, channel };
    const found = await this.#tokens?.resolveHash(hash);
    if (!found)
      throw unauthenticated(
        'The API token is unknown, expired or revoked; ask an admin for a new one.',
      );
    const person = await this.#directory.byName(found.personName);
    // A token outlives nothing: once its person leaves the configuration, it stops working.
    if (!person)
      throw unauthenticated(
        'The API token belongs to a person who is no longer configured; ask an admin for a new one.',
        { tokenId: found.tokenId },
      );
    return { person, identity: `token:${found.tokenId}`, channel };
  }

  /** The principal behind a Slack user ID; throws UNAUTHENTICATED for users HASF does not know. */
  async fromSlack(userId: string): Promise<Principal> {
    const person = await this.#directory.bySlackUser(userId);
    if (!person)
      throw unauthenticated(
        'Your Slack user is not known to HASF Ops; ask an admin to add you to the people configuration or a mapped user group.',
        { slackUserId: userId },
      );
    return { person, identity: `slack:${userId}`, channel: 'slack' };
  }

  /** The principal for a local CLI user acting as a configured person (the CLI authenticates by host access). */
  async fromCli(personName: string): Promise<Principal> {
    const person = await this.#directory.byName(personName);
    if (!person)
      throw unauthenticated(
        `No person named "${personName}" is configured; pass a configured name with --as.`,
        { personName },
      );
    return { person, identity: `cli:${personName}`, channel: 'cli' };
  }

  /** Throws FORBIDDEN unless the principal has `permission`. */
  require(principal: Principal, permission: Permission): void {
    requirePermission(principal, permission);
  }
}

/** Throws FORBIDDEN unless the principal's person has `permission` (same as `Authenticator#require`). */
export function requirePermission(principal: Principal, permission: Permission): void {
  if (!can(principal.person, permission)) {
    throw new HasfError(
      ErrorCode.FORBIDDEN,
      `${principal.person.displayName} lacks the "${permission}" permission (roles: ${principal.person.roles.join(', ') || 'none'}); ask an admin for a role that grants it.`,
      { person: principal.person.name, permission, roles: principal.person.roles },
    );
  }
}
