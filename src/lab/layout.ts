import { join } from 'node:path';

/** One machine of the lab: a cluster node or the storage node. */
export interface LabMachine {
  /** Host name inside the lab (node1, node2, node3, store1). */
  name: string;
  role: 'node' | 'storage';
  /** Address on the lab /24. */
  address: string;
  /** Its network namespace (also the name the power switch knows it by). */
  netns: string;
  /** Where its private state lives on the host (its "disk"). */
  dir: string;
}

/** Names and paths of one lab, derived from dir + prefix + subnet; nothing here touches the system. */
export interface LabLayout {
  dir: string;
  prefix: string;
  subnet: string;
  /** Namespace holding the bridge. */
  bridgeNetns: string;
  /** Host end of the veth into the bridge namespace. */
  hostIface: string;
  hostAddress: string;
  nodes: LabMachine[];
  storage: LabMachine;
  /** nodes + storage. */
  machines: LabMachine[];
  /** The lab's own settings, read by the power switch (JSON). */
  stateFile: string;
  inventoryFile: string;
  knownHostsFile: string;
  /** Private key that logs in as root on every machine. */
  identityFile: string;
  authorizedKeysFile: string;
  /** Read-only overlays: extra files for /usr/sbin and /usr/lib/ocf/resource.d on the nodes. */
  sbinOverlay: string;
  ocfOverlay: string;
  /** Shared corosync key and corosync.conf. */
  corosyncDir: string;
  /** Power switch: pid file, log, request spool. */
  powerDir: string;
  powerPidFile: string;
  powerLogFile: string;
  powerSpool: string;
  /** Where store1 keeps LUN backing files. */
  lunDir: string;
  iqn: string;
}

/** The storage node's target name. */
export const LAB_IQN = 'iqn.2026-11.lab.hasf:store1';
/** Name of the lab cluster in the inventory and in corosync. */
export const LAB_CLUSTER = 'lab';
/** Number of VM resources (vm1…vmN). */
export const LAB_VM_COUNT = 6;

/** Where the inventory of a lab in `dir` is written. */
export function inventoryPath(dir: string): string {
  return join(dir, 'inventory.yaml');
}

/** Computes the lab's names and paths. */
export function labLayout(dir: string, prefix: string, subnet: string): LabLayout {
  const machine = (name: string, role: LabMachine['role'], host: number): LabMachine => ({
    name,
    role,
    address: `${subnet}.${host}`,
    netns: `${prefix}-${name}`,
    dir: join(dir, 'machines', name),
  });
  const nodes = [1, 2, 3].map((i) => machine(`node${i}`, 'node', 10 + i));
  const storage = machine('store1', 'storage', 20);
  const powerDir = join(dir, 'power');
  return {
    dir,
    prefix,
    subnet,
    bridgeNetns: `${prefix}-br`,
    hostIface: `${prefix}-host`,
    hostAddress: `${subnet}.1`,
    nodes,
    storage,
    machines: [...nodes, storage],
    stateFile: join(dir, 'lab.json'),
    inventoryFile: inventoryPath(dir),
    knownHostsFile: join(dir, 'known_hosts'),
    identityFile: join(dir, 'ssh', 'id_ed25519'),
    authorizedKeysFile: join(dir, 'ssh', 'authorized_keys'),
    sbinOverlay: join(dir, 'overlay', 'sbin'),
    ocfOverlay: join(dir, 'overlay', 'ocf'),
    corosyncDir: join(dir, 'corosync'),
    powerDir,
    powerPidFile: join(powerDir, 'switch.pid'),
    powerLogFile: join(powerDir, 'switch.log'),
    powerSpool: join(powerDir, 'spool'),
    lunDir: join(dir, 'machines', 'store1', 'luns'),
    iqn: LAB_IQN,
  };
}

/** Namespace names a lab with this prefix may have created (also after a crash). */
export function labNetnsNames(prefix: string): string[] {
  return [
    `${prefix}-node1`,
    `${prefix}-node2`,
    `${prefix}-node3`,
    `${prefix}-store1`,
    `${prefix}-br`,
  ];
}
