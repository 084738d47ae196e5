import type { StorageTargetConfig } from '../config/inventory.ts';
import type { LockTarget } from './types.ts';

/**
 * The lines jobs queue in, one per object, whatever operation touches it: jobs sharing a
 * line run one at a time, in the order they were queued.
 */

/** A Pacemaker resource (primitive, group or clone), by id: vm.migrate, resource.cleanup, … */
export const resourceLine = (id: string): LockTarget => ({ kind: 'resource', name: id });

/** A cluster node: node jobs, and migrations from or to it. */
export const nodeLine = (node: string): LockTarget => ({ kind: 'node', name: node });

/** The cluster's one line for node-level disruption (standby, online, fence): one at a time. */
export const CLUSTER_DISRUPTIVE: LockTarget = { kind: 'cluster-disruptive', name: '*' };

/**
 * An iSCSI target daemon on a storage host: targets served by one daemon share its
 * configuration (two IET targets on a host both rewrite /etc/ietd.conf), so they share a line.
 */
export const storageLine = (t: Pick<StorageTargetConfig, 'driver' | 'host'>): LockTarget => ({ kind: 'storage', name: `${t.driver}@${t.host}` });

/** Lines of a node-level disruptive job: the node itself, and the cluster's disruptive line. */
export const disruptiveNodeLocks = (p: { node: string }): LockTarget[] => [nodeLine(p.node), CLUSTER_DISRUPTIVE];

/** Whether every line of `want` is among `held` (a job holding them may run). */
export function linesCovered(want: readonly LockTarget[], held: readonly LockTarget[]): boolean {
  return want.every((w) => held.some((h) => h.kind === w.kind && h.name === w.name));
}

/** The same lines once each, in a stable order (so equal sets compare equal). */
export function uniqueLines(lines: readonly LockTarget[]): LockTarget[] {
  const seen = new Map<string, LockTarget>();
  for (const l of lines) seen.set(`${l.kind}\u0000${l.name}`, { kind: l.kind, name: l.name });
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, l]) => l);
}
