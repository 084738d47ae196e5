import { resolve } from 'node:path';
import { rmSync } from 'node:fs';
import { checkPrefix, DEFAULT_PREFIX } from './options.ts';
import { labLayout, labNetnsNames } from './layout.ts';
import { destroyNetwork } from './network.ts';
import { findPowerSwitches, stopPowerSwitch } from './power-control.ts';
import { killNetns } from './processes.ts';
import { readLabState } from './state.ts';
import { requireRoot } from './root.ts';
import { clearHolders, otherLiveHolders, removeHolder, withLabLock } from './lock.ts';

/** What labDown needs: the lab dir and (if not the one recorded in DIR/lab.json) its prefix. */
export interface LabDownOptions {
  dir: string;
  /** Default: the prefix recorded in DIR/lab.json, else 'hasf'. */
  prefix?: string;
  /**
   * Take the lab down even while other live processes that brought it up still use it
   * (they are listed in DIR/holders). Default false: then labDown only drops this
   * process's claim and leaves the lab running for them; the last user takes it down.
   */
  force?: boolean;
  /** Progress lines; default: silent. */
  log?: (line: string) => void;
}

/**
 * Takes a lab down and leaves nothing behind: no process, namespace, interface or mount.
 * Works on a healthy lab, a half-built one and the leftovers of a crashed one; a lab
 * that is not there is fine. Logs, keys and the inventory stay in DIR for inspection.
 * While other live processes that called labUp on this dir still use the lab, it only
 * drops this process's claim (unless `force`).
 */
export async function labDown(o: LabDownOptions): Promise<void> {
  requireRoot();
  const dir = resolve(o.dir);
  await withLabLock(dir, async () => {
    removeHolder(dir);
    const others = otherLiveHolders(dir);
    if (others.length > 0 && !o.force) {
      o.log?.(`lab in ${dir} left running: still used by pid ${others.join(', ')}`);
      return;
    }
    await teardownLab(dir, o.prefix);
    clearHolders(dir);
  });
}

/** Kills and deletes everything of the lab(s) in `dir` / with `prefix`; no lock, no holder check. */
export async function teardownLab(dir: string, prefix?: string): Promise<void> {
  const recorded = readLabState(dir)?.prefix;
  const prefixes = new Set([checkPrefix(prefix ?? recorded ?? DEFAULT_PREFIX)]);
  if (recorded) prefixes.add(recorded);
  for (const prefix of prefixes) {
    // The switch first: it must not power a machine back on while we pull plugs. Asked
    // politely, it powers its machines off itself and reaps them.
    for (const pid of findPowerSwitches(dir, prefix)) await stopPowerSwitch(pid);
    const names = labNetnsNames(prefix);
    for (const ns of names) await killNetns(ns);
    await destroyNetwork(names, labLayout(dir, prefix, '0.0.0').hostIface);
  }
  const layout = labLayout(dir, [...prefixes][0]!, '0.0.0');
  rmSync(layout.powerSpool, { recursive: true, force: true });
  rmSync(layout.powerPidFile, { force: true });
}
