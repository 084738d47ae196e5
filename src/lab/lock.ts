import {
  mkdirSync,
  openSync,
  closeSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { HasfError } from '../errors/index.ts';

/**
 * Coordination between processes using the same lab dir. Several test runs may share one
 * lab (scripts/run-tests.mjs always uses var/test-lab): the lock serializes up and down,
 * and the holder list keeps one run's labDown from pulling the lab from under another
 * run that still uses it. A process is identified by pid + start time, so a recycled pid
 * is not mistaken for a live holder.
 */

function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') return undefined;
    return fields[19]; // field 22 of stat: start time in clock ticks since boot
  } catch {
    return undefined;
  }
}

const me = (): string => `${process.pid} ${startTime(process.pid) ?? '?'}`;

function ownerAlive(text: string): boolean {
  const [pid, start] = text.trim().split(' ');
  return !!pid && startTime(Number(pid)) === start;
}

/** Runs fn while holding DIR/lab.lock; waits for another holder (up to timeoutMs), breaks a dead one's lock. */
export async function withLabLock<T>(
  dir: string,
  fn: () => Promise<T>,
  timeoutMs = 300_000,
): Promise<T> {
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, 'lab.lock');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, `${me()}\n`);
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let owner = '';
    try {
      owner = readFileSync(lock, 'utf8');
    } catch {
      continue; // released meanwhile
    }
    if (owner && !ownerAlive(owner)) {
      rmSync(lock, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new HasfError(
        'LAB_FAILED',
        `The lab in ${dir} is busy (locked by pid ${owner.split(' ')[0]}); wait for it or remove ${lock} if that process is gone.`,
        { lock },
      );
    }
    await sleep(200);
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

const holdersDir = (dir: string): string => join(dir, 'holders');

/** Records this process as a user of the lab. */
export function addHolder(dir: string): void {
  mkdirSync(holdersDir(dir), { recursive: true });
  writeFileSync(join(holdersDir(dir), String(process.pid)), `${me()}\n`);
}

/** Drops this process from the lab's users. */
export function removeHolder(dir: string): void {
  rmSync(join(holdersDir(dir), String(process.pid)), { force: true });
}

/** Pids of other live processes that brought this lab up and have not taken it down. */
export function otherLiveHolders(dir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(holdersDir(dir));
  } catch {
    return [];
  }
  return names
    .filter((n) => n !== String(process.pid))
    .filter((n) => {
      try {
        return ownerAlive(readFileSync(join(holdersDir(dir), n), 'utf8'));
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Forgets every holder (the lab is gone). */
export function clearHolders(dir: string): void {
  rmSync(holdersDir(dir), { recursive: true, force: true });
}
