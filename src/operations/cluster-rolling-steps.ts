import type { ClusterStatus } from '../cluster/model.ts';
import type { RebootMode } from '../config/rolling.ts';
import { allResources } from './status-helpers.ts';

/**
 * cluster.rolling's pure logic: the phases a node goes through, where a job stands from
 * its checkpoints, and what "drained" and "back in service" mean on a status.
 */

/** What happens to one node, in order. Each is checkpointed before it acts. */
export const PHASES = ['standby', 'drain', 'task', 'reboot', 'back', 'online', 'settle'] as const;
export type Phase = (typeof PHASES)[number];

/** One line per phase for the plan and the step log. */
export function phaseText(phase: Phase, node: string, task: string, reboot: RebootMode): string | undefined {
  switch (phase) {
    case 'standby':
      return `put ${node} in standby (its resources move away; VMs live-migrate)`;
    case 'drain':
      return `wait until ${node} runs nothing and the cluster has settled`;
    case 'task':
      return `run task "${task}" on ${node}`;
    case 'reboot':
      return reboot === 'none' ? undefined : reboot === 'clean' ? `reboot ${node} cleanly (the clean reboot command on ${node})` : `reboot ${node} through its fence device`;
    case 'back':
      return reboot === 'none' ? undefined : `wait until ${node} has rebooted (a new boot id) and is online in the cluster`;
    case 'online':
      return `take ${node} out of standby`;
    case 'settle':
      return `wait until the cluster has settled with ${node} online`;
  }
}

/** What the job's checkpoint holds (crash safety: which node, which phase). */
export interface RollingCheckpoint {
  /** Nodes finished, in order. */
  done: string[];
  /** The node in progress and the phase it has reached (written before the phase acts). */
  node?: string;
  phase?: Phase;
  /** The node's boot id before its reboot. */
  bootId?: string;
  /** When the reboot was sent (a recovered job never sends it twice). */
  rebootSentAt?: string;
  /** Resource instance counts before the job began (what "settled" returns to). */
  baseline?: Record<string, number>;
}

/** The checkpoint as stored, with defaults. */
export function readCheckpoint(raw: Readonly<Record<string, unknown>>): RollingCheckpoint {
  const done = Array.isArray(raw.done) ? raw.done.filter((n): n is string => typeof n === 'string') : [];
  const phase = (PHASES as readonly string[]).includes(raw.phase as string) ? (raw.phase as Phase) : undefined;
  return {
    done,
    node: typeof raw.node === 'string' ? raw.node : undefined,
    phase,
    bootId: typeof raw.bootId === 'string' ? raw.bootId : undefined,
    rebootSentAt: typeof raw.rebootSentAt === 'string' ? raw.rebootSentAt : undefined,
    baseline: raw.baseline && typeof raw.baseline === 'object' ? (raw.baseline as Record<string, number>) : undefined,
  };
}

/** Where a (possibly recovered) job goes on: the next node and the phase to start it at. */
export function resumePoint(nodes: readonly string[], cp: RollingCheckpoint): { node: string; phase: Phase; fresh: boolean } | undefined {
  for (const node of nodes) {
    if (cp.done.includes(node)) continue;
    if (cp.node === node && cp.phase) return { node, phase: cp.phase, fresh: false };
    return { node, phase: 'standby', fresh: true };
  }
  return undefined;
}

/** The phases still to run for a node from `from`, skipping the reboot phases when there is no reboot. */
export function phasesFrom(from: Phase, reboot: RebootMode): Phase[] {
  return PHASES.slice(PHASES.indexOf(from)).filter((p) => reboot !== 'none' || (p !== 'reboot' && p !== 'back'));
}

/**
 * What a stopped job had done: nodes finished, where it stopped, nodes never touched. A
 * job stopped at a pause point (no phase: before the node) did nothing to that node.
 */
export function stopReport(nodes: readonly string[], cp: RollingCheckpoint, stoppedAt: { node?: string; phase?: Phase }) {
  const done = nodes.filter((n) => cp.done.includes(n));
  const untouched = nodes.filter((n) => !cp.done.includes(n) && (n !== stoppedAt.node || !stoppedAt.phase));
  return { done, stoppedAt, untouched };
}

/** Primitives that count as "the cluster's services": not fence devices, not clone instances. */
function services(s: ClusterStatus) {
  const clones = new Set(s.resources.filter((r) => r.kind === 'clone').map((r) => r.id));
  return allResources(s).filter((r) => r.kind === 'primitive' && !r.isFenceDevice && !(r.parent && clones.has(r.parent)));
}

/** Active instance count per primitive id (clone members summed over their nodes). */
export function instanceCounts(s: ClusterStatus): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of allResources(s)) {
    if (r.kind !== 'primitive' || !r.active) continue;
    out[r.id] = (out[r.id] ?? 0) + Math.max(1, r.nodes.length);
  }
  return out;
}

const TRANSIENT_ROLES = new Set(['Starting', 'Stopping', 'Migrating', 'Promoting', 'Demoting']);

/** Nothing on its way anywhere: no resource in a transitional role. */
function calm(s: ClusterStatus): boolean {
  return allResources(s).every((r) => !TRANSIENT_ROLES.has(r.role));
}

/**
 * `node` is in standby, runs no primitive, and every service that ran before runs
 * somewhere (it moved, it did not stop). Why not, or undefined when drained.
 */
export function notDrained(s: ClusterStatus, node: string, baseline: Record<string, number>): string | undefined {
  const n = s.nodes.find((x) => x.name === node);
  if (!n?.standby) return `${node} is not in standby yet`;
  const left = allResources(s).filter((r) => r.kind === 'primitive' && r.active && r.nodes.includes(node)).map((r) => r.id);
  if (left.length) return `${left.join(', ')} still on ${node}`;
  const stopped = services(s).filter((r) => (baseline[r.id] ?? 0) > 0 && !r.active).map((r) => r.id);
  if (stopped.length) return `${stopped.join(', ')} not running anywhere`;
  if (!calm(s)) return 'resources still moving';
  return undefined;
}


/**
 * `node` is online and out of standby and the cluster has returned to what it ran before
 * the job (every primitive instance count back to its baseline). Why not, or undefined.
 */
export function notSettled(s: ClusterStatus, node: string, baseline: Record<string, number>): string | undefined {
  const n = s.nodes.find((x) => x.name === node);
  if (!n || !n.online || n.unclean) return `${node} is not online`;
  if (n.standby) return `${node} is still in standby`;
  const counts = instanceCounts(s);
  const short = Object.entries(baseline)
    .filter(([id, c]) => (counts[id] ?? 0) < c)
    .map(([id]) => id);
  if (short.length) return `${short.join(', ')} not back to what ran before`;
  if (!calm(s)) return 'resources still moving';
  return undefined;
}
