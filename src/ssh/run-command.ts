import { constants } from 'node:os';
import type { Client, ClientChannel } from 'ssh2';
import { HasfError } from '../errors/index.ts';
import { connectError } from './connection.ts';
import { PidMarker } from './pid-marker.ts';
import type { CommandResult, HostSpec, RunOptions } from './types.ts';

/** Default per-command timeout (RunOptions.timeoutMs). */
export const DEFAULT_TIMEOUT_MS = 60_000;
/** Default output cap per stream (RunOptions.maxOutputBytes). */
export const DEFAULT_MAX_OUTPUT = 4 * 1024 * 1024;
/** After a timeout kill, how long to wait for sshd to close the channel before giving up on the connection. */
const CLOSE_GRACE_MS = 2_000;

/** Marks a failure that happened before the command could start: safe to try again elsewhere. */
export const NOT_STARTED = Symbol('ssh.notStarted');

/** Collects one output stream up to a cap, keeping the prefix. */
class CappedBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;
  constructor(private readonly cap: number) {}
  push(b: Buffer): void {
    const room = this.cap - this.size;
    if (b.length > room) {
      this.truncated = true;
      if (room > 0) this.chunks.push(b.subarray(0, room));
      this.size = this.cap;
      return;
    }
    this.chunks.push(b);
    this.size += b.length;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** Exit code for a command killed by a signal, as a shell reports it (128 + signal number). */
function signalExitCode(signal: string | undefined): number {
  // ssh2 reports `SIGTERM`; the wire (RFC 4254) says `TERM`: accept both.
  const name = signal?.startsWith('SIG') ? signal : `SIG${signal}`;
  const n = signal ? (constants.signals as Record<string, number>)[name] : undefined;
  return 128 + (n ?? 0);
}

/**
 * Ask sshd to SIGKILL a timed-out command with a `signal` request (sshd does killpg).
 * sshd refuses it for root logins and old sshd ignore it, hence also sendKill with the
 * PID from PidMarker. ssh2's `channel.signal()` silently does nothing after we sent EOF,
 * which we always do, so the request goes through the protocol object.
 */
function killRemote(channel: ClientChannel): void {
  const ch = channel as unknown as {
    outgoing?: { id: number; state: string };
    _client?: { _protocol?: { signal(id: number, name: string): void } };
  };
  try {
    const state = ch.outgoing?.state;
    if ((state === 'open' || state === 'eof') && ch._client?._protocol) ch._client._protocol.signal(ch.outgoing!.id, 'KILL');
  } catch {
    // the channel or connection is already closing
  }
}

/** `kill` over a fresh channel; when sshd refuses the channel (MaxSessions full of other timed-out commands), try again shortly. */
function sendKill(client: Client, pid: number, triesLeft: number): void {
  try {
    client.exec(`kill -s KILL -- -${pid} 2>/dev/null || kill -s KILL ${pid}`, (e, killer) => {
      if (e) {
        const refused = (e as { reason?: unknown }).reason !== undefined;
        if (refused && triesLeft > 1) setTimeout(() => sendKill(client, pid, triesLeft - 1), 150).unref();
        return; // otherwise the connection is going; the grace timer handles it
      }
      killer.on('data', () => {});
      killer.stderr.on('data', () => {});
      killer.end();
    });
  } catch {
    // not connected any more
  }
}

/** The command was sent but its connection died before it reported back: it may have run. */
export function outcomeUnknown(host: HostSpec, argv: string[], what: string, cause?: unknown): HasfError {
  return new HasfError(
    'COMMAND_OUTCOME_UNKNOWN',
    `${argv[0]} was sent to ${host.name}, but ${what}; it may or may not have run, so it is not repeated elsewhere: check the state it was meant to change.`,
    { host: host.name, argv, mayHaveRun: true },
    cause === undefined ? undefined : { cause },
  );
}

/** The command was stopped on request (RunOptions.signal) before it finished, or before it started. */
export function abortedError(host: HostSpec, argv: string[], signal: AbortSignal, started: boolean): HasfError {
  const why = signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? 'stopped');
  return new HasfError(
    'COMMAND_ABORTED',
    started ? `${argv[0]} on ${host.name} was stopped (its processes killed): ${why}` : `${argv[0]} was not started on ${host.name}: ${why}`,
    { host: host.name, argv, started },
  );
}

/**
 * Run one prepared command line on an open connection. Resolves with the result (any
 * exit code); rejects with COMMAND_TIMEOUT (the remote command was sent SIGKILL and its
 * channel closed), COMMAND_ABORTED (`options.signal` fired: killed the same way, or
 * never sent), SSH_CONNECT_FAILED (channel could not open: tagged NOT_STARTED) or
 * COMMAND_OUTCOME_UNKNOWN (the connection dropped after the command was sent). `onHung`
 * is called when sshd does not even close a killed channel, so the caller can drop the
 * connection.
 */
export function runOnClient(
  client: Client,
  host: HostSpec,
  argv: string[],
  line: string,
  options: RunOptions,
  onHung: () => void,
): Promise<CommandResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const cap = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    let channel: ClientChannel | undefined;
    let timedOut = false;
    let aborted = false;
    let done = false;
    const signal = options.signal;
    let exit: { code?: number; signal?: string } | undefined;
    const out = new CappedBuffer(cap);
    const err = new CappedBuffer(cap);
    const marker = new PidMarker();
    const finish = (f: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(grace);
      signal?.removeEventListener('abort', onAbort);
      f();
    };
    // A killed command (timeout or abort) ends with the reason it was killed for.
    const stoppedError = () => (aborted ? abortedError(host, argv, signal!, true) : timeoutError());
    const timeoutError = () =>
      new HasfError(
        'COMMAND_TIMEOUT',
        `${argv[0]} on ${host.name} did not finish within ${timeoutMs} ms and was killed; raise timeoutMs if it is legitimately slow.`,
        { host: host.name, argv, timeoutMs },
      );
    let grace: NodeJS.Timeout | undefined;
    let killedPid = false;
    // sshd closes the channel only once the command is gone, so close + kill, then wait.
    const stop = (ch: ClientChannel) => {
      killRemote(ch);
      if (marker.pid !== undefined && !exit) {
        killedPid = true;
        sendKill(client, marker.pid, 10);
      }
      ch.close();
      grace = setTimeout(() => {
        onHung();
        finish(() => reject(stoppedError()));
      }, CLOSE_GRACE_MS);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      if (channel) stop(channel); // else still opening: the open callback stops it
    }, timeoutMs);
    function onAbort() {
      if (aborted || timedOut) return;
      aborted = true;
      if (channel) stop(channel);
    }
    if (signal?.aborted) {
      clearTimeout(timer);
      return reject(abortedError(host, argv, signal, false));
    }
    signal?.addEventListener('abort', onAbort, { once: true });

    const openFailed = (e: Error) => {
      // ssh2 reports a failed exec *request* (sent on an open channel: sshd may have started
      // the command before the connection died) as "Unable to exec"; anything else here
      // failed before the request left, so nothing ran.
      if (e.message === 'Unable to exec') {
        return finish(() => reject(outcomeUnknown(host, argv, 'the connection failed while it was starting', e)));
      }
      const error = connectError(host, `could not open a session channel: ${e.message}`, e, { started: false });
      // ssh2 sets `reason` when sshd answered the open with a refusal; without it the connection itself is gone.
      Object.assign(error, { [NOT_STARTED]: (e as { reason?: unknown }).reason === undefined ? 'connection' : 'refused' });
      finish(() => reject(error));
    };
    const onOpen = (e: Error | undefined, ch: ClientChannel) => {
      if (e) return openFailed(e);
      channel = ch;
      ch.on('data', (b: Buffer) => out.push(b));
      ch.stderr.on('data', (b: Buffer) => {
        err.push(marker.push(b));
        // Timed out or aborted before the PID was known: kill as soon as it is.
        if ((timedOut || aborted) && !killedPid && marker.pid !== undefined && !exit) {
          killedPid = true;
          sendKill(client, marker.pid, 10);
        }
      });
      ch.on('exit', (code: number | null, signal?: string) => {
        exit = code === null || code === undefined ? { ...(signal ? { signal } : {}) } : { code };
      });
      ch.on('close', () => {
        err.push(marker.flush());
        if (timedOut || aborted) return finish(() => reject(stoppedError()));
        if (!exit) return finish(() => reject(outcomeUnknown(host, argv, 'the connection dropped while it ran')));
        finish(() =>
          resolve({
            host: host.name,
            argv,
            exitCode: exit!.code ?? signalExitCode(exit!.signal),
            stdout: out.text(),
            stderr: err.text(),
            durationMs: performance.now() - started,
            truncated: out.truncated || err.truncated,
          }),
        );
      });
      ch.end(options.stdin ?? '');
      if (timedOut || aborted) stop(ch);
    };
    try {
      client.exec(`${marker.prefix} ${line}`, onOpen);
    } catch (e) {
      openFailed(e as Error); // "Not connected": the connection closed under us
    }
  });
}
