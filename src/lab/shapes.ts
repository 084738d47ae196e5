/**
 * The cluster shapes the lab can be built with. `seed` (the default) has what real
 * clusters have and the seed's runbook describes: location preferences stronger and
 * weaker than stickiness, a group, a resource without allow-migrate, a promotable clone,
 * node utilization with placement-strategy=utilization, a resource that failed with a
 * fail count, and a leftover cli-ban. `tidy` is VMs and the file system clone only.
 */
export const LAB_SHAPES = ['seed', 'tidy'] as const;
export type LabShape = (typeof LAB_SHAPES)[number];
export const DEFAULT_SHAPE: LabShape = 'seed';

/** resource-stickiness of both shapes (rsc_defaults). */
export const LAB_STICKINESS = 100;

/**
 * What the seed shape holds, by the role each object plays, so tests and docs name the
 * object for a case ("the VM that prefers a node") instead of repeating ids.
 */
export const SEED = {
  /** Above stickiness: moved away and its move constraint cleared, the VM comes back. */
  preference: { vm: 'vm3', node: 'node3', constraint: 'vm3-prefers-node3', score: 200 },
  /** Below stickiness (like the seed's vm1location.xml with a low score): moved away, it stays. */
  weakPreference: { vm: 'vm1', node: 'node1', constraint: 'vm1-prefers-node1', score: 50 },
  /** An IP + service group (the seed's test-ip). */
  group: { id: 'web-grp', ip: 'web-ip', service: 'web-svc', ipHost: 100 },
  /** A VM that must never share a node with the group (colocation -INFINITY). */
  apart: { vm: 'vm2', from: 'web-grp', constraint: 'vm2-apart-from-web-grp' },
  /** No allow-migrate: a move is stop + start. */
  notMigratable: 'vm6',
  /** ocf:pacemaker:Stateful, promoted on one node, preferring node1 for the promoted role. */
  promotable: { clone: 'db-clone', primitive: 'db', node: 'node1', constraint: 'db-promoted-prefers-node1', score: 100 },
  /** placement-strategy=utilization: node capacity and VM sizes (MiB of memory). */
  utilization: {
    attribute: 'memory',
    nodes: { node1: 65536, node2: 65536, node3: 32768 } as Record<string, number>,
    vm: 4096,
    /** The big VM (a 48 GiB database server): it never fits on the small node. */
    big: { vm: 'vm4', size: 49152 },
    small: 'node3',
  },
  /** Its start fails on one node (Dummy's fail_start_on) that it prefers: fail count INFINITY there, runs elsewhere. */
  failed: { resource: 'legacy-app', node: 'node2', constraint: 'legacy-app-prefers-node2', score: 200 },
  /** Left by a hand-typed `crm_resource --ban --resource vm5 --node node1`. */
  leftoverBan: { vm: 'vm5', node: 'node1', constraint: 'cli-ban-vm5-on-node1' },
} as const;

/** What the lab waits for before calling a cluster of this shape settled. */
export interface ShapeExpectations {
  /** Primitive ids that must run (Started, or Promoted/Unpromoted for promotable ones). */
  running: string[];
  /** Clone primitives and how many instances must run. */
  instances: Record<string, number>;
  /** Promotable primitives: exactly one instance promoted. */
  promoted: string[];
}

/** Readiness expectations of `shape` on a lab of `nodeCount` nodes. */
export function shapeExpectations(shape: LabShape, vmIds: string[], nodeCount: number): ShapeExpectations {
  const base = { running: ['fence-lab', 'shared-fs', ...vmIds], instances: { 'shared-fs': nodeCount } as Record<string, number>, promoted: [] as string[] };
  if (shape === 'tidy') return base;
  const p = SEED.promotable.primitive;
  return {
    running: [...base.running, SEED.group.ip, SEED.group.service, SEED.failed.resource, p],
    instances: { ...base.instances, [p]: nodeCount },
    promoted: [p],
  };
}
