import { HasfError } from '../errors/index.ts';
import { clusterRolling } from './cluster-rolling.ts';
import { closest } from '../util/closest.ts';
import { lunAdd } from './lun-add.ts';
import { clusterMaintenance, nodeMaintenance, resourceMaintenance } from './maintenance.ts';
import { nodeFence } from './node-fence.ts';
import { nodeOnline, nodeStandby } from './node-standby.ts';
import { resourceBan, resourceClear } from './resource-ban-clear.ts';
import { resourceCleanup } from './resource-cleanup.ts';
import { resourceRestart, resourceStart, resourceStop } from './resource-start-stop.ts';
import type { AnyOperation, OperationName } from './types.ts';
import { vmAdd } from './vm-add.ts';
import { vmMigrate } from './vm-migrate.ts';
import { vmRemove } from './vm-remove.ts';

/** Every queued operation, by name. cluster.status is read-only and served directly. */
export const OPERATIONS: Record<OperationName, AnyOperation> = {
  'vm.migrate': vmMigrate,
  'node.standby': nodeStandby,
  'node.online': nodeOnline,
  'node.fence': nodeFence,
  'lun.add': lunAdd,
  'resource.cleanup': resourceCleanup,
  'cluster.maintenance': clusterMaintenance,
  'node.maintenance': nodeMaintenance,
  'resource.maintenance': resourceMaintenance,
  'resource.stop': resourceStop,
  'resource.start': resourceStart,
  'resource.restart': resourceRestart,
  'resource.ban': resourceBan,
  'resource.clear': resourceClear,
  'vm.add': vmAdd,
  'vm.remove': vmRemove,
  'cluster.rolling': clusterRolling,
};

export const OPERATION_NAMES = Object.keys(OPERATIONS) as OperationName[];

/** The definition of `name`, or UNKNOWN_OPERATION with the closest names. */
export function getOperation(name: string): AnyOperation {
  const op = (OPERATIONS as Record<string, AnyOperation>)[name];
  if (op) return op;
  const near = closest(name, OPERATION_NAMES);
  throw new HasfError('UNKNOWN_OPERATION', `Unknown operation "${name}"${near.length ? `; did you mean ${near.join(', ')}?` : `; known: ${OPERATION_NAMES.join(', ')}`}.`, {
    operation: name,
    closest: near,
    known: OPERATION_NAMES,
  });
}
