/**
 * The lab: a real 3-node Corosync 3 + Pacemaker 2.1 cluster and a tgtd storage node in
 * network namespaces on this machine, started and stopped by our own code. Only the CLI
 * and the tests use it; product code never imports the lab.
 */
export { labUp, type LabInfo } from './up.ts';
export { labDown, type LabDownOptions } from './down.ts';
export { labStatus, type LabStatus, type LabMachineStatus } from './status.ts';
export { inventoryPath, LAB_IQN, LAB_CLUSTER } from './layout.ts';
export type { LabOptions } from './options.ts';
export { isRoot } from './root.ts';
export { labVmIds, LAB_FENCE_PASSWD } from './cib.ts';
export { LAB_SHAPES, DEFAULT_SHAPE, SEED, LAB_STICKINESS, type LabShape } from './shapes.ts';
export { labPower, labExec } from './control.ts';
export { labSkewClock, labHideHost, labRestoreHosts, labHeal } from './inject.ts';
export type { PowerAction } from './power-client.ts';
export { LAB_ROLLING, LAB_MARKER_FILE, LAB_TASK_FAILS_FILE, LAB_BOOT_ID_FILE } from './rolling-config.ts';
