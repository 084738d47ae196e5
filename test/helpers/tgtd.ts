import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { freePort } from './redis.ts';

const run = promisify(execFile);

/** A private tgtd on the host: its own control port (socket) and a loopback portal. */
export interface TestTgtd {
  /** tgtd's management port: `tgtadm -C <controlPort>` (socket /var/run/tgtd/socket.<n>). */
  controlPort: number;
  /** iSCSI portal `127.0.0.1:<port>`. */
  portal: string;
  process: ChildProcess;
  /** Run tgtadm against this tgtd; rejects on a non-zero exit. */
  tgtadm(...args: string[]): Promise<string>;
  /** Create a target open to every initiator (`-I ALL`), as a site's tgt-admin would. */
  createTarget(tid: number, iqn: string): Promise<void>;
  /**
   * Stop tgtd the way its init script does (state offline, targets deleted, `--op delete
   * --mode system`), SIGKILL after 3 s, wait for its exit, remove its socket files.
   */
  stop(): Promise<void>;
}

const SOCKET_DIR = '/var/run/tgtd';

/**
 * Start a real tgtd in the foreground. The control port is random in 20000-32767 (tgtd
 * refuses more) and
 * must have no socket file yet, so it never meets the lab's tgtd (which lives in its
 * own namespaces) or another test's; the portal is a free loopback port.
 */
export async function startTgtd(): Promise<TestTgtd> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const controlPort = 20000 + Math.floor(Math.random() * 12768);
    if (existsSync(`${SOCKET_DIR}/socket.${controlPort}`) || existsSync(`${SOCKET_DIR}/socket.${controlPort}.lock`)) continue;
    const port = await freePort();
    const child = spawn('tgtd', ['-f', '-C', String(controlPort), '--iscsi', `portal=127.0.0.1:${port}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    child.stderr!.on('data', (b: Buffer) => (log += b.toString()));
    const tgtadm = async (...args: string[]) => (await run('tgtadm', ['-C', String(controlPort), ...args])).stdout;
    const cleanupFiles = () => {
      rmSync(`${SOCKET_DIR}/socket.${controlPort}`, { force: true });
      rmSync(`${SOCKET_DIR}/socket.${controlPort}.lock`, { force: true });
    };
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        // tgtd ignores SIGTERM while it serves targets; it exits on a system delete.
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        try {
          await tgtadm('--mode', 'sys', '--op', 'update', '--name', 'State', '-v', 'offline');
          const show = await tgtadm('--lld', 'iscsi', '--mode', 'target', '--op', 'show');
          for (const m of show.matchAll(/^Target (\d+):/gm)) {
            await tgtadm('--lld', 'iscsi', '--mode', 'target', '--op', 'delete', '--force', '--tid', m[1]!);
          }
          await tgtadm('--mode', 'system', '--op', 'delete');
        } catch {
          child.kill('SIGKILL');
        }
        await exited;
        clearTimeout(timer);
      }
      cleanupFiles();
    };
    // Ready once tgtadm gets an answer on the control socket.
    const deadline = Date.now() + 5000;
    let ready = false;
    while (Date.now() < deadline && child.exitCode === null) {
      try {
        await tgtadm('--mode', 'sys', '--op', 'show');
        ready = true;
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    if (!ready) {
      await stop();
      if (attempt === 4) throw new Error(`tgtd did not start: ${log}`);
      continue;
    }
    return {
      controlPort,
      portal: `127.0.0.1:${port}`,
      process: child,
      tgtadm,
      async createTarget(tid, iqn) {
        await tgtadm('--lld', 'iscsi', '--mode', 'target', '--op', 'new', '--tid', String(tid), '--targetname', iqn);
        await tgtadm('--lld', 'iscsi', '--mode', 'target', '--op', 'bind', '--tid', String(tid), '-I', 'ALL');
      },
      stop,
    };
  }
  throw new Error('no free tgtd control port found');
}

/** One LUN as the userspace initiator `iscsi-ls -s` reports it. */
export interface InitiatorLun {
  lun: number;
  type: string;
  /** From `(Size:63M)`: iscsi-ls floors to whole K/M/G/T units of 1024. */
  sizeBytes?: number;
}

const UNIT: Record<string, number> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

/** Parse `iscsi-ls -s` output lines such as `Lun:1    Type:DIRECT_ACCESS (Size:63M)`. */
export function parseIscsiLs(text: string): InitiatorLun[] {
  const out: InitiatorLun[] = [];
  for (const line of text.split('\n')) {
    const m = /^Lun:(\d+)\s+Type:(\S+)(?:\s+\(Size:(\d+)([KMGT]?)\))?/.exec(line.trim());
    if (m) out.push({ lun: Number(m[1]), type: m[2]!, sizeBytes: m[3] === undefined ? undefined : Number(m[3]) * UNIT[m[4]!]! });
  }
  return out;
}

/**
 * Log in with the real userspace initiator (libiscsi's iscsi-ls) and list the target's
 * LUNs, with CHAP credentials when given. Rejects when the login fails (exit 10 on an
 * authentication failure).
 */
export async function iscsiLs(portal: string, iqn: string, chap?: { user: string; password: string }): Promise<InitiatorLun[]> {
  const who = chap ? `${chap.user}%${chap.password}@` : '';
  const { stdout } = await run('iscsi-ls', ['-s', `iscsi://${who}${portal}/${iqn}`], { timeout: 20_000 });
  return parseIscsiLs(stdout);
}
