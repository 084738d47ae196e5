import { spawn } from 'node:child_process';
import {
  chownSync,
  copyFileSync,
  mkdirSync,
  openSync,
  closeSync,
  writeFileSync,
  chmodSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { HasfError } from '../errors/index.ts';
import type { CommandResult, RunOptions } from '../ssh/types.ts';
import { labCib, type LabCibOptions } from './cib.ts';
import { machineEnv, sshdConfig, tgtLabTargetConf, tgtTargetsConf } from './configs.ts';
import type { LabLayout, LabMachine } from './layout.ts';
import { machineInitPid } from './processes.ts';
import { tryRun } from './run.ts';

/** Folder of the shell assets shipped with the lab (boot script, agents). */
export const ASSETS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'assets');

function idsOf(user: string, group: string): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('getent', ['group', group], { encoding: 'utf8' }).split(':')[2]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) {
    throw new HasfError(
      'LAB_FAILED',
      `User ${user} or group ${group} is missing; install the pacemaker package.`,
      { user, group },
    );
  }
  return { uid, gid };
}

/**
 * Writes one machine's "disk" (its private dirs, configs, and for nodes the CIB) into its
 * dir. Host keys are made elsewhere (keys.ts).
 */
export function prepareMachineFiles(layout: LabLayout, m: LabMachine, cib: LabCibOptions): void {
  mkdirSync(join(m.dir, 'log'), { recursive: true });
  writeFileSync(join(m.dir, 'machine.env'), machineEnv(layout, m));
  writeFileSync(join(m.dir, 'sshd_config'), sshdConfig(layout, m));
  if (m.role === 'storage') {
    mkdirSync(join(m.dir, 'etc-tgt', 'conf.d'), { recursive: true });
    writeFileSync(join(m.dir, 'etc-tgt', 'targets.conf'), tgtTargetsConf());
    writeFileSync(join(m.dir, 'etc-tgt', 'conf.d', 'lab.conf'), tgtLabTargetConf(layout.iqn));
    mkdirSync(layout.lunDir, { recursive: true });
    return;
  }
  const hac = idsOf('hacluster', 'haclient');
  const disk = join(m.dir, 'disk');
  const pcmk = join(disk, 'var/lib/pacemaker');
  for (const sub of ['cib', 'pengine', 'blackbox', 'cores']) {
    mkdirSync(join(pcmk, sub), { recursive: true });
    chownSync(join(pcmk, sub), hac.uid, hac.gid);
    chmodSync(join(pcmk, sub), 0o750);
  }
  chownSync(pcmk, hac.uid, hac.gid);
  chmodSync(pcmk, 0o750);
  // Pacemaker checks that cib.xml is readable only by hacluster.
  const cibFile = join(pcmk, 'cib', 'cib.xml');
  writeFileSync(cibFile, labCib(layout, cib), { mode: 0o600 });
  chownSync(cibFile, hac.uid, hac.gid);
  mkdirSync(join(disk, 'var/lib/corosync'), { recursive: true });
  mkdirSync(join(m.dir, 'log', 'corosync'), { recursive: true });
  mkdirSync(join(m.dir, 'log', 'pacemaker'), { recursive: true });
  chownSync(join(m.dir, 'log', 'pacemaker'), hac.uid, hac.gid);
  chmodSync(join(m.dir, 'log', 'pacemaker'), 0o770);
}

/** Copies the lab's agents into the overlay dirs the nodes mount over /usr/sbin and /usr/lib/ocf/resource.d. */
export function prepareOverlays(layout: LabLayout): void {
  mkdirSync(layout.sbinOverlay, { recursive: true });
  mkdirSync(join(layout.ocfOverlay, 'hasf'), { recursive: true });
  copyFileSync(join(ASSETS_DIR, 'fence_hasf_lab'), join(layout.sbinOverlay, 'fence_hasf_lab'));
  chmodSync(join(layout.sbinOverlay, 'fence_hasf_lab'), 0o755);
  // The lab's clean reboot (what `systemctl reboot` is on a real node), for cluster.rolling.
  copyFileSync(join(ASSETS_DIR, 'hasf-lab-reboot'), join(layout.sbinOverlay, 'hasf-lab-reboot'));
  chmodSync(join(layout.sbinOverlay, 'hasf-lab-reboot'), 0o755);
  for (const agent of ['domU', 'IPaddr']) {
    copyFileSync(join(ASSETS_DIR, agent), join(layout.ocfOverlay, 'hasf', agent));
    chmodSync(join(layout.ocfOverlay, 'hasf', agent), 0o755);
  }
}

/**
 * Powers a machine on: starts its boot script as pid 1 of fresh pid/mount/UTS/IPC
 * namespaces inside its (persistent) network namespace. Returns the pid of the outer
 * process; the machine keeps running when the caller exits (own session, output to
 * the machine's boot.log). The caller should keep the handle to reap it when it dies.
 */
export function bootMachine(m: LabMachine): { pid: number; exited: Promise<number | null> } {
  const logFile = join(m.dir, 'log', 'boot.log');
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(
      'ip',
      [
        'netns',
        'exec',
        m.netns,
        'unshare',
        '--mount',
        '--uts',
        '--ipc',
        '--pid',
        '--fork',
        '--mount-proc',
        '--propagation',
        'private',
        '/bin/bash',
        join(ASSETS_DIR, 'boot.sh'),
        m.dir,
      ],
      { detached: true, stdio: ['ignore', fd, fd] },
    );
    const exited = new Promise<number | null>((resolve) => {
      child.on('exit', (code) => resolve(code));
      child.on('error', () => resolve(null));
    });
    child.unref();
    if (child.pid === undefined)
      throw new HasfError(
        'LAB_FAILED',
        `Could not start machine ${m.name}; is iproute2 installed?`,
        { machine: m.name },
      );
    return { pid: child.pid, exited };
  } finally {
    closeSync(fd);
  }
}

/**
 * Runs an argv inside a running machine (its network, mount, UTS, IPC and pid
 * namespaces), the way a root shell on that machine would.
 */
export async function runInMachine(
  m: LabMachine,
  argv: string[],
  options: RunOptions = {},
): Promise<CommandResult> {
  const pid = machineInitPid(m.netns);
  if (pid === undefined) {
    throw new HasfError(
      'LAB_FAILED',
      `Lab machine ${m.name} is not running; bring the lab up with \`hasf lab up\`.`,
      { machine: m.name },
    );
  }
  return tryRun(
    [
      'nsenter',
      '--target',
      String(pid),
      '--mount',
      '--uts',
      '--ipc',
      '--net',
      '--pid',
      '--',
      ...argv,
    ],
    options,
  );
}
