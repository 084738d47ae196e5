import { dependantsOf, parseDependencies, type ClusterStatus, type Dependant } from '../cluster/index.ts';
import { HasfError } from '../errors/index.ts';
import { quorumAndFencing } from './check/rules-cluster.ts';
import { nodeStates } from './check/rules-nodes.ts';
import type { Finding } from './check/types.ts';
import { allResources } from './status-helpers.ts';
import { resourceLine, uniqueLines } from './lines.ts';
import type { LockScope, LockTarget, OperationContext, Plan } from './types.ts';

/**
 * The critical cluster.check findings that need no probe of the nodes: no quorum, fencing
 * disabled or without a running device, an unclean node. Read from the status preflight
 * already has, so refusing costs nothing.
 */
export async function criticalFindings(ctx: OperationContext, status?: ClusterStatus): Promise<Finding[]> {
  const s = status ?? (await ctx.status());
  const { spec } = await ctx.pacemaker.dialect();
  return [...quorumAndFencing({ status: s, dialect: spec }), ...nodeStates({ status: s, dialect: spec, probes: [] })].filter((f) => f.severity === 'critical');
}

/**
 * Refuse disruptive work (stopping, moving, creating or removing resources) while a
 * critical finding makes it unsafe: UNSAFE_CLUSTER naming each finding and its fix.
 */
export async function requireSafeCluster(ctx: OperationContext, what: string, status?: ClusterStatus): Promise<void> {
  const critical = await criticalFindings(ctx, status);
  if (!critical.length) return;
  const named = critical.map((f) => `${f.code} (${f.message} Fix: ${f.fix.summary})`).join('; ');
  throw new HasfError('UNSAFE_CLUSTER', `Refusing to ${what}: cluster.check finds the cluster unsafe for it — ${named}`, {
    findings: critical.map((f) => ({ code: f.code, subject: f.subject, message: f.message, fix: f.fix.summary })),
  });
}

const base = (id: string) => id.replace(/:\d+$/, '');

/** `id` and every resource inside it (a group's or clone's members). */
export function selfAndMembers(status: ClusterStatus, id: string): Set<string> {
  const all = allResources(status);
  const out = new Set([id]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const r of all) {
      if (r.parent && out.has(r.parent) && !out.has(r.id)) {
        out.add(r.id);
        grew = true;
      }
    }
  }
  return out;
}

/** What else the scheduler stops when `ids` stop, each with the order/colocation/group tie that brings it along. */
export interface StopsWith {
  resource: string;
  nodes: string[];
  via?: Dependant;
}

/**
 * The resources, other than `id` and its members, that the prediction stops (and that no
 * prediction action starts again elsewhere), explained by the CIB's order and colocation
 * constraints. Without a prediction: the constraints alone, for what runs now.
 */
export async function stopsWith(ctx: OperationContext, status: ClusterStatus, id: string, prediction: Plan['prediction']): Promise<StopsWith[]> {
  const own = selfAndMembers(status, id);
  let ties: Dependant[] = [];
  try {
    ties = dependantsOf(parseDependencies(await ctx.pacemaker.cib()), [...own]);
  } catch {
    // Unreadable CIB: the prediction still says what stops, only not why.
  }
  const why = new Map(ties.map((d) => [d.resource, d]));
  const out = new Map<string, StopsWith>();
  if (prediction) {
    const started = new Set(prediction.actions.filter((a) => ['start', 'move', 'migrate', 'recover'].includes(a.action)).map((a) => base(a.resource ?? '')));
    for (const a of prediction.actions) {
      if (a.action !== 'stop' || !a.resource) continue;
      const r = base(a.resource);
      if (own.has(r) || started.has(r)) continue;
      const entry = out.get(r) ?? { resource: r, nodes: [], ...(why.get(r) ? { via: why.get(r) } : {}) };
      if (a.node && !entry.nodes.includes(a.node)) entry.nodes.push(a.node);
      out.set(r, entry);
    }
    return [...out.values()];
  }
  const running = new Map(allResources(status).map((r) => [r.id, r]));
  return ties.filter((d) => running.get(d.resource)?.active).map((d) => ({ resource: d.resource, nodes: running.get(d.resource)!.nodes, via: d }));
}

/** One line per dependant, for plans: "vm1 (node2) stops too: order-shared-fs-then-vm1 orders it after shared-fs-clone". */
export function stopsWithLines(list: StopsWith[]): string[] {
  return list.map((s) => {
    const where = s.nodes.length ? ` (on ${s.nodes.join(', ')})` : '';
    const how = !s.via ? '' : s.via.how === 'group' ? `: it follows in group ${s.via.via}` : `: ${s.via.via} ${s.via.how === 'order' ? 'orders it after' : 'colocates it with'} what stops`;
    return `${s.resource}${where} stops too${how}.`;
  });
}

/**
 * The lines of a job that stops `id`: its own, and those of everything ordered after,
 * colocated with or grouped after it (they stop too), so a migration of a dependant and
 * the stop of what it depends on never run at once.
 */
export async function stopLines(scope: LockScope, id: string): Promise<LockTarget[]> {
  const own = [resourceLine(id)];
  if (!scope.pacemaker) return own;
  try {
    const status = await scope.status();
    const deps = dependantsOf(parseDependencies(await scope.pacemaker.cib()), [...selfAndMembers(status, id)]);
    return uniqueLines([...own, ...deps.map((d) => resourceLine(d.resource))]);
  } catch {
    // The CIB unreadable now: the job's own line; its turn re-reads them.
    return own;
  }
}
