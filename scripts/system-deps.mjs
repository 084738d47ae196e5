#!/usr/bin/env node
// Makes sure this machine has what HASF Ops needs before `npm start` / `npm test`:
// the Debian packages (installed when running as root, otherwise the exact command is
// printed and we exit non-zero) and the npm dependencies (installed with `npm ci` when
// node_modules is missing or older than package-lock.json). Plain Node, no dependencies:
// it runs before anything is installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Debian packages and one file each proves installed (dpkg can lie after manual removals). */
export const PACKAGES = {
  'redis-server': '/usr/bin/redis-server',
  'openssh-server': '/usr/sbin/sshd',
  'openssh-client': '/usr/bin/ssh',
  corosync: '/usr/sbin/corosync',
  pacemaker: '/usr/sbin/pacemakerd',
  'pacemaker-cli-utils': '/usr/sbin/crm_mon',
  tgt: '/usr/sbin/tgtd',
  'libiscsi-bin': '/usr/bin/iscsi-ls',
  // lun.add's volume-group rule is tested against the real LVM tools on a loop device.
  lvm2: '/usr/sbin/lvs',
  iproute2: '/usr/sbin/ip',
  'util-linux': '/usr/bin/unshare',
  procps: '/usr/bin/pgrep',
  // The lab shifts a node's clock for its SSH sessions with it (cluster.check's clock-skew test).
  libfaketime: '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1',
  chromium: '/usr/bin/chromium', // the web console's browser tests (playwright-core drives it)
};

function missingPackages() {
  return Object.entries(PACKAGES)
    .filter(([, file]) => !existsSync(file))
    .map(([pkg]) => pkg);
}

function ensureDebianPackages() {
  const missing = missingPackages();
  if (missing.length === 0) return;
  const cmd = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    console.error(`HASF Ops needs these Debian packages: ${missing.join(', ')}.`);
    console.error(`Run as root:\n  ${cmd}\nthen run the npm command again.`);
    process.exit(1);
  }
  console.error(`[system-deps] installing ${missing.join(' ')} …`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
    stdio: 'inherit',
    env,
  });
  // Debian's post-install scripts may start daemons where they can; HASF starts its own.
  for (const daemon of ['redis-server', 'tgtd']) spawnSync('pkill', ['-x', daemon]);
  const still = missingPackages();
  if (still.length) {
    console.error(`[system-deps] still missing after apt-get: ${still.join(', ')}`);
    process.exit(1);
  }
}

function ensureNodeModules() {
  const lock = join(root, 'package-lock.json');
  const marker = join(root, 'node_modules', '.package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  console.error('[system-deps] installing npm dependencies (npm ci) …');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  ensureDebianPackages();
  ensureNodeModules();
}
