import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { freePort } from './redis.ts';

export interface TestSshd {
  host: string;
  port: number;
  /** The server's ed25519 host key as `SHA256:…` (from ssh-keygen -lf). */
  hostKeyFingerprint: string;
  /** Private key authorised for root. */
  identityFile: string;
  /** A private key that is NOT authorised (for SSH_AUTH_FAILED tests). */
  unauthorisedIdentityFile: string;
  /** `[127.0.0.1]:PORT ssh-ed25519 AAAA…` for a known_hosts file. */
  knownHostsLine: string;
  /** The host key's public line `ssh-ed25519 AAAA…` (no host pattern). */
  hostPublicKey: string;
  /** Temp dir removed by stop(); tests may put files (known_hosts, markers) in it. */
  dir: string;
  /** Kill sshd and every connection process it forked, then remove the temp dir. */
  stop(): Promise<void>;
  /** Kill the per-connection processes only: every client connection drops, sshd keeps listening. */
  dropConnections(): void;
  /** Kill everything and start sshd again on the same port with the same keys. */
  restart(): Promise<void>;
  /** Kill sshd and its connections but keep its files: the port refuses connections until start(). */
  halt(): Promise<void>;
  /** Start sshd again after halt(), on the same port with the same keys. */
  start(): Promise<void>;
  /** PIDs of the processes sshd forked (connections and their commands). */
  descendants(): number[];
  /** sshd's log so far (stderr, LogLevel VERBOSE unless extraConfig says otherwise). */
  log(): string;
}

/** Every descendant PID of `root`, read from /proc (children before their own children). */
function descendantsOf(root: number): number[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 (ppid) follows the ")" that closes the command name, which may hold spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(entry), ppid);
    } catch {
      // the process exited while we looked
    }
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const [child, ppid] of parent) {
      if (ppid === pid) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(root);
  return out;
}

function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/**
 * A real OpenSSH sshd on 127.0.0.1:<free port>, with a temp ed25519 host key and a temp
 * client key authorised for root. Needs root (sshd refuses to run otherwise).
 */
export async function startSshd(options: { extraConfig?: string[] } = {}): Promise<TestSshd> {
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(join(tmpdir(), 'hasf-sshd-'));
  const port = await freePort();
  const keygen = (file: string) =>
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'hasf-test', '-f', file]);
  keygen(join(dir, 'host_ed25519'));
  keygen(join(dir, 'client'));
  keygen(join(dir, 'stranger'));
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client.pub')));
  // sshd keeps the first value of a keyword, so extra settings go first to override ours.
  const config = [
    ...(options.extraConfig ?? []),
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${join(dir, 'host_ed25519')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    'LogLevel VERBOSE',
  ];
  writeFileSync(join(dir, 'sshd_config'), config.join('\n') + '\n');
  const fp = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(dir, 'host_ed25519.pub')])
    .toString()
    .split(' ')[1]!;
  const hostPublicKey = readFileSync(join(dir, 'host_ed25519.pub'), 'utf8')
    .trim()
    .split(' ')
    .slice(0, 2)
    .join(' ');

  let logText = '';
  // A connection child forked just before a kill may hold the listening socket for a moment,
  // so a restart retries a failed bind briefly.
  const launch = async (): Promise<ChildProcess> => {
    for (let i = 0; ; i++) {
      try {
        return await launchOnce();
      } catch (e) {
        if (i >= 30 || !String(e).includes('Address already in use')) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  const launchOnce = async (): Promise<ChildProcess> => {
    // Its own process group, so stop() also reaches children forked after our /proc snapshot.
    // In a mount namespace of its own with an empty /root: sessions must not run the host
    // root's ~/.bashrc (a pyenv rehash waiting on a stale lock hung them). exec keeps the pid.
    const p = spawn('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', 'mount -t tmpfs -o mode=0700 tmpfs /root && exec "$0" "$@"', '/usr/sbin/sshd', '-D', '-e', '-f', join(dir, 'sshd_config')], {
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    let log = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sshd did not start: ${log}`)), 10_000);
      p.stderr!.on('data', (b: Buffer) => {
        log += b.toString();
        if (log.includes('Server listening')) {
          clearTimeout(timer);
          resolve();
        }
      });
      p.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`sshd exited ${code}: ${log}`));
      });
    });
    p.removeAllListeners('exit');
    p.stderr!.removeAllListeners('data');
    // Keep draining its log so sshd never blocks on a full pipe; keep the tail for tests.
    p.stderr!.on('data', (b: Buffer) => {
      logText = (logText + b.toString()).slice(-200_000);
    });
    logText += log;
    return p;
  };

  let proc = await launch();
  let running = true;
  const killServer = async () => {
    if (!running) return;
    running = false;
    const pids = descendantsOf(proc.pid!);
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = once(proc, 'exit');
      try {
        process.kill(-proc.pid!, 'SIGKILL');
      } catch {
        proc.kill('SIGKILL');
      }
      await exited;
    }
    killAll(pids);
  };
  const startServer = async () => {
    if (running) return;
    proc = await launch();
    running = true;
  };

  return {
    host: '127.0.0.1',
    port,
    hostKeyFingerprint: fp,
    identityFile: join(dir, 'client'),
    unauthorisedIdentityFile: join(dir, 'stranger'),
    knownHostsLine: `[127.0.0.1]:${port} ${hostPublicKey}`,
    hostPublicKey,
    dir,
    async stop() {
      await killServer();
      rmSync(dir, { recursive: true, force: true });
    },
    dropConnections() {
      if (running) killAll(descendantsOf(proc.pid!));
    },
    async restart() {
      await killServer();
      await startServer();
    },
    halt: killServer,
    start: startServer,
    descendants() {
      return running ? descendantsOf(proc.pid!) : [];
    },
    log() {
      return logText;
    },
  };
}
