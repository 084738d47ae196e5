import type { Client } from 'ssh2';
import { HasfError, isHasfError } from '../errors/index.ts';
import { connectError, connectOnce, describeHost } from './connection.ts';
import type { ResolvedPoolOptions } from './options.ts';
import { buildCommandLine } from './quote.ts';
import { withBackoff } from './retry.ts';
import { abortedError, NOT_STARTED, runOnClient } from './run-command.ts';
import type { CommandResult, HostSpec, RunOptions } from './types.ts';

/** Counters shared by all hosts of one pool. */
export interface PoolCounters {
  connects: number;
  open: number;
}

/**
 * The pooled connection to one host: at most one live SSH connection, opened on first
 * use (with retries), shared by every command, limited to `maxChannelsPerConnection`
 * concurrent channels (the rest queue), closed when idle and reopened on next use.
 */
export class HostConnection {
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private active = 0;
  private readonly waiters: (() => void)[] = [];
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly abort = new AbortController();
  /** Connections whose 'close' has fired, so end() need not wait for it. */
  private readonly gone = new WeakSet<Client>();

  constructor(
    readonly host: HostSpec,
    private readonly o: ResolvedPoolOptions,
    private readonly counters: PoolCounters,
  ) {}

  /** Commands running plus waiting for a channel. */
  get load(): { active: number; queued: number } {
    return { active: this.active, queued: this.waiters.length };
  }

  /** Run one argv; see SshPool for the contract. */
  async run(argv: string[], options: RunOptions = {}): Promise<CommandResult> {
    const line = this.commandLine(argv, options);
    const signal = options.signal;
    // Stopped before it got a channel or a connection: it never started.
    const notStarted = () => abortedError(this.host, argv, signal!, false);
    if (signal?.aborted) throw notStarted();
    await this.acquire(signal, notStarted);
    try {
      // A channel that failed to open on a connection that turned out dead never ran
      // anything, so one more try on a fresh connection is safe.
      for (let attempt = 1; ; attempt++) {
        const client = await untilAborted(this.connection(), signal, notStarted);
        try {
          return await runOnClient(client, this.host, argv, line, options, () => this.drop(client, 'channel hung'));
        } catch (e) {
          const notStarted = (e as Record<symbol, unknown>)[NOT_STARTED];
          if (notStarted === 'connection') this.drop(client, 'channel open failed');
          if (notStarted === 'connection' && attempt === 1 && !this.closed) continue;
          // sshd refused the channel on a live connection: its session slots free a moment
          // after a command ends (MaxSessions). Nothing ran, so wait a little and try again.
          if (notStarted === 'refused' && attempt <= 5 && !this.closed) {
            await new Promise((r) => setTimeout(r, 20 * attempt));
            continue;
          }
          throw e;
        }
      }
    } finally {
      this.release();
    }
  }

  /** Close the connection now and refuse further commands. */
  async close(): Promise<void> {
    this.closed = true;
    this.abort.abort();
    clearTimeout(this.idleTimer);
    const c = this.client ?? (await this.connecting?.catch(() => undefined));
    if (c) await this.end(c);
  }

  private commandLine(argv: string[], options: RunOptions): string {
    try {
      return buildCommandLine(argv, options.env ?? {}, { exec: true });
    } catch (e) {
      throw new HasfError('INVALID_INPUT', `Cannot build a command for ${this.host.name}: ${(e as Error).message}.`, {
        host: this.host.name,
        argv,
      });
    }
  }

  private acquire(signal: AbortSignal | undefined, aborted: () => Error): Promise<void> {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.active < this.o.maxChannelsPerConnection) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const take = () => {
        signal?.removeEventListener('abort', leave);
        resolve();
      };
      // Stopped while waiting for a channel: give up the place in the queue, not a slot.
      const leave = () => {
        const i = this.waiters.indexOf(take);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(aborted());
      };
      signal?.addEventListener('abort', leave, { once: true });
      this.waiters.push(take);
    });
  }

  private release(): void {
    const next = this.waiters.shift();
    if (next) return next(); // the slot passes on; active stays the same
    this.active--;
    if (this.active === 0 && this.client && !this.closed) {
      const c = this.client;
      this.idleTimer = setTimeout(() => {
        this.o.logger.debug({ host: this.host.name }, 'closing idle SSH connection');
        this.drop(c, 'idle');
      }, this.o.idleMs);
      this.idleTimer.unref();
    }
  }

  private connection(): Promise<Client> {
    if (this.closed) return Promise.reject(connectError(this.host, 'the SSH pool is closed'));
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.connectWithRetry().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async connectWithRetry(): Promise<Client> {
    const o = this.o;
    let tries = 0;
    const client = await withBackoff(
      (attempt) => {
        tries = attempt;
        return connectOnce(this.host, o);
      },
      {
        attempts: o.connectAttempts,
        backoffMs: o.backoffMs,
        signal: this.abort.signal,
        retryable: (e) => isHasfError(e, 'SSH_CONNECT_FAILED'),
        onRetry: (e, attempt, delayMs) =>
          o.logger.warn({ host: this.host.name, attempt, delayMs, err: (e as Error).message }, 'SSH connect failed, retrying'),
      },
    ).catch((e: unknown) => {
      if (isHasfError(e, 'SSH_CONNECT_FAILED')) {
        const reason = String(e.details.reason ?? e.message);
        throw connectError(this.host, `${reason}; gave up after ${tries} attempt(s)`, e, { attempts: tries });
      }
      throw e;
    });
    if (this.closed) {
      await this.end(client);
      throw connectError(this.host, 'the SSH pool is closed');
    }
    this.counters.connects++;
    this.counters.open++;
    this.client = client;
    o.logger.debug({ host: this.host.name }, `SSH connected to ${describeHost(this.host)}`);
    client.on('error', (e: Error) => o.logger.warn({ host: this.host.name, err: e.message }, 'SSH connection error'));
    client.once('close', () => {
      this.gone.add(client);
      this.counters.open--;
      if (this.client === client) this.client = undefined;
      o.logger.debug({ host: this.host.name }, 'SSH connection closed');
    });
    return client;
  }

  /** Forget a connection (so the next command opens a fresh one) and end it. */
  private drop(client: Client, why: string): void {
    if (this.client === client) this.client = undefined;
    this.o.logger.debug({ host: this.host.name, why }, 'dropping SSH connection');
    void this.end(client);
  }

  private end(client: Client): Promise<void> {
    if (this.gone.has(client)) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => (client.destroy(), resolve()), 1_000);
      client.once('close', () => (clearTimeout(t), resolve()));
      client.end();
    });
  }
}

/** `p`, unless `signal` fires first (then `aborted()`); `p` itself carries on for others. */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal | undefined, aborted: () => Error): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(aborted());
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(aborted());
    signal.addEventListener('abort', stop, { once: true });
    p.then(
      (v) => (signal.removeEventListener('abort', stop), resolve(v)),
      (e: unknown) => (signal.removeEventListener('abort', stop), reject(e)),
    );
  });
}
