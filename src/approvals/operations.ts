/**
 * Operations approval policies know about, with their built-in number of approvals.
 * A new operation that should be configurable here is added to this table.
 */
export const DEFAULT_REQUIRED = {
  'vm.migrate': 1,
  'node.standby': 1,
  'node.online': 1,
  'node.fence': 2,
  'lun.add': 1,
  'resource.cleanup': 0,
  'cluster.status': 0,
  'cluster.maintenance': 1,
  'node.maintenance': 1,
  'resource.maintenance': 1,
  'resource.stop': 1,
  'resource.start': 0,
  'resource.restart': 1,
  'resource.ban': 1,
  'resource.clear': 1,
  'vm.add': 1,
  'vm.remove': 1,
  'cluster.rolling': 1,
} as const satisfies Record<string, number>;

/** An operation name approval policies and freezes can name. */
export type PolicyOperation = keyof typeof DEFAULT_REQUIRED;

/** Every operation name approval policies and freezes accept. */
export const POLICY_OPERATIONS = Object.keys(DEFAULT_REQUIRED) as PolicyOperation[];

/**
 * What a freeze refuses when it names no operations: everything that changes a cluster.
 * `resource.cleanup` is left out on purpose: it only clears failure history and is what
 * on-call needs during an incident in a freeze; a freeze can still list it explicitly.
 */
export const DISRUPTIVE_OPERATIONS: readonly PolicyOperation[] = [
  'vm.migrate',
  'node.standby',
  'node.online',
  'node.fence',
  'lun.add',
  'cluster.maintenance',
  'node.maintenance',
  'resource.maintenance',
  'resource.stop',
  'resource.start',
  'resource.restart',
  'resource.ban',
  'resource.clear',
  'vm.add',
  'vm.remove',
  'cluster.rolling',
];

/** Approvals an operation needs when nothing is configured; unknown operations need 1 (fail safe). */
export function builtinRequired(operation: string): number {
  return (DEFAULT_REQUIRED as Record<string, number>)[operation] ?? 1;
}
