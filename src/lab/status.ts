import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { labLayout } from './layout.ts';
import { checkPrefix, DEFAULT_PREFIX, DEFAULT_SUBNET } from './options.ts';
import { findPowerSwitches } from './power-control.ts';
import { machineInitPid, netnsInode } from './processes.ts';
import { readLabState } from './state.ts';
import { clusterView } from './wait.ts';

/** One machine in labStatus. */
export interface LabMachineStatus {
  name: string;
  role: 'node' | 'storage';
  address: string;
  netns: string;
  /** Its processes run (the power switch has it on). */
  powered: boolean;
  /** Cluster nodes only: online in the cluster, as a running node's crm_mon says. */
  online?: boolean;
}

/** What labStatus reports. */
export interface LabStatus {
  /** The lab exists and every machine and the power switch run (the cluster may still be settling). */
  running: boolean;
  dir: string;
  prefix: string;
  subnet?: string;
  /** Pid of the power switch, if it runs. */
  powerSwitchPid?: number;
  nodes: LabMachineStatus[];
  storage?: LabMachineStatus;
  inventoryPath?: string;
}

/** Reports whether the lab in `dir` runs, machine by machine. Read-only; never changes the lab. */
export async function labStatus(o: { dir: string; prefix?: string }): Promise<LabStatus> {
  const dir = resolve(o.dir);
  const state = readLabState(dir);
  const prefix = checkPrefix(o.prefix ?? state?.prefix ?? DEFAULT_PREFIX);
  const subnet = state?.prefix === prefix ? state.subnet : undefined;
  const layout = labLayout(dir, prefix, subnet ?? DEFAULT_SUBNET);
  const switches = findPowerSwitches(dir, prefix);
  const up = (netns: string): boolean => machineInitPid(netns) !== undefined;
  const view = await (async () => {
    for (const n of layout.nodes) if (up(n.netns)) return clusterView(n, 5000);
    return undefined;
  })();
  const nodes: LabMachineStatus[] = layout.nodes.map((n) => ({
    name: n.name,
    role: 'node',
    address: n.address,
    netns: n.netns,
    powered: up(n.netns),
    online: view?.nodes.find((x) => x.name === n.name)?.online ?? false,
  }));
  const s = layout.storage;
  const storage: LabMachineStatus = {
    name: s.name,
    role: 'storage',
    address: s.address,
    netns: s.netns,
    powered: up(s.netns),
  };
  const exists = netnsInode(layout.bridgeNetns) !== undefined;
  const inventoryPath = existsSync(layout.inventoryFile) ? layout.inventoryFile : undefined;
  return {
    running: exists && switches.length > 0 && nodes.every((n) => n.powered) && storage.powered,
    dir,
    prefix,
    subnet,
    powerSwitchPid: switches[0],
    nodes,
    storage,
    inventoryPath,
  };
}
