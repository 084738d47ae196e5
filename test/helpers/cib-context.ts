import { CibFileExecutor, PacemakerDriver, type ClusterStatus } from '../../src/cluster/index.ts';
import type { StackDialect } from '../../src/cluster/dialects.ts';
import type { VmTemplate } from '../../src/config/inventory.ts';
import { rollingSchema, type RollingConfig } from '../../src/config/rolling.ts';
import type { OperationContext } from '../../src/operations/types.ts';
import { LocalExecutor } from '../../src/ssh/local-executor.ts';

/**
 * An operation context whose Pacemaker driver runs the real tools (crm_mon, crm_simulate,
 * crm_resource, cibadmin) on the CIB file `file` (CIB_file=): preflight and plans are
 * judged by the real scheduler with no cluster. Its status is read once, as a request's is.
 */
export function cibFileContext(file: string, o: { dialect?: StackDialect; vms?: VmTemplate; rolling?: RollingConfig; cluster?: string } = {}): OperationContext & { pacemaker: PacemakerDriver } {
  const pacemaker = new PacemakerDriver({ name: o.cluster ?? 'cib', exec: new CibFileExecutor(new LocalExecutor(), file), ...(o.dialect ? { dialect: o.dialect } : {}) });
  let status: Promise<ClusterStatus> | undefined;
  return {
    cluster: o.cluster ?? 'cib',
    jobId: 'dry-run',
    pacemaker,
    storageTargets: [],
    storage: () => {
      throw new Error('no storage: a CIB file');
    },
    status: () => (status ??= pacemaker.status()),
    onNode: () => {
      throw new Error('no nodes: a CIB file (preflight and plan run nothing on a node)');
    },
    rolling: o.rolling ?? rollingSchema.parse({}),
    ...(o.vms ? { vms: o.vms } : {}),
  };
}
