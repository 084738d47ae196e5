import { flattenResources } from '../../src/cluster/parse-crm-mon.ts';
import type { ClusterStatus } from '../../src/cluster/model.ts';
import type { Summary, SummaryNode } from './summary.ts';

/** The model reduced to what a summary shows: node states and active instances. */
export interface ModelView {
  nodes: Map<string, SummaryNode & { type?: string }>;
  placements: string[];
  /** Members of promotable clones (their Started and Unpromoted are one role in old summaries). */
  promotable: Set<string>;
  /** Members of groups inside clones → their group: crm_mon lists such a group instance with one role. */
  clonedGroupOf: Map<string, string>;
}

/** Reduce a ClusterStatus to a ModelView. */
export function modelView(s: ClusterStatus): ModelView {
  const nodes = new Map<string, SummaryNode & { type?: string }>();
  for (const n of s.nodes) {
    const kind = n.type === 'remote' ? 'remote' : n.type === 'guest' ? 'guest' : 'member';
    nodes.set(n.name, { online: n.online, standby: n.standby, unclean: n.unclean, maintenance: n.maintenance, pending: n.pending ?? false, kind, ...(n.type ? { type: n.type } : {}) });
  }
  const placements: string[] = [];
  const promotable = new Set<string>();
  const clonedGroupOf = new Map<string, string>();
  const inBundle = new Set<string>();
  const all = flattenResources(s.resources);
  for (const r of all) {
    if (r.kind === 'bundle') for (const c of flattenResources(r.children ?? [])) inBundle.add(c.id);
    if (r.kind === 'clone' && r.promotable) for (const c of flattenResources(r.children ?? [])) promotable.add(c.id);
    if (r.kind === 'clone') for (const g of r.children ?? []) if (g.kind === 'group') for (const m of g.children ?? []) clonedGroupOf.set(m.id, g.id);
  }
  for (const r of all) {
    if (r.kind === 'bundle') {
      for (const i of r.instances ?? []) if (i.active) for (const n of i.nodes) placements.push(`${r.id}@${n}=${i.role}`);
      continue;
    }
    if (r.kind !== 'primitive' || inBundle.has(r.id)) continue;
    for (const i of r.instances ?? []) if (i.active) for (const n of i.nodes) placements.push(`${r.id}@${n}=${shownRole(i)}`);
  }
  // An operation in flight where the resource is not (yet) active shows as that operation there.
  for (const p of s.pendingActions ?? []) {
    const role = PENDING_ROLE[p.operation];
    if (!role || inBundle.has(p.resource)) continue;
    const r = all.find((x) => x.id === p.resource);
    if (r && !(r.instances ?? []).some((i) => i.active && i.nodes.includes(p.node))) placements.push(`${p.resource}@${p.node}=${role}`);
  }
  placements.sort();
  return { nodes, placements, promotable, clonedGroupOf };
}

/** crm_simulate shows an instance with an operation in flight by that operation. */
const PENDING_ROLE: Record<string, string> = { start: 'Starting', stop: 'Stopping', migrate_to: 'Migrating', migrate_from: 'Migrating', promote: 'Promoting', demote: 'Demoting' };
function shownRole(i: { role: string; pending?: string }): string {
  return (i.pending && PENDING_ROLE[i.pending]) || i.role;
}

/** One difference between the model and the summary. */
export interface Disagreement {
  what: 'node' | 'placement';
  detail: string;
}

const roleOf = (p: string) => p.slice(p.lastIndexOf('=') + 1);
const idOf = (p: string) => p.slice(0, p.indexOf('@'));

/** Compare; empty when they agree. */
export function compare(view: ModelView, summary: Summary): Disagreement[] {
  const out: Disagreement[] = [];
  for (const [name, sn] of summary.nodes) {
    const mn = view.nodes.get(name);
    if (!mn) {
      out.push({ what: 'node', detail: `${name}: in the summary, not in the model` });
      continue;
    }
    const diffs: string[] = [];
    if (!sn.pending && !mn.pending && sn.online !== mn.online && !(sn.unclean && mn.unclean)) diffs.push(`online ${mn.online} (summary ${sn.online})`);
    if (sn.unclean !== mn.unclean) diffs.push(`unclean ${mn.unclean} (summary ${sn.unclean})`);
    if (!sn.pending && !sn.unclean && sn.standby !== mn.standby && (sn.online || mn.online)) diffs.push(`standby ${mn.standby} (summary ${sn.standby})`);
    if (sn.maintenance !== mn.maintenance && (sn.online || mn.online)) diffs.push(`maintenance ${mn.maintenance} (summary ${sn.maintenance})`);
    if (sn.pending !== mn.pending) diffs.push(`pending ${mn.pending} (summary ${sn.pending})`);
    if (sn.kind !== mn.kind) diffs.push(`kind ${mn.kind} (summary ${sn.kind})`);
    if (diffs.length) out.push({ what: 'node', detail: `${name}: ${diffs.join(', ')}` });
  }
  for (const [name, mn] of view.nodes) {
    // crm_mon lists guest nodes only while they are up.
    if (!summary.nodes.has(name) && (mn.online || (mn.unclean && mn.kind !== 'guest')) && mn.type !== 'ping') out.push({ what: 'node', detail: `${name}: ${mn.online ? 'online' : 'unclean'} in the model, not in the summary` });
  }
  // Old summaries list a promotable clone's started instances as Started or Slave alike.
  const norm = (p: string) => (view.promotable.has(idOf(p)) && roleOf(p) === 'Started' ? p.replace(/=Started$/, '=Unpromoted') : p);
  const want = byGroup(summary.placements.map(norm), view.clonedGroupOf);
  const have = byGroup(view.placements.map(norm), view.clonedGroupOf);
  const missing = multisetMinus(want, have);
  const extra = multisetMinus(have, want);
  for (const p of missing) out.push({ what: 'placement', detail: `summary has ${p}, the model not` });
  for (const p of extra) out.push({ what: 'placement', detail: `the model has ${p}, the summary not` });
  return out;
}

const RANK: Record<string, number> = { Promoted: 3, Unpromoted: 2, Started: 2 };

/** Members of a cloned group folded into the group instance on each node, in its highest role. */
function byGroup(ps: string[], groupOf: Map<string, string>): string[] {
  const out: string[] = [];
  const best = new Map<string, string>();
  for (const p of ps) {
    const g = groupOf.get(idOf(p));
    if (!g) {
      out.push(p);
      continue;
    }
    const key = `${g}@${p.slice(p.indexOf('@') + 1, p.lastIndexOf('='))}`;
    const role = roleOf(p);
    const had = best.get(key);
    if (!had || (RANK[role] ?? 1) > (RANK[had] ?? 1)) best.set(key, role);
  }
  for (const [k, r] of best) out.push(`${k}=${r}`);
  return out.sort();
}

function multisetMinus(a: string[], b: string[]): string[] {
  const counts = new Map<string, number>();
  for (const x of b) counts.set(x, (counts.get(x) ?? 0) + 1);
  const out: string[] = [];
  for (const x of a) {
    const c = counts.get(x) ?? 0;
    if (c > 0) counts.set(x, c - 1);
    else out.push(x);
  }
  return out;
}
