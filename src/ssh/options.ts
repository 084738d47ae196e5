/** Minimal structured logger (pino-compatible argument order). */
export interface SshLogger {
  debug(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
}

/** Options of SshPool. Every field is optional; defaults in DEFAULT_POOL_OPTIONS. */
export interface SshPoolOptions {
  /** Close a host's connection after it has run nothing for this long. Default 60 s. */
  idleMs?: number;
  /** One connection attempt (TCP + key exchange + authentication) gives up after this long. Default 10 s. */
  connectTimeoutMs?: number;
  /** Connection attempts before SSH_CONNECT_FAILED (the first included). Default 3. */
  connectAttempts?: number;
  /** Wait before the second attempt; doubles after each failure (±20 % jitter). Default 500 ms. */
  backoffMs?: number;
  /** SSH keepalive interval; a peer that misses 3 in a row is dropped (and reconnected on next use). 0 disables. Default 15 s. */
  keepaliveMs?: number;
  /**
   * Concurrent commands (session channels) on one connection; more wait in a queue.
   * sshd's MaxSessions defaults to 10, so stay below it. Default 8.
   */
  maxChannelsPerConnection?: number;
  /**
   * ssh-agent socket used for hosts with neither identityFile nor agent in the inventory.
   * The entry point passes `process.env.SSH_AUTH_SOCK` here; the library reads no environment.
   */
  agent?: string;
  /** Where connection events go. Default: nowhere. */
  logger?: SshLogger;
}

/** Defaults of SshPoolOptions. */
export const DEFAULT_POOL_OPTIONS = {
  idleMs: 60_000,
  connectTimeoutMs: 10_000,
  connectAttempts: 3,
  backoffMs: 500,
  keepaliveMs: 15_000,
  maxChannelsPerConnection: 8,
} as const;

/** SshPoolOptions with defaults applied. */
export type ResolvedPoolOptions = Required<Omit<SshPoolOptions, 'agent' | 'logger'>> &
  Pick<SshPoolOptions, 'agent'> & { logger: SshLogger };

const silent: SshLogger = { debug() {}, warn() {} };

/** Merge with defaults and check ranges; a bad value is a programming error, so throw at once. */
export function resolvePoolOptions(o: SshPoolOptions = {}): ResolvedPoolOptions {
  const r: ResolvedPoolOptions = {
    idleMs: o.idleMs ?? DEFAULT_POOL_OPTIONS.idleMs,
    connectTimeoutMs: o.connectTimeoutMs ?? DEFAULT_POOL_OPTIONS.connectTimeoutMs,
    connectAttempts: o.connectAttempts ?? DEFAULT_POOL_OPTIONS.connectAttempts,
    backoffMs: o.backoffMs ?? DEFAULT_POOL_OPTIONS.backoffMs,
    keepaliveMs: o.keepaliveMs ?? DEFAULT_POOL_OPTIONS.keepaliveMs,
    maxChannelsPerConnection: o.maxChannelsPerConnection ?? DEFAULT_POOL_OPTIONS.maxChannelsPerConnection,
    agent: o.agent,
    logger: o.logger ?? silent,
  };
  for (const k of ['idleMs', 'connectTimeoutMs', 'backoffMs', 'keepaliveMs'] as const) {
    if (!(r[k] >= 0)) throw new RangeError(`SshPool option ${k} must be >= 0`);
  }
  if (!(r.connectAttempts >= 1)) throw new RangeError('SshPool option connectAttempts must be >= 1');
  if (!(r.maxChannelsPerConnection >= 1)) throw new RangeError('SshPool option maxChannelsPerConnection must be >= 1');
  return r;
}
