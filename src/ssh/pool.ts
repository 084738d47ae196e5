import { HasfError } from '../errors/index.ts';
import { HostConnection, type PoolCounters } from './host-connection.ts';
import { resolvePoolOptions, type ResolvedPoolOptions, type SshPoolOptions } from './options.ts';
import type { CommandExecutor, CommandResult, HostSpec, RunOptions } from './types.ts';

/** Everything that decides which connection a host gets: a different pin or key must not reuse a connection verified under another. */
function poolKey(h: HostSpec): string {
  return JSON.stringify([
    h.name, h.host, h.port ?? 22, h.user ?? 'root',
    [...(h.hostKeys ?? [])].sort(), h.knownHostsFile ?? null, h.identityFile ?? null, h.agent ?? null,
  ]);
}

/**
 * SSH connections for a whole process: one pooled connection per host, reused by every
 * command and job, opened lazily, closed when idle, reopened after a drop.
 *
 * @example
 *   const pool = new SshPool({ idleMs: 30_000 });
 *   const node1 = pool.executor(inventoryHost);
 *   const r = await node1.run(['crm_mon', '--output-as=xml']);
 *   await pool.close();
 */
export class SshPool {
  private readonly o: ResolvedPoolOptions;
  private readonly hosts = new Map<string, HostConnection>();
  private readonly counters: PoolCounters = { connects: 0, open: 0 };
  private closed = false;

  constructor(options: SshPoolOptions = {}) {
    this.o = resolvePoolOptions(options);
  }

  /** A CommandExecutor for one host; cheap to call, all executors of a host share its connection. */
  executor(host: HostSpec): CommandExecutor {
    return new SshExecutor(host, this);
  }

  /**
   * Run one argv on a host. Non-zero exits are results; errors: HOST_KEY_MISMATCH,
   * SSH_AUTH_FAILED, CONFIG_INVALID, SSH_CONNECT_FAILED (after connectAttempts tries),
   * COMMAND_TIMEOUT, COMMAND_OUTCOME_UNKNOWN (the connection dropped after the command
   * was sent), COMMAND_ABORTED (`options.signal`), INVALID_INPUT.
   */
  run(host: HostSpec, argv: string[], options?: RunOptions): Promise<CommandResult> {
    return this.slot(host).run(argv, options);
  }

  /** Close every connection; later commands fail with SSH_CONNECT_FAILED. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.hosts.values()].map((h) => h.close()));
  }

  /** Successful connects so far and connections open now: proves reuse in tests and benches. */
  stats(): { connects: number; open: number; active: number; queued: number } {
    let active = 0;
    let queued = 0;
    for (const h of this.hosts.values()) {
      active += h.load.active;
      queued += h.load.queued;
    }
    return { connects: this.counters.connects, open: this.counters.open, active, queued };
  }

  private slot(host: HostSpec): HostConnection {
    const key = poolKey(host);
    let h = this.hosts.get(key);
    if (!h) {
      h = new HostConnection(host, this.o, this.counters);
      if (this.closed) void h.close(); // a closed pool hands out closed slots, which refuse to run
      this.hosts.set(key, h);
    }
    return h;
  }
}

/** The CommandExecutor face of one host in a pool. */
export class SshExecutor implements CommandExecutor {
  readonly name: string;
  constructor(
    readonly host: HostSpec,
    private readonly pool: SshPool,
  ) {
    this.name = host.name;
  }

  /** Run an argv on the host (quoted for its POSIX shell; see SshPool.run). */
  run(argv: string[], options?: RunOptions): Promise<CommandResult> {
    if (options?.avoidHosts?.includes(this.name)) {
      return Promise.reject(
        new HasfError('NO_REACHABLE_NODE', `${argv[0]} must not run on ${this.name}, and no other host was given to run it.`, { host: this.name, argv, avoided: options.avoidHosts }),
      );
    }
    return this.pool.run(this.host, argv, options);
  }
}
