import type { ClusterNode, ClusterResource, ClusterStatus, LocationConstraint } from '../../cluster/model.ts';
import { isHasfError } from '../../errors/index.ts';
import type { CheckReport } from '../../operations/check/index.ts';
import { html, type Html } from '../html.ts';
import { shellLine } from './timeline.ts';

/** The last health check (cluster.check) to show with the picture. */
export interface Health {
  report?: CheckReport;
  /** Why the check could not run. */
  error?: string;
  /** A check is running and none is known yet. */
  checking?: boolean;
}

/** One resource as it sits in a node column. */
interface Tile {
  resource: ClusterResource;
  /** The clone, group or bundle it belongs to. */
  within?: ClusterResource;
  /** Members of a group placed together on this node. */
  members?: ClusterResource[];
}

/** The badges of a node: what an admin reads first. */
export function nodeBadges(n: ClusterNode): string[] {
  const b: string[] = [];
  b.push(n.unclean ? 'unclean' : n.online ? 'online' : n.pending ? 'pending' : 'offline');
  if (n.standby) b.push(n.standbyOnFail ? 'standby (on fail)' : 'standby');
  if (n.maintenance) b.push('maintenance');
  if (n.shutdown) b.push('shutting down');
  if (n.isDc) b.push('DC');
  if (n.type && n.type !== 'member') b.push(n.type === 'remote' ? 'remote node' : n.type);
  return b;
}

/** Place every top-level resource in the columns of the nodes it runs on; the rest are "not running". */
export function placeTiles(s: ClusterStatus): { byNode: Map<string, Tile[]>; stopped: Tile[] } {
  const byNode = new Map<string, Tile[]>(s.nodes.map((n) => [n.name, []]));
  const stopped: Tile[] = [];
  const put = (node: string, t: Tile) => {
    if (!byNode.has(node)) byNode.set(node, []);
    byNode.get(node)!.push(t);
  };
  for (const r of s.resources) {
    if (r.kind === 'group') {
      const members = r.children ?? [];
      const nodes = [...new Set(members.flatMap((m) => m.nodes))];
      for (const n of nodes) put(n, { resource: r, members: members.filter((m) => m.nodes.includes(n)) });
      const idle = members.filter((m) => m.nodes.length === 0);
      if (idle.length) stopped.push({ resource: r, members: idle });
      continue;
    }
    if (r.kind === 'clone' || r.kind === 'bundle') {
      const inner = r.children?.[0];
      const nodes = r.nodes.length ? r.nodes : [...new Set((r.children ?? []).flatMap((c) => c.nodes))];
      for (const n of nodes) put(n, { resource: inner ?? r, within: r });
      if (nodes.length === 0) stopped.push({ resource: inner ?? r, within: r });
      continue;
    }
    if (r.nodes.length === 0) stopped.push({ resource: r });
    for (const n of r.nodes) put(n, { resource: r });
  }
  return { byNode, stopped };
}

/** Short badges of a resource tile (leftover move constraints on it included). */
export function resourceBadges(r: ClusterResource, constraints: readonly LocationConstraint[] = []): string[] {
  const b: string[] = [];
  if (r.failed) b.push('failed');
  if (!r.managed) b.push('unmanaged');
  if (r.isFenceDevice) b.push('fence device');
  if (r.allowMigrate) b.push('live-migratable');
  if (r.targetRole && r.targetRole !== 'Started' && r.targetRole !== r.role) b.push(`target-role ${r.targetRole}`);
  for (const [node, n] of Object.entries(r.failCounts ?? {})) if (n > 0) b.push(`${n} failure(s) on ${node}`);
  for (const c of constraints) {
    if (c.resource !== r.id || !c.leftover) continue;
    b.push(c.leftover === 'prefer' ? `pinned to ${c.node ?? '?'} (${c.id})` : `banned from ${c.node ?? '?'} (${c.id})`);
  }
  return b;
}

/** Badges as spans, each classed by its first word (`r-banned`, `n-standby`, …) for the stylesheet. */
function badgeList(badges: string[], cls: string): Html {
  return html`${badges.map((b) => html`<span class="badge ${cls}-${(/[a-z]+/i.exec(b)?.[0] ?? 'x').toLowerCase()}">${b}</span>`)}`;
}

function tileHtml(t: Tile, node: string | undefined, constraints: readonly LocationConstraint[]): Html {
  const r = t.resource;
  if (t.members) {
    return html`<li class="tile group" aria-label="group ${r.id}">
  <span class="kind">group</span> <span class="rid">${r.id}</span>
  <ul class="members">${t.members.map((m) => tileHtml({ resource: m }, node, constraints))}</ul>
</li>`;
  }
  const within = t.within;
  const classes = ['tile', r.isFenceDevice ? 'fence' : '', r.failed ? 'failed' : '', !r.managed ? 'unmanaged' : '', within ? 'clone' : '', /^vm/i.test(r.id) || /xen|domu|virtual/i.test(r.agent ?? '') ? 'vm' : ''].filter(Boolean).join(' ');
  const role = r.role;
  const label = `${within ? `${within.kind} ${within.id}: ` : ''}${r.id}, ${role}${node ? ` on ${node}` : ''}`;
  return html`<li class="${classes}" aria-label="${label}" data-resource="${r.id}">
  ${within ? html`<span class="kind">${within.kind} ${within.id}</span>` : ''}
  <span class="rid">${r.id}</span>
  <span class="role role-${role.toLowerCase().replace(/[^a-z]+/g, '-')}">${role}</span>
  ${r.agent ? html`<span class="agent">${r.agent}</span>` : ''}
  ${badgeList(resourceBadges(r, constraints), 'r')}
</li>`;
}

/** The health of a reading (or a cached check): the report, why it failed, or that it runs. */
export function healthOf(r: { check?: CheckReport; checkError?: unknown; checking?: boolean }): Health {
  const e = r.checkError;
  return { report: r.check, error: e === undefined ? undefined : isHasfError(e) ? `${e.message} (${e.code})` : 'unexpected error', checking: r.checking };
}

/** In place of the picture when the status can't be read (the page keeps trying). */
export function statusUnreadable(e: unknown): Html {
  return html`<p class="error" role="alert">The cluster's status could not be read: ${isHasfError(e) ? e.message : 'unexpected error'}${isHasfError(e) ? html` (<code>${e.code}</code>)` : ''}. This page keeps trying.</p>`;
}

/** What cluster.check found, each finding with its fix; or why there is nothing to show yet. */
export function healthHtml(h: Health): Html {
  if (h.error) return html`<p class="flag warning" role="status">The health check (cluster.check) could not run: ${h.error}</p>`;
  if (!h.report) return html`<p class="checking">${h.checking ? 'Running the health check (cluster.check)…' : 'No health check yet.'}</p>`;
  const r = h.report;
  const when = html`<time datetime="${r.checkedAt}">${r.checkedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}</time>`;
  if (!r.findings.length) return html`<p class="allclear">Health check clean (cluster.check at ${when}): quorum, fencing, clocks, names, links and placement look normal.</p>`;
  return html`<p class="checked">Health check (cluster.check at ${when}): ${r.counts.critical} critical, ${r.counts.warning} warning(s), ${r.counts.info} note(s).</p>
<ul class="flags" aria-label="Needs attention">${r.findings.map(
    (f) => html`<li class="flag ${f.severity === 'critical' ? 'error' : f.severity}"><span class="sev">${f.severity}</span> <strong>${f.subject}</strong>: ${f.message}
  <span class="fix">Fix: ${f.fix.summary}${f.fix.hasf ? html` — <code>hasf ${f.fix.hasf}</code>` : ''}${f.fix.argv ? html` — <code>${shellLine(f.fix.argv)}</code>${f.fix.on ? ` on ${f.fix.on}` : ''}` : ''}</span></li>`,
  )}</ul>`;
}

/**
 * The cluster picture: nodes as columns with their badges, every resource as a tile in
 * the column of the node it runs on (groups and clones recognisable, leftover move
 * constraints on their resource), resources that run nowhere in their own column, and
 * above them what cluster.check found. Pure.
 */
export function clusterPicture(cluster: string, s: ClusterStatus, health: Health = {}): Html {
  const { byNode, stopped } = placeTiles(s);
  const nodes = [...byNode.keys()];
  const nodeOf = new Map(s.nodes.map((n) => [n.name, n]));
  const facts = [
    s.quorum.hasQuorum ? 'quorum' : 'NO QUORUM',
    s.dcNode ? `DC ${s.dcNode}` : undefined,
    s.stackVersion ? `Pacemaker ${s.stackVersion}` : undefined,
    s.stonithEnabled === undefined ? undefined : s.stonithEnabled ? 'fencing on' : 'FENCING OFF',
    s.maintenanceMode ? 'maintenance-mode' : undefined,
  ].filter(Boolean) as string[];
  return html`<div class="picture" aria-label="Cluster ${cluster}">
<p class="facts">${facts.join(' · ')} · read <time datetime="${s.readAt}">${s.readAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}</time></p>
${healthHtml(health)}
<div class="columns">
${nodes.map((name) => {
  const n = nodeOf.get(name);
  const badges = n ? nodeBadges(n) : ['not a member'];
  const tiles = byNode.get(name) ?? [];
  const state = n ? (n.unclean ? 'unclean' : !n.online ? 'offline' : n.standby ? 'standby' : n.maintenance ? 'maintenance' : 'online') : 'unknown';
  return html`<section class="node node-${state}" aria-labelledby="node-${name}">
  <h3 id="node-${name}">${name}</h3>
  <p class="nbadges">${badgeList(badges, 'n')}</p>
  <ul class="tiles" aria-label="Resources on ${name}">${tiles.length ? tiles.map((t) => tileHtml(t, name, s.constraints)) : html`<li class="empty">no resources</li>`}</ul>
</section>`;
})}
${stopped.length ? html`<section class="node node-none" aria-labelledby="node--none">
  <h3 id="node--none">Not running</h3>
  <p class="nbadges"><span class="badge">stopped or unplaced</span></p>
  <ul class="tiles" aria-label="Resources running nowhere">${stopped.map((t) => tileHtml(t, undefined, s.constraints))}</ul>
</section>` : ''}
</div>
</div>`;
}
