import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Inventory } from '../config/inventory.ts';
import { HasfError, isHasfError } from '../errors/index.ts';
import { corosyncConf, hostsFile } from './configs.ts';
import { teardownLab } from './down.ts';
import { addHolder, clearHolders, withLabLock } from './lock.ts';
import { ensureCorosyncKey, makeEd25519Key, publicKeyLine } from './keys.ts';
import { labInventory, writeLabInventory } from './lab-inventory.ts';
import { labLayout, type LabLayout } from './layout.ts';
import { prepareMachineFiles, prepareOverlays } from './machine.ts';
import { createNetwork } from './network.ts';
import { resolveLabOptions, type LabOptions, type ResolvedLabOptions } from './options.ts';
import { askPowerSwitch } from './power-client.ts';
import { findPowerSwitches, startPowerSwitch } from './power-control.ts';
import { netnsInode } from './processes.ts';
import { requireRoot } from './root.ts';
import { readLabState, writeLabState } from './state.ts';
import { waitLabReady } from './wait.ts';

/** A running lab, as labUp returns it. */
export interface LabInfo {
  dir: string;
  prefix: string;
  subnet: string;
  /** DIR/inventory.yaml */
  inventoryPath: string;
  /** The parsed, validated inventory (cluster `lab`, storage `store1`). */
  inventory: Inventory;
  /** DIR/known_hosts with every machine's host key (by address and by name). */
  knownHostsPath: string;
  /** Private key that logs in as root on every machine. */
  identityFile: string;
  nodes: Array<{ name: string; address: string; netns: string }>;
  storage: { name: string; address: string; netns: string; iqn: string; portal: string };
  /** True when an already running healthy lab was returned instead of building one. */
  reused: boolean;
  /** How long labUp took. */
  elapsedMs: number;
}

function info(layout: LabLayout, inventory: Inventory, reused: boolean, started: number): LabInfo {
  return {
    dir: layout.dir,
    prefix: layout.prefix,
    subnet: layout.subnet,
    inventoryPath: layout.inventoryFile,
    inventory,
    knownHostsPath: layout.knownHostsFile,
    identityFile: layout.identityFile,
    nodes: layout.nodes.map((n) => ({ name: n.name, address: n.address, netns: n.netns })),
    storage: {
      name: layout.storage.name,
      address: layout.storage.address,
      netns: layout.storage.netns,
      iqn: layout.iqn,
      portal: `${layout.storage.address}:3260`,
    },
    reused,
    elapsedMs: Math.round(performance.now() - started),
  };
}

/** Why the lab recorded in the layout's dir can't be reused as it is (undefined when it can). */
function notReusableBecause(layout: LabLayout, o: ResolvedLabOptions): string | undefined {
  const s = readLabState(layout.dir);
  if (!s) return 'no lab recorded';
  if (s.prefix !== o.prefix || s.subnet !== o.subnet)
    return `the recorded lab is ${s.prefix}/${s.subnet}`;
  if ((s.shape ?? 'tidy') !== o.shape) return `the recorded lab has the ${s.shape ?? 'tidy'} shape`;
  if (
    s.migrationTimeMs !== o.migrationTimeMs ||
    s.rebootDelayMs !== o.rebootDelayMs ||
    s.tokenMs !== o.tokenMs
  )
    return 'the recorded lab has other timings';
  if (!existsSync(layout.inventoryFile)) return 'no inventory';
  if (netnsInode(layout.bridgeNetns) === undefined) return 'no bridge namespace';
  if (findPowerSwitches(layout.dir, layout.prefix).length === 0) return 'no power switch';
  return undefined;
}

/**
 * Brings the lab up: a 3-node Corosync + Pacemaker cluster and an iSCSI storage node in
 * network namespaces, a power switch for fencing, DIR/inventory.yaml and DIR/known_hosts.
 * Returns once every node is online and every resource started. A healthy lab already
 * running with the same dir and options is reused (waiting for it to settle); anything
 * else with this prefix, such as a crashed lab's leftovers, is cleared first. On failure
 * it takes down what it built and throws LAB_FAILED (logs stay under DIR/machines).
 */
export async function labUp(options: LabOptions): Promise<LabInfo> {
  requireRoot();
  const started = performance.now();
  const o = resolveLabOptions(options);
  const layout = labLayout(o.dir, o.prefix, o.subnet);
  mkdirSync(layout.dir, { recursive: true });
  const result = await withLabLock(layout.dir, () => upLocked(layout, o, started));
  addHolder(layout.dir);
  return result;
}

async function upLocked(
  layout: LabLayout,
  o: ResolvedLabOptions,
  started: number,
): Promise<LabInfo> {
  const why = notReusableBecause(layout, o);
  if (!why) {
    try {
      // Long enough for a node that is being fenced to come back; a lab that takes
      // longer is broken and cheaper to rebuild.
      await waitLabReady(layout, o.shape, Math.min(o.readyTimeoutMs, 45_000), o.log);
      o.log(`reusing the running lab in ${layout.dir}`);
      return info(layout, labInventory(layout), true, started);
    } catch (e) {
      o.log(`the running lab is not healthy (${(e as Error).message}); rebuilding it`);
    }
  }

  await teardownLab(layout.dir, o.prefix);
  clearHolders(layout.dir);
  try {
    await build(layout, o);
    o.log('waiting for the cluster to settle');
    await waitLabReady(layout, o.shape, o.readyTimeoutMs, o.log);
  } catch (e) {
    await teardownLab(layout.dir, o.prefix).catch(() => {});
    if (isHasfError(e)) throw e;
    throw new HasfError(
      'LAB_FAILED',
      `The lab could not be brought up: ${(e as Error).message}.`,
      {},
      { cause: e },
    );
  }
  const inventory = labInventory(layout);
  const result = info(layout, inventory, false, started);
  o.log(`lab up in ${(result.elapsedMs / 1000).toFixed(1)} s`);
  return result;
}

/** Generates every file, builds the network, starts the power switch and powers all machines on. */
async function build(layout: LabLayout, o: ResolvedLabOptions): Promise<void> {
  o.log(`building lab ${layout.prefix} (${layout.subnet}.0/24) in ${layout.dir}`);
  // Start from a clean slate: a fresh lab is a fresh install, nothing of an old one stays.
  for (const sub of [
    'machines',
    'overlay',
    'power',
    'ssh',
    'corosync',
    'hosts',
    'known_hosts',
    'inventory.yaml',
  ]) {
    rmSync(join(layout.dir, sub), { recursive: true, force: true });
  }
  writeLabState(layout.dir, {
    prefix: o.prefix,
    subnet: o.subnet,
    shape: o.shape,
    migrationTimeMs: o.migrationTimeMs,
    rebootDelayMs: o.rebootDelayMs,
    tokenMs: o.tokenMs,
    createdAt: new Date().toISOString(),
  });

  mkdirSync(join(layout.dir, 'ssh'), { recursive: true, mode: 0o700 });
  mkdirSync(layout.corosyncDir, { recursive: true });
  for (const m of layout.machines) mkdirSync(m.dir, { recursive: true });
  await Promise.all([
    makeEd25519Key(layout.identityFile, `hasf-lab-${layout.prefix}`),
    ...layout.machines.map((m) =>
      makeEd25519Key(join(m.dir, 'ssh_host_ed25519_key'), `${m.name}-${layout.prefix}`),
    ),
  ]);
  writeFileSync(layout.authorizedKeysFile, `${publicKeyLine(`${layout.identityFile}.pub`)}\n`, {
    mode: 0o600,
  });
  ensureCorosyncKey(join(layout.corosyncDir, 'authkey'));
  writeFileSync(join(layout.corosyncDir, 'corosync.conf'), corosyncConf(layout, o.tokenMs));
  writeFileSync(join(layout.dir, 'hosts'), hostsFile(layout));
  prepareOverlays(layout);
  for (const m of layout.machines)
    prepareMachineFiles(layout, m, { migrationTimeMs: o.migrationTimeMs, shape: o.shape });
  writeLabInventory(layout);

  await createNetwork(layout);
  await startPowerSwitch(layout);
  await Promise.all(
    layout.machines.map((m) => askPowerSwitch(layout.powerSpool, 'on', m.name, 30_000)),
  );
}
