import { join } from 'node:path';
import type { VmTemplate } from '../config/inventory.ts';
import type { LabLayout } from './layout.ts';

/** Where the lab keeps guest configurations (the lab dir is visible to every node, like shared storage). */
export function labVmConfigDir(layout: Pick<LabLayout, 'dir'>): string {
  return join(layout.dir, 'vms');
}

/**
 * How vm.add creates a VM on the lab: the lab's own domU agent with its `config` file,
 * ordered after and colocated with the shared file system clone, as vm1…vm6 are.
 */
export function labVmTemplate(layout: Pick<LabLayout, 'dir'>): VmTemplate {
  return {
    agent: 'ocf:hasf:domU',
    configParam: 'config',
    configDir: labVmConfigDir(layout),
    params: {},
    sharedStorage: 'shared-fs-clone',
    allowMigrate: true,
    timeouts: { monitorInterval: '10s', monitor: '20s', start: '20s', stop: '20s', migrateTo: '60s', migrateFrom: '20s' },
  };
}
