import { readFile } from 'node:fs/promises';
import { Client, type ConnectConfig } from 'ssh2';
import { HasfError } from '../errors/index.ts';
import { hostKeyAlgorithms, hostKeyError, loadHostKeyPolicy, verifyHostKey, type HostKeyVerdict } from './host-key.ts';
import type { HostSpec } from './types.ts';

/** What one connection attempt needs besides the host. */
export interface ConnectOptions {
  connectTimeoutMs: number;
  keepaliveMs: number;
  /** Fallback ssh-agent socket when the host names neither identityFile nor agent. */
  agent?: string | undefined;
}

/** Host label for messages: `node1 (10.0.0.1:22)`. */
export function describeHost(host: HostSpec): string {
  return `${host.name} (${host.user ?? 'root'}@${host.host}:${host.port ?? 22})`;
}

async function authConfig(host: HostSpec, o: ConnectOptions): Promise<Pick<ConnectConfig, 'privateKey' | 'agent'>> {
  if (host.identityFile) {
    try {
      return { privateKey: await readFile(host.identityFile) };
    } catch (e) {
      throw new HasfError(
        'CONFIG_INVALID',
        `Host ${host.name}: cannot read identityFile ${host.identityFile} (${(e as Error).message}); fix the path or its permissions.`,
        { host: host.name, identityFile: host.identityFile },
        { cause: e },
      );
    }
  }
  const agent = host.agent ?? o.agent;
  if (agent) return { agent };
  throw new HasfError(
    'CONFIG_INVALID',
    `Host ${host.name} has neither identityFile nor agent, and the pool has no default ssh-agent socket; set one of them.`,
    { host: host.name },
  );
}

/**
 * One attempt to open an authenticated SSH connection. The host key is checked against
 * the inventory pins before authentication, so a refused host never sees our credentials
 * and never runs anything. Errors: HOST_KEY_MISMATCH and SSH_AUTH_FAILED and
 * CONFIG_INVALID (permanent), SSH_CONNECT_FAILED (worth retrying).
 */
export async function connectOnce(host: HostSpec, o: ConnectOptions): Promise<Client> {
  const policy = await loadHostKeyPolicy(host);
  const auth = await authConfig(host, o);
  const client = new Client();
  let refused: Extract<HostKeyVerdict, { ok: false }> | undefined;
  const config: ConnectConfig = {
    host: host.host,
    port: host.port ?? 22,
    username: host.user ?? 'root',
    ...auth,
    readyTimeout: o.connectTimeoutMs,
    keepaliveInterval: o.keepaliveMs,
    keepaliveCountMax: 3,
    algorithms: { serverHostKey: hostKeyAlgorithms(policy) as NonNullable<ConnectConfig['algorithms']>['serverHostKey'] },
    hostVerifier: (key: Buffer) => {
      const verdict = verifyHostKey(policy, key);
      if (!verdict.ok) refused = verdict;
      return verdict.ok;
    },
  };
  // An 'error' without a listener would crash the process; the pool adds its own logging
  // listener, and this one makes sure no gap is ever left.
  client.on('error', () => {});
  return new Promise<Client>((resolve, reject) => {
    let settled = false;
    const fail = (err: HasfError) => {
      if (settled) return;
      settled = true;
      client.off('error', onError);
      client.end();
      reject(err);
    };
    client.once('ready', () => {
      if (settled) return;
      settled = true;
      client.off('error', onError);
      // Small SSH packets (channel open, exec, EOF) must not wait for Nagle + delayed ACK:
      // without this every pooled command paid ~40 ms of TCP latency.
      client.setNoDelay(true);
      resolve(client);
    });
    const onError = (e: Error & { level?: string }) => {
      if (refused) return fail(hostKeyError(host, policy, refused));
      if (e.level === 'client-authentication' || e.level === 'agent') {
        return fail(
          new HasfError(
            'SSH_AUTH_FAILED',
            `SSH login to ${describeHost(host)} was refused (${e.message}); check that its authorized_keys holds our key and that identityFile/agent is right.`,
            { host: host.name, address: host.host, port: host.port ?? 22, user: host.user ?? 'root', level: e.level },
            { cause: e },
          ),
        );
      }
      fail(connectError(host, e.message, e));
    };
    client.on('error', onError);
    client.once('close', () => fail(connectError(host, 'connection closed before login completed')));
    try {
      client.connect(config);
    } catch (e) {
      fail(
        new HasfError(
          'CONFIG_INVALID',
          `Host ${host.name}: cannot use its SSH settings (${(e as Error).message}); check identityFile (an unencrypted OpenSSH or PEM key) and agent.`,
          { host: host.name },
          { cause: e },
        ),
      );
    }
  });
}

/** SSH_CONNECT_FAILED for one host. */
export function connectError(host: HostSpec, reason: string, cause?: unknown, extra: Record<string, unknown> = {}): HasfError {
  return new HasfError(
    'SSH_CONNECT_FAILED',
    `Cannot reach ${describeHost(host)} over SSH (${reason}); check that the host is up and sshd listens there.`,
    { host: host.name, address: host.host, port: host.port ?? 22, reason, ...extra },
    cause === undefined ? undefined : { cause },
  );
}
