import type { StorageTargetConfig } from '../config/inventory.ts';
import type { LockTarget } from './types.ts';

/**
 * The lines jobs queue in, one per object, whatever operation touches it: jobs in one line
 * run in the order they were queued, one at a time — or together, when all of them only
 * share it (migrations from and to a node share its line; a standby of it is exclusive).
 */

/** A Pacemaker resource (primitive, group or clone), by id: vm.migrate, resource.cleanup, … */
export const resourceLine = (id: string): LockTarget => ({ kind: 'resource', name: id });

/** A cluster node: node jobs (exclusive), and migrations from or to it (`shared`). */
export const nodeLine = (node: string, mode: 'shared' | 'exclusive' = 'exclusive'): LockTarget =>
  mode === 'shared' ? { kind: 'node', name: node, mode } : { kind: 'node', name: node };

/** The cluster's one line for node-level disruption (standby, online, fence): one at a time. */
export const CLUSTER_DISRUPTIVE: LockTarget = { kind: 'cluster-disruptive', name: '*' };

/**
 * An iSCSI target daemon on a storage host: targets served by one daemon share its
 * configuration (two IET targets on a host both rewrite /etc/ietd.conf), so they share a line.
 */
export const storageLine = (t: Pick<StorageTargetConfig, 'driver' | 'host'>): LockTarget => ({ kind: 'storage', name: `${t.driver}@${t.host}` });

/** Lines of a node-level disruptive job: the node itself, and the cluster's disruptive line. */
export const disruptiveNodeLocks = (p: { node: string }): LockTarget[] => [nodeLine(p.node), CLUSTER_DISRUPTIVE];

const exclusive = (l: LockTarget) => l.mode !== 'shared';

/** Whether every line of `want` is among `held`, at least as strongly (a job holding them may run). */
export function linesCovered(want: readonly LockTarget[], held: readonly LockTarget[]): boolean {
  return want.every((w) => held.some((h) => h.kind === w.kind && h.name === w.name && (exclusive(h) || !exclusive(w))));
}

/** Each line once (exclusive wins over shared), in a stable order, so equal sets compare equal. */
export function uniqueLines(lines: readonly LockTarget[]): LockTarget[] {
  const seen = new Map<string, LockTarget>();
  for (const l of lines) {
    const k = `${l.kind}\u0000${l.name}`;
    const before = seen.get(k);
    const strong = exclusive(l) || (before !== undefined && exclusive(before));
    seen.set(k, strong ? { kind: l.kind, name: l.name } : { kind: l.kind, name: l.name, mode: 'shared' });
  }
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, l]) => l);
}
