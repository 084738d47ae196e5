import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { HasfError } from '../errors/index.ts';
import type { LabLayout } from './layout.ts';
import { PACKAGE_ROOT } from '../util/package-root.ts';
import { cmdline, isAlive, waitExit } from './processes.ts';

/** Host-side control of a lab's power switch process: start it, find it, stop it. */

// From the sources the switch runs through tsx; from the build (dist/) as plain JavaScript.
const COMPILED = import.meta.url.endsWith('.js');
const SWITCH_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), COMPILED ? 'power-switch.js' : 'power-switch.ts');

/** Starts the power switch detached (it outlives the caller) and waits until it serves. */
export async function startPowerSwitch(layout: LabLayout, timeoutMs = 20_000): Promise<number> {
  mkdirSync(layout.powerSpool, { recursive: true });
  rmSync(layout.powerPidFile, { force: true });
  const fd = openSync(layout.powerLogFile, 'a');
  let pid: number | undefined;
  try {
    // cwd is the package so `--import tsx` resolves from our node_modules.
    const child = spawn(
      process.execPath,
      [...(COMPILED ? [] : ['--import', 'tsx']), SWITCH_SCRIPT, '--dir', layout.dir, '--prefix', layout.prefix],
      { cwd: PACKAGE_ROOT, detached: true, stdio: ['ignore', fd, fd] },
    );
    child.unref();
    pid = child.pid;
  } finally {
    closeSync(fd);
  }
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(layout.powerPidFile)) {
    if (pid === undefined || !isAlive(pid) || Date.now() > deadline) {
      throw new HasfError(
        'LAB_FAILED',
        `The lab power switch did not start; see ${layout.powerLogFile}.`,
        { log: layout.powerLogFile },
      );
    }
    await sleep(50);
  }
  return pid!;
}

/** Pids of power switches of labs with this prefix or this dir (from the pid file and /proc). */
export function findPowerSwitches(dir: string, prefix: string): number[] {
  const found = new Set<number>();
  const isSwitch = (argv: string[]): boolean =>
    argv.some((a) => /\/lab\/power-switch\.[jt]s$/.test(a));
  const pidFile = join(dir, 'power', 'switch.pid');
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (pid > 0 && isAlive(pid) && isSwitch(cmdline(pid))) found.add(pid);
  } catch {
    // no pid file
  }
  // A crashed labUp may have lost the pid file; the switch labels itself with its prefix.
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = cmdline(Number(entry));
    if (!isSwitch(argv)) continue;
    const p = argv.indexOf('--prefix');
    const d = argv.indexOf('--dir');
    if ((p >= 0 && argv[p + 1] === prefix) || (d >= 0 && argv[d + 1] === dir))
      found.add(Number(entry));
  }
  return [...found].filter(isAlive);
}

/** Stops a power switch: SIGTERM (it powers its machines off and exits), SIGKILL if it hangs. */
export async function stopPowerSwitch(pid: number, timeoutMs = 20_000): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  if (await waitExit(pid, timeoutMs)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  await waitExit(pid, 5000);
}
