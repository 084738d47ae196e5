/**
 * cluster.rolling's configuration for the lab (the demo's and the tests'): a task that
 * leaves a marker on the node's own disk, the lab's clean reboot, and the lab's boot id
 * (the nodes share the host's kernel, so the kernel's boot_id never changes; each lab
 * boot writes a fresh one to /run, a tmpfs of the machine's own).
 */

import type { RollingConfigInput } from '../config/rolling.ts';

/** Where the marker task writes (the host's /var/lib is shared; /var/lib/corosync is each node's disk). */
export const LAB_MARKER_FILE = '/var/lib/corosync/hasf-rolling-marker';
/** While this file exists on a node, the marker task fails there (an injectable failure). */
export const LAB_TASK_FAILS_FILE = '/var/lib/corosync/hasf-task-fails';
/** The per-boot id each lab machine's boot writes. */
export const LAB_BOOT_ID_FILE = '/run/hasf-boot-id';

/** The `rolling:` section of a lab configuration (config input, before parsing). */
export const LAB_ROLLING: RollingConfigInput = {
  tasks: {
    marker: {
      argv: ['sh', '-c', `if [ -e ${LAB_TASK_FAILS_FILE} ]; then echo "injected failure: ${LAB_TASK_FAILS_FILE} exists" >&2; exit 3; fi; date +%s%N > ${LAB_MARKER_FILE}`],
      reboot: 'clean',
      timeout: '2m',
      description: `write ${LAB_MARKER_FILE} on the node, then reboot it cleanly (fails while ${LAB_TASK_FAILS_FILE} exists there)`,
    },
  },
  cleanReboot: ['hasf-lab-reboot'],
  bootId: ['cat', LAB_BOOT_ID_FILE],
  backOnlineTimeout: '3m',
};
