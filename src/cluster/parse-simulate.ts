import type { PredictedAction } from './model.ts';
import { attr, kid, kids, parseXml } from './xml.ts';

/**
 * The predicted actions of `crm_simulate --output-as=xml` (2.1+): `<actions>` holds one
 * `<rsc_action action= resource= node=|source= dest=>` per resource and one
 * `<node_action task="Fence (reboot)" node=>` per fenced node.
 */
export function parseSimulateXml(xml: string): PredictedAction[] {
  const doc = parseXml(xml, 'crm_simulate');
  const root = kid(doc, 'pacemaker-result');
  const actions = kid(root, 'actions');
  const out: PredictedAction[] = [];
  for (const n of kids(actions, 'node_action')) {
    const task = attr(n, 'task') ?? '';
    const fence = /^Fence(?:\s*\((\w+)\))?/i.exec(task);
    const a: Draft = { action: fence ? 'fence' : task.toLowerCase().split(/\s+/)[0] ?? task, node: attr(n, 'node') };
    if (fence?.[1]) a.detail = fence[1];
    else if (attr(n, 'reason')) a.detail = attr(n, 'reason');
    out.push(withText(a));
  }
  for (const r of kids(actions, 'rsc_action')) {
    const a: Draft = { action: (attr(r, 'action') ?? '').toLowerCase(), resource: attr(r, 'resource') };
    const node = attr(r, 'node');
    const source = attr(r, 'source');
    const dest = attr(r, 'dest');
    if (node) a.node = node;
    // A role change (promote/demote) names the node it happens on as `source`, without `dest`.
    // (Promote from Stopped: start and promote there, named as `dest` alone.)
    if (!node && (source === undefined) !== (dest === undefined)) a.node = source ?? dest;
    else {
      if (source) a.from = source;
      if (dest) a.to = dest;
    }
    const role = attr(r, 'role');
    const next = attr(r, 'next-role');
    const roleText = role && next ? `${role} → ${next}` : role && role !== 'Started' ? role : undefined;
    const reason = attr(r, 'reason');
    if (roleText || reason) a.detail = [roleText, reason].filter(Boolean).join('; ');
    out.push(withText(a));
  }
  return out;
}

/**
 * The "Transition Summary" of crm_simulate's text output, in the 1.1 form
 * (` * Migrate vm1 (Started node2 -> node3)`) and the 2.x form
 * (`  * Migrate    vm1     ( node2 -> node3 )`, `  * Stop fs:1 ( node2 )  due to node availability`,
 * `  * Fence (reboot) node2 'peer is no longer part of the cluster'`).
 */
export function parseTransitionSummary(text: string): PredictedAction[] {
  const start = text.indexOf('Transition Summary:');
  if (start < 0) return [];
  const out: PredictedAction[] = [];
  for (const raw of text.slice(start).split('\n').slice(1)) {
    const line = raw.trim();
    if (!line) continue;
    if (!line.startsWith('*')) break; // the next section ("Executing Cluster Transition:")
    const body = line.replace(/^\*\s*/, '');
    const fence = /^Fence(?:\s*\((\w+)\))?\s+(\S+)(?:\s+'(.*)')?/.exec(body);
    if (fence) {
      const a: Draft = { action: 'fence', node: fence[2] };
      if (fence[1]) a.detail = fence[1];
      out.push(withText(a));
      continue;
    }
    const m = /^(\S+)\s+(\S+)\s+\(\s*(.*?)\s*\)\s*(?:due to (.*))?$/.exec(body);
    if (!m) continue;
    const a: Draft = { action: m[1]!.toLowerCase(), resource: m[2] };
    const where = m[3]!;
    const arrow = where.split(/\s*->\s*/);
    if (arrow.length === 2) {
      const from = lastWord(arrow[0]!);
      const to = lastWord(arrow[1]!);
      // "Promote ms:0 ( Unpromoted -> Promoted node1 )": roles, not nodes, on the left.
      if (/^(Started|Stopped|Promoted|Unpromoted|Master|Slave)$/.test(from)) a.node = to;
      else Object.assign(a, { from, to });
    } else if (where) a.node = lastWord(where);
    if (m[4]) a.detail = m[4].trim();
    out.push(withText(a));
  }
  return out;
}

function lastWord(s: string): string {
  const w = s.trim().split(/\s+/);
  return w[w.length - 1] ?? '';
}

type Draft = Omit<PredictedAction, 'text'>;

/** Adds the one-line description approvers read. */
function withText(a: Draft): PredictedAction {
  let text: string;
  if (a.action === 'fence') text = `fence${a.detail ? ` (${a.detail})` : ''} ${a.node ?? '?'}`;
  else if (a.from || a.to) text = `${a.resource}: ${a.action} ${a.from ?? '?'} → ${a.to ?? '?'}`;
  else text = `${a.resource ?? ''}: ${a.action}${a.node ? ` on ${a.node}` : ''}${a.detail ? ` (${a.detail})` : ''}`;
  return { ...a, text };
}
