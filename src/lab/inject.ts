import { existsSync } from 'node:fs';
import { HasfError } from '../errors/index.ts';
import { labExec } from './control.ts';

/**
 * Faults of a node's own making, for `cluster.check` to find (tests and demos): a clock
 * that is off, a name it can't resolve. Each lives in the node's private mount namespace
 * only (its /root tmpfs, a bind mount over its /etc/hosts), so nothing else on the machine
 * sees it, and a reboot of the node, or labHeal, removes it.
 */
const FAKETIME_LIB = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
// bash reads ~/.bashrc for commands sshd runs, so every SSH session into the node (and
// only those: the cluster's daemons keep the real clock) sees the shifted time.
const BASHRC = '/root/.bashrc';
const HOSTS_COPY = '/run/hasf-lab-hosts';

const NAME = /^[a-z][a-z0-9-]{0,31}$/;

async function must(dir: string, node: string, argv: string[], what: string): Promise<void> {
  const r = await labExec({ dir }, node, argv);
  if (r.exitCode !== 0) throw new HasfError('LAB_FAILED', `Could not ${what} on ${node}: ${r.stderr.trim().slice(0, 200)}.`, { node, argv });
}

/** Shift the clock that SSH sessions on `node` see by `seconds` (libfaketime, Debian package libfaketime). */
export async function labSkewClock(o: { dir: string }, node: string, seconds: number): Promise<void> {
  if (!Number.isFinite(seconds) || Math.abs(seconds) > 86_400 * 365) throw new HasfError('INVALID_INPUT', `A clock shift of ${seconds} s is not a number of seconds within a year.`, { seconds });
  if (!existsSync(FAKETIME_LIB)) throw new HasfError('LAB_FAILED', `${FAKETIME_LIB} is missing: apt-get install libfaketime.`, {});
  const line = `export LD_PRELOAD=${FAKETIME_LIB} FAKETIME=${seconds >= 0 ? '+' : ''}${seconds}s FAKETIME_DONT_FAKE_MONOTONIC=1\n`;
  await must(o.dir, node, ['sh', '-c', 'printf "%s" "$1" > "$2"', 'sh', line, BASHRC], 'shift the clock');
}

/** Make `node` unable to resolve `peer`: its /etc/hosts without that line (its DNS has no such name either). */
export async function labHideHost(o: { dir: string }, node: string, peer: string): Promise<void> {
  if (!NAME.test(peer)) throw new HasfError('INVALID_INPUT', `"${peer}" is not a lab machine name.`, { peer });
  await labRestoreHosts(o, node);
  await must(o.dir, node, ['sh', '-c', 'grep -v -w -e "$1" /etc/hosts > "$2" && mount --bind "$2" /etc/hosts', 'sh', peer, HOSTS_COPY], 'hide a host');
}

/** Undo labHideHost on `node`. */
export async function labRestoreHosts(o: { dir: string }, node: string): Promise<void> {
  await must(o.dir, node, ['sh', '-c', 'if [ -e "$1" ]; then umount /etc/hosts; rm -f "$1"; fi', 'sh', HOSTS_COPY], 'restore /etc/hosts');
}

/** Undo every injection on `node`: the real clock and /etc/hosts again. */
export async function labHeal(o: { dir: string }, node: string): Promise<void> {
  await must(o.dir, node, ['rm', '-f', BASHRC], 'restore the clock');
  await labRestoreHosts(o, node);
}
