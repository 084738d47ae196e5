import type { ClusterNode, ClusterResource, ClusterStatus } from '../../cluster/model.ts';
import { html, type Html } from '../html.ts';

/** Something a person on call should look at, shown above the picture. */
export interface Flag {
  severity: 'error' | 'warning' | 'info';
  message: string;
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

/** What is wrong or unusual, from the status alone (health findings of cluster.check join these). */
export function statusFlags(s: ClusterStatus): Flag[] {
  const f: Flag[] = [];
  if (!s.quorum.hasQuorum) f.push({ severity: 'error', message: 'The cluster has no quorum: it will not start or move resources, and nodes may be fenced.' });
  if (s.stonithEnabled === false) f.push({ severity: 'error', message: 'Fencing (stonith-enabled) is off: a node that fails can leave a VM running twice.' });
  if (s.maintenanceMode) f.push({ severity: 'warning', message: 'maintenance-mode is on: the cluster monitors nothing and moves nothing.' });
  for (const n of s.nodes) {
    if (n.unclean) f.push({ severity: 'error', message: `Node ${n.name} is unclean: it will be fenced.` });
  }
  for (const c of s.constraints.filter((x) => x.leftover)) {
    f.push({
      severity: 'warning',
      message: `Leftover constraint ${c.id}: ${c.resource} ${c.leftover === 'prefer' ? `is pinned to ${c.node ?? 'a node'}` : `is banned from ${c.node ?? 'a node'}`} (score ${c.score}) by an earlier crm_resource --move/--ban; clear it with crm_resource --clear --resource ${c.resource}.`,
    });
  }
  for (const r of everyResource(s.resources)) {
    if (r.failed) f.push({ severity: 'error', message: `${r.id} has failed${r.nodes.length ? ` on ${r.nodes.join(', ')}` : ''}.` });
    if (r.kind === 'primitive' && !r.parent && r.nodes.length > 1) f.push({ severity: 'error', message: `${r.id} is active on ${r.nodes.length} nodes at once (${r.nodes.join(', ')}).` });
    if (!r.managed && !r.parent) f.push({ severity: 'info', message: `${r.id} is unmanaged: the cluster will not start, stop or move it.` });
    for (const [node, count] of Object.entries(r.failCounts ?? {})) {
      if (count > 0) f.push({ severity: 'warning', message: `${r.id} has ${count} failure(s) on ${node}; resource.cleanup clears them.` });
    }
  }
  return f;
}

function everyResource(rs: readonly ClusterResource[]): ClusterResource[] {
  return rs.flatMap((r) => [r, ...everyResource(r.children ?? [])]);
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

/** Short badges of a resource tile. */
export function resourceBadges(r: ClusterResource): string[] {
  const b: string[] = [];
  if (r.failed) b.push('failed');
  if (!r.managed) b.push('unmanaged');
  if (r.isFenceDevice) b.push('fence device');
  if (r.allowMigrate) b.push('live-migratable');
  if (r.targetRole && r.targetRole !== 'Started' && r.targetRole !== r.role) b.push(`target-role ${r.targetRole}`);
  return b;
}

function badgeList(badges: string[], cls: string): Html {
  return html`${badges.map((b) => html`<span class="badge ${cls}-${b.replace(/[^a-z]+/gi, '-').replace(/^-|-$/g, '').toLowerCase()}">${b}</span>`)}`;
}

function tileHtml(t: Tile, node: string | undefined): Html {
  const r = t.resource;
  if (t.members) {
    return html`<li class="tile group" aria-label="group ${r.id}">
  <span class="kind">group</span> <span class="rid">${r.id}</span>
  <ul class="members">${t.members.map((m) => tileHtml({ resource: m }, node))}</ul>
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
  ${badgeList(resourceBadges(r), 'r')}
</li>`;
}

/** The flags box (also used for health findings). */
export function flagsHtml(flags: readonly Flag[]): Html {
  if (!flags.length) return html`<p class="allclear">Nothing needs attention: quorum, fencing and placement look normal.</p>`;
  return html`<ul class="flags" aria-label="Needs attention">${flags.map((f) => html`<li class="flag ${f.severity}"><span class="sev">${f.severity}</span> ${f.message}</li>`)}</ul>`;
}

/**
 * The cluster picture: nodes as columns with their badges, every resource as a tile in
 * the column of the node it runs on (groups and clones recognisable), resources that run
 * nowhere in their own column, and what needs attention above. Pure.
 */
export function clusterPicture(cluster: string, s: ClusterStatus, extraFlags: readonly Flag[] = []): Html {
  const { byNode, stopped } = placeTiles(s);
  const flags = [...statusFlags(s), ...extraFlags];
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
${flagsHtml(flags)}
<div class="columns">
${nodes.map((name) => {
  const n = nodeOf.get(name);
  const badges = n ? nodeBadges(n) : ['not a member'];
  const tiles = byNode.get(name) ?? [];
  const state = n ? (n.unclean ? 'unclean' : !n.online ? 'offline' : n.standby ? 'standby' : n.maintenance ? 'maintenance' : 'online') : 'unknown';
  return html`<section class="node node-${state}" aria-labelledby="node-${name}">
  <h3 id="node-${name}">${name}</h3>
  <p class="nbadges">${badgeList(badges, 'n')}</p>
  <ul class="tiles" aria-label="Resources on ${name}">${tiles.length ? tiles.map((t) => tileHtml(t, name)) : html`<li class="empty">no resources</li>`}</ul>
</section>`;
})}
${stopped.length ? html`<section class="node node-none" aria-labelledby="node--none">
  <h3 id="node--none">Not running</h3>
  <p class="nbadges"><span class="badge">stopped or unplaced</span></p>
  <ul class="tiles" aria-label="Resources running nowhere">${stopped.map((t) => tileHtml(t, undefined))}</ul>
</section>` : ''}
</div>
</div>`;
}
