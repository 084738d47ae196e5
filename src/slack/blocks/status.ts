import type { ClusterNode, ClusterResource, ClusterStatus } from '../../cluster/model.ts';
import type { MaintenanceEntry } from '../../operations/maintenance-entry.ts';
import { context, esc, header, section, slackDate, type Block, type SlackMessage } from './format.ts';

function nodeLine(n: ClusterNode): string {
  const kind = n.type === 'remote' ? ' _remote node_' : n.type === 'guest' ? ` _guest node${n.container ? ` in ${esc(n.container)}` : ''}${n.host ? ` on ${esc(n.host)}` : ''}_` : '';
  const name = `*${esc(n.name)}*${n.isDc ? ' (DC)' : ''}${kind}`;
  if (n.unclean) return `:warning: ${name} — *UNCLEAN* (needs fencing)`;
  if (!n.online) return `:red_circle: ${name} — *offline*`;
  if (n.standby) return `:zzz: ${name} — *standby*${n.standbyOnFail ? ' (on failure)' : ''}, ${n.resourcesRunning} resource(s)`;
  if (n.maintenance) return `:construction: ${name} — *maintenance*`;
  return `:large_green_circle: ${name} — online, ${n.resourcesRunning} resource(s)`;
}

function failCount(r: ClusterResource): number {
  return Object.values(r.failCounts ?? {}).reduce((a, b) => a + b, 0);
}

/** Where it runs; each instance's role when they differ (promotable clones, bundle replicas). */
function whereOf(r: ClusterResource): string {
  const prims = r.kind === 'clone' ? walkAll(r.children ?? []).filter((c) => c.kind === 'primitive') : [];
  const inst = (prims.length === 1 ? prims[0]!.instances : r.instances)?.filter((i) => i.active) ?? [];
  if (r.kind === 'bundle' && inst.length) return ` — ${inst.map((i) => `${esc(i.id)} on ${i.nodes.map(esc).join(', ')}${i.role !== 'Started' ? ` (${esc(i.role)})` : ''}`).join(', ')}`;
  if (new Set(inst.map((i) => i.role)).size > 1) return ` — ${inst.map((i) => `${esc(i.role)} on ${i.nodes.map(esc).join(', ')}`).join(', ')}`;
  return r.nodes.length ? ` on ${r.nodes.map(esc).join(', ')}` : '';
}

function walkAll(rs: ClusterResource[]): ClusterResource[] {
  return rs.flatMap((r) => [r, ...walkAll(r.children ?? [])]);
}

function resourceLine(r: ClusterResource, indent = ''): string[] {
  const where = whereOf(r);
  const fails = failCount(r);
  let icon = r.active ? ':large_green_circle:' : ':white_circle:';
  let note = '';
  if (r.failed) {
    icon = ':x:';
    note = ' — *FAILED*';
  } else if (!r.managed) note = ' — _unmanaged_';
  if (r.orphaned) note += ' — _orphaned (no longer configured)_';
  if (r.guestNode) note += ` — hosts guest node *${esc(r.guestNode)}*`;
  if (fails > 0) note += ` — fail count ${fails}`;
  const kind = r.kind === 'primitive' ? (r.isFenceDevice ? ' (fence device)' : '') : ` (${r.kind})`;
  const line = `${indent}${icon} \`${esc(r.id)}\`${kind} ${esc(r.role)}${where}${note}`;
  // Clone instances repeat one line per node; a group's members matter individually.
  const kids = r.kind === 'group' ? (r.children ?? []).flatMap((c) => resourceLine(c, `${indent}    `)) : [];
  const failedKids = r.kind === 'clone' ? (r.children ?? []).filter((c) => c.failed).flatMap((c) => resourceLine(c, `${indent}    `)) : [];
  return [line, ...kids, ...failedKids];
}

/** Split lines into sections that respect Slack's 3000-character text limit. */
function chunked(title: string, lines: string[]): Block[] {
  const out: Block[] = [];
  let cur = title;
  for (const l of lines) {
    if (cur.length + l.length + 1 > 2800) {
      out.push(section(cur));
      cur = '';
    }
    cur += (cur ? '\n' : '') + l;
  }
  if (cur) out.push(section(cur));
  return out;
}

/**
 * `/hasf status`: nodes and resources of one cluster, with what needs attention on top —
 * failed resources, standby/offline/unclean nodes, leftover cli-prefer/cli-ban constraints.
 */
export function statusMessage(cluster: string, st: ClusterStatus, maintenance: readonly MaintenanceEntry[] = []): SlackMessage {
  const walk = (rs: ClusterResource[]): ClusterResource[] => rs.flatMap((r) => [r, ...walk(r.children ?? [])]);
  const all = walk(st.resources);
  const failed = all.filter((r) => r.failed);
  const standby = st.nodes.filter((n) => n.standby);
  const down = st.nodes.filter((n) => !n.online || n.unclean);
  const leftovers = st.constraints.filter((c) => c.leftover);
  const attention: string[] = [];
  if (!st.quorum.hasQuorum) attention.push(':rotating_light: *The cluster has no quorum.*');
  const since = (e: MaintenanceEntry | undefined) => (e?.since ? ` — since ${slackDate(e.since)}, by ${esc(e.by ?? '?')} (job \`${esc(e.job ?? '')}\`)` : e ? ' — since: unknown (set outside HASF)' : '');
  if (st.maintenanceMode) attention.push(`:construction: *Maintenance mode is on*: the cluster manages nothing${since(maintenance.find((m) => m.kind === 'cluster'))}.`);
  for (const m of maintenance.filter((x) => x.kind !== 'cluster')) {
    attention.push(`:construction: ${m.kind} \`${esc(m.name)}\` is in maintenance (${esc(m.flag)})${since(m)} — \`/hasf ${m.kind} maintenance ${esc(m.name)} off\` when done`);
  }
  if (st.stonithEnabled === false) attention.push(':warning: STONITH is disabled.');
  for (const r of failed) attention.push(`:x: \`${esc(r.id)}\` has *failed*${r.nodes.length ? ` on ${r.nodes.map(esc).join(', ')}` : ''} — after fixing the cause: \`/hasf cleanup ${esc(r.parent ?? r.id)}\``);
  for (const f of st.failedActions ?? []) {
    if (failed.some((r) => r.id === f.resource)) continue;
    attention.push(`:grey_exclamation: failed action: \`${esc(f.resource)}\` ${esc(f.operation)} on ${esc(f.node)}: ${esc(f.rcText)}${f.exitReason ? ` (${esc(f.exitReason)})` : ''} — \`/hasf cleanup ${esc(f.resource)}\` once understood`);
  }
  for (const t of st.tickets ?? []) if (!t.granted || t.standby) attention.push(`:ticket: ticket \`${esc(t.id)}\` is ${t.granted ? 'in standby' : 'not granted here'}${t.resources?.length ? ` (${t.resources.map(esc).join(', ')} cannot run)` : ''}`);
  for (const n of down.filter((x) => !(x.type === 'guest' && !x.online && !x.unclean))) attention.push(`${n.unclean ? ':warning:' : ':red_circle:'} node *${esc(n.name)}* is ${n.unclean ? 'UNCLEAN' : 'offline'}`);
  for (const n of standby) attention.push(`:zzz: node *${esc(n.name)}* is in standby — \`/hasf online ${esc(n.name)}\` when done`);
  for (const c of leftovers) {
    attention.push(`:pushpin: leftover \`${esc(c.id)}\` (${c.leftover === 'prefer' ? 'pins' : 'bans'} \`${esc(c.resource)}\`${c.node ? ` ${c.leftover === 'prefer' ? 'to' : 'from'} ${esc(c.node)}` : ''}, score ${esc(c.score)}) — left by a manual \`crm_resource --move/--ban\`; clear it with \`crm_resource --clear --resource ${esc(c.resource)}\``);
  }
  const online = st.nodes.filter((n) => n.online && !n.standby && !n.unclean).length;
  const summary = `${st.nodes.length} nodes (${online} online and active) · ${all.filter((r) => r.kind === 'primitive').length} resources · quorum: ${st.quorum.hasQuorum ? 'yes' : '*NO*'}${st.dcNode ? ` · DC ${esc(st.dcNode)}` : ''}`;
  const blocks: Block[] = [header(`Cluster ${cluster}`), section(summary)];
  if (attention.length) blocks.push(...chunked('*Needs attention*', attention));
  else blocks.push(section(':white_check_mark: Nothing needs attention: no failed resources, standby nodes or leftover constraints.'));
  blocks.push({ type: 'divider' });
  blocks.push(...chunked('*Nodes*', st.nodes.map(nodeLine)));
  blocks.push(...chunked('*Resources*', st.resources.flatMap((r) => resourceLine(r))));
  blocks.push(context(`Read ${slackDate(st.readAt)} from ${st.source}${st.stackVersion ? ` (Pacemaker ${esc(st.stackVersion)})` : ''}`));
  const text = `Cluster ${cluster}: ${summary.replace(/\*/g, '')}${attention.length ? `; ${attention.length} item(s) need attention` : ''}`;
  return { text, blocks: blocks.slice(0, 50) };
}
