import { readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { HasfError } from '../errors/index.ts';

/**
 * Finding and killing a lab machine's processes. The machines share the host's /proc, so
 * a machine's processes are told apart by their network namespace (the inode behind
 * /proc/PID/ns/net), never by name: every node runs a `corosync`.
 */

/** The inode of a named network namespace (/run/netns/NAME), or undefined when it does not exist. */
export function netnsInode(netns: string): number | undefined {
  try {
    return statSync(`/run/netns/${netns}`).ino;
  } catch {
    return undefined;
  }
}

/** Live pids whose network namespace has this inode (zombies have none and are skipped). */
export function pidsInNetns(inode: number): number[] {
  const want = `net:[${inode}]`;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/ns/net`) === want) pids.push(Number(entry));
    } catch {
      // gone meanwhile, or a zombie
    }
  }
  return pids;
}

/**
 * SIGKILLs every process in the namespace until none is left ("pull the plug").
 * Repeats because a process may fork while we kill. Throws LAB_FAILED if some survive.
 */
export async function killNetns(netns: string, timeoutMs = 10_000): Promise<number> {
  const inode = netnsInode(netns);
  if (inode === undefined) return 0;
  if (readlinkSync('/proc/self/ns/net') === `net:[${inode}]`) {
    throw new HasfError(
      'LAB_FAILED',
      `Refusing to kill the processes of ${netns}: it is this process's own network namespace.`,
      { netns },
    );
  }
  const deadline = Date.now() + timeoutMs;
  let killed = 0;
  for (;;) {
    const pids = pidsInNetns(inode);
    if (pids.length === 0) return killed;
    if (Date.now() > deadline) {
      throw new HasfError(
        'LAB_FAILED',
        `Processes ${pids.join(', ')} in namespace ${netns} survived SIGKILL; look at them with ps and kill them by hand.`,
        { netns, pids },
      );
    }
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
        killed++;
      } catch {
        // already gone
      }
    }
    await sleep(50);
  }
}

/**
 * Host pid of a machine's init: the process in the namespace that is pid 1 of its own
 * pid namespace (the boot script). Undefined when the machine is off.
 */
export function machineInitPid(netns: string): number | undefined {
  const inode = netnsInode(netns);
  if (inode === undefined) return undefined;
  for (const pid of pidsInNetns(inode)) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const nspid = /^NSpid:\s+(.*)$/m.exec(status)?.[1]?.trim().split(/\s+/);
      if (nspid && nspid.length === 2 && nspid[1] === '1') return pid;
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** True when the pid exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // state is the field after the parenthesised command name, which may contain spaces
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The NUL-separated command line of a pid, as an array ([] when gone). */
export function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/** Waits until the pid has exited (or is a zombie); false on timeout. */
export async function waitExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}
