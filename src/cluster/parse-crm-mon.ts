import { HasfError } from '../errors/index.ts';
import type { ClusterNode, ClusterResource, ClusterStatus, FailedAction, LocationConstraint, Ticket } from './model.ts';
import { attr, baseId, kid, kids, normalizeAgent, normalizeRole, parseXml, type XEl } from './xml.ts';

/** Pacemaker's INFINITY as a number (fail counts and scores saturate there). */
export const INFINITY = 1_000_000;

/** crm_mon elements the model never reads; skipping them is a third of the parse time. */
const NOT_READ: ReadonlySet<string> = new Set(['operation_history', 'attribute']);

/** Options of the status parsers. */
export interface ParseOptions {
  /** Timestamp stored as `readAt`; default now. */
  readAt?: string;
  /**
   * Recover from malformed tags as libxml2's recovery mode does (old Pacemaker read CIB
   * files that way): for files from disk, never for live output.
   */
  recover?: boolean;
}

/**
 * Parse `crm_mon --output-as=xml` (2.0.3+, root `<pacemaker-result>`) or
 * `crm_mon --as-xml` (1.1.7+, root `<crm_mon version=…>`) into the model. Constraints and
 * allow-migrate are not in crm_mon's output: merge the CIB in (mergeCibIntoStatus).
 */
export function parseCrmMonXml(xml: string, opts: ParseOptions = {}): ClusterStatus {
  const doc = parseXml(xml, 'crm_mon', NOT_READ, opts.recover ?? false);
  let root = kid(doc, 'pacemaker-result');
  let source: ClusterStatus['source'] = 'crm_mon-output-as-xml';
  if (!root) {
    root = kid(doc, 'crm_mon');
    source = 'crm_mon-as-xml';
  }
  if (!root) {
    throw new HasfError('PARSE_ERROR', 'The crm_mon output has neither a <pacemaker-result> nor a <crm_mon> root: check the command and the stack version.', {
      roots: Object.keys(doc),
    });
  }
  const code = attr(kid(root, 'status'), 'code');
  if (code !== undefined && code !== '0' && !kid(root, 'nodes')) {
    throw new HasfError('COMMAND_FAILED', `crm_mon reported status ${code} (${attr(kid(root, 'status'), 'message') ?? 'no message'}): check the cluster is running on that node.`, { code });
  }
  return statusFromCrmMonRoot(root, source, opts);
}

/** Build the model from a crm_mon-shaped element (also crm_simulate's cluster_status). */
export function statusFromCrmMonRoot(root: XEl, source: ClusterStatus['source'], opts: ParseOptions = {}): ClusterStatus {
  const summary = kid(root, 'summary');
  const dc = kid(summary, 'current_dc');
  const options = kid(summary, 'cluster_options');
  const nodesEl = kid(root, 'nodes') ?? kid(root, 'nodes');
  const nodes: ClusterNode[] = kids(nodesEl, 'node').map(parseNode);
  const failCounts = parseFailCounts(kid(root, 'node_history'));
  const resources = parseResourceList(kid(root, 'resources'), failCounts);
  const dcNode = attr(dc, 'present') === 'true' ? attr(dc, 'name') : nodes.find((n) => n.isDc)?.name;
  const dcVersion = attr(dc, 'version');
  const expected = attr(kid(summary, 'nodes_configured'), 'expected_votes');
  const status: ClusterStatus = {
    source,
    stackVersion: dcVersion ? dcVersion.split('-')[0] : attr(root, 'version'),
    dcNode,
    quorum: {
      hasQuorum: attr(dc, 'with_quorum') === 'true',
      ...(expected && /^\d+$/.test(expected) ? { expectedVotes: Number(expected) } : {}),
    },
    // 3.0.2 prints fencing-enabled beside the deprecated stonith-enabled; the new one wins.
    stonithEnabled: options ? (attr(options, 'fencing-enabled') ?? attr(options, 'stonith-enabled')) === 'true' : undefined,
    maintenanceMode: options ? attr(options, 'maintenance-mode') === 'true' : undefined,
    nodes,
    resources,
    constraints: parseBans(kid(root, 'bans')),
    fenceDevices: [],
    readAt: opts.readAt ?? new Date().toISOString(),
    failedActions: parseFailures(kid(root, 'failures')),
  };
  const tickets = kids(kid(root, 'tickets'), 'ticket').map((t): Ticket => ({ id: attr(t, 'id') ?? '', granted: attr(t, 'status') === 'granted' || attr(t, 'granted') === 'true', standby: attr(t, 'standby') === 'true' }));
  if (tickets.length) status.tickets = tickets;
  status.fenceDevices = collectFenceDevices(resources);
  // A guest node's host is where its container runs.
  if (nodes.some((n) => n.type === 'guest')) {
    const byId = new Map<string, ClusterResource>();
    for (const r of flattenResources(resources)) if (r.kind === 'primitive' && !byId.has(r.id)) byId.set(r.id, r);
    for (const n of nodes) {
      const host = n.type === 'guest' && n.container ? byId.get(n.container)?.nodes[0] : undefined;
      if (host) n.host = host;
    }
  }
  return status;
}

function parseNode(n: XEl): ClusterNode {
  const a = n.$ ?? {};
  return {
    name: a.name ?? '',
    id: a.id,
    online: a.online === 'true',
    standby: a.standby === 'true',
    standbyOnFail: a.standby_onfail === 'true',
    unclean: a.unclean === 'true',
    pending: a.pending === 'true',
    shutdown: a.shutdown === 'true',
    maintenance: a.maintenance === 'true',
    isDc: a.is_dc === 'true',
    resourcesRunning: Number(a.resources_running ?? 0) || 0,
    // crm_mon calls guest nodes remote too; id_as_resource names their container.
    type: a.type === 'remote' && a.id_as_resource ? 'guest' : a.type,
    ...(a.id_as_resource ? { container: a.id_as_resource } : {}),
  };
}

const OCF_EXIT: Record<string, number> = { ok: 0, error: 1, 'not running': 7, promoted: 8, 'not installed': 5, 'not configured': 6, 'insufficient privileges': 4, 'invalid parameter': 2, 'unimplemented feature': 3 };

/** `<failures>` (crm_mon's Failed Resource Actions). */
function parseFailures(el: XEl | undefined): FailedAction[] {
  return kids(el, 'failure').map((f) => {
    const a = f.$ ?? {};
    const rc = a.exitcode !== undefined ? Number(a.exitcode) : (OCF_EXIT[a.exitstatus ?? ''] ?? 1);
    const opKey = a.op_key ?? '';
    const m = /^(.+)_([a-z_]+)_(\d+)$/.exec(opKey);
    const changed = a['last-rc-change'];
    const at = changed ? (/^\d+$/.test(changed) ? new Date(Number(changed) * 1000) : new Date(changed)) : undefined;
    return {
      resource: baseId(m?.[1] ?? opKey),
      node: a.node ?? '',
      operation: a.task ?? m?.[2] ?? '',
      intervalMs: Number(a.interval ?? m?.[3] ?? 0) || 0,
      rc,
      rcText: a.exitstatus ?? String(rc),
      ...(a.status && a.status !== 'complete' ? { status: a.status } : {}),
      ...(a.exitreason ? { exitReason: a.exitreason } : {}),
      ...(at && !Number.isNaN(at.getTime()) ? { at: at.toISOString() } : {}),
    };
  });
}

/** fail-count per resource id (clone suffix dropped) per node, from `<node_history>`. */
function parseFailCounts(history: XEl | undefined): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>();
  for (const node of kids(history, 'node')) {
    const nodeName = attr(node, 'name') ?? '';
    for (const rh of kids(node, 'resource_history')) {
      const fc = attr(rh, 'fail-count');
      if (fc === undefined) continue;
      const n = fc === 'INFINITY' || fc === '+INFINITY' ? INFINITY : Number(fc);
      if (!(n > 0)) continue;
      const id = baseId(attr(rh, 'id') ?? '');
      const rec = out.get(id) ?? {};
      rec[nodeName] = (rec[nodeName] ?? 0) + n;
      out.set(id, rec);
    }
  }
  return out;
}

function parseResourceList(list: XEl | undefined, fc: Map<string, Record<string, number>>): ClusterResource[] {
  return [
    ...kids(list, 'resource').map((r) => parsePrimitive(r, fc)),
    ...kids(list, 'group').map((g) => parseGroup(g, fc)),
    ...kids(list, 'clone').map((c) => parseClone(c, fc)),
    ...kids(list, 'bundle').map((b) => parseBundle(b, fc)),
  ];
}

function parsePrimitive(r: XEl, fc: Map<string, Record<string, number>>, parent?: string): ClusterResource {
  const a = r.$ ?? {};
  const id = baseId(a.id ?? '');
  const agent = normalizeAgent(a.resource_agent);
  const res: ClusterResource = {
    id,
    kind: 'primitive',
    agent,
    role: normalizeRole(a.role),
    active: a.active === 'true',
    managed: a.managed !== 'false',
    failed: a.failed === 'true',
    nodes: kids(r, 'node').map((n) => attr(n, 'name') ?? ''),
    isFenceDevice: agent?.startsWith('stonith:') ?? false,
  };
  res.instances = [
    {
      id: a.id ?? id,
      role: res.role,
      active: res.active,
      failed: res.failed,
      nodes: [...res.nodes],
      ...(a.pending ? { pending: a.pending } : {}),
    },
  ];
  if (a.orphaned === 'true' || a.removed === 'true') res.orphaned = true;
  if (a.blocked === 'true') res.blocked = true;
  if (a.pending) res.pending = a.pending;
  if (a.target_role) res.targetRole = normalizeRole(a.target_role);
  if (parent) res.parent = parent;
  const counts = fc.get(id);
  if (counts) res.failCounts = counts;
  return res;
}

function parseGroup(g: XEl, fc: Map<string, Record<string, number>>, parent?: string): ClusterResource {
  const id = baseId(attr(g, 'id') ?? '');
  const children = kids(g, 'resource').map((r) => parsePrimitive(r, fc, id));
  return aggregate(id, 'group', children, g, parent);
}

/** A clone lists one element per instance; the model keeps one child per member id. */
function parseClone(c: XEl, fc: Map<string, Record<string, number>>): ClusterResource {
  const id = attr(c, 'id') ?? '';
  const instances = [
    ...kids(c, 'resource').map((r) => parsePrimitive(r, fc, id)),
    ...kids(c, 'group').map((g) => parseGroup(g, fc, id)),
  ];
  const r = aggregate(id, 'clone', mergeInstances(instances), c);
  r.promotable = attr(c, 'multi_state') === 'true';
  r.unique = attr(c, 'unique') === 'true';
  return r;
}

/**
 * A bundle lists per replica its address, container, connection and the resource inside;
 * the model keeps them as children and one instance per replica: active on the node its
 * container runs on, in the role of the resource inside (the container's when empty).
 */
function parseBundle(b: XEl, fc: Map<string, Record<string, number>>): ClusterResource {
  const id = attr(b, 'id') ?? '';
  const inner: ClusterResource[] = [];
  const replicas: NonNullable<ClusterResource['instances']> = [];
  const containerId = new RegExp(`^${escapeRe(id)}-(docker|podman|rkt)-\\d+$`);
  for (const replica of kids(b, 'replica')) {
    const members = kids(replica, 'resource').map((r) => parsePrimitive(r, fc, id));
    inner.push(...members);
    const container = members.find((m) => /:(docker|podman|rkt)$/.test(m.agent ?? '') || containerId.test(m.id));
    const implicit = (m: ClusterResource) => m === container || m.id.startsWith(`${id}-ip-`) || m.id === `${id}-${attr(replica, 'id') ?? ''}`;
    const payload = members.find((m) => !implicit(m));
    const host = container?.nodes[0];
    const role = payload ? payload.role : (container?.role ?? 'Stopped');
    const active = role !== 'Stopped' && !!host && (payload ? payload.active : !!container?.active);
    replicas.push({ id: `${id}-${attr(replica, 'id') ?? replicas.length}`, role, active, failed: members.some((m) => m.failed), nodes: active && host ? [host] : [] });
  }
  const r = aggregate(id, 'bundle', mergeInstances(inner), b);
  r.instances = replicas;
  r.nodes = [...new Set(replicas.flatMap((x) => x.nodes))];
  r.active = r.nodes.length > 0;
  return r;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Fold clone instances with the same id into one resource running on all their nodes. */
function mergeInstances(instances: ClusterResource[]): ClusterResource[] {
  const byId = new Map<string, ClusterResource>();
  for (const r of instances) {
    const seen = byId.get(r.id);
    if (!seen) {
      byId.set(r.id, { ...r, nodes: [...r.nodes] });
      continue;
    }
    seen.nodes.push(...r.nodes.filter((n) => !seen.nodes.includes(n)));
    if (r.instances) seen.instances = [...(seen.instances ?? []), ...r.instances];
    seen.active ||= r.active;
    seen.failed ||= r.failed;
    seen.managed &&= r.managed;
    if (rank(r.role) > rank(seen.role)) seen.role = r.role;
    if (r.children && seen.children) seen.children = mergeInstances([...seen.children, ...r.children]);
  }
  return [...byId.values()];
}

const ROLE_RANK: Record<string, number> = { Stopped: 0, Starting: 1, Stopping: 1, Migrating: 2, Started: 3, Unpromoted: 3, Promoted: 4 };
function rank(role: string): number {
  return ROLE_RANK[role] ?? 1;
}

function aggregate(id: string, kind: ClusterResource['kind'], children: ClusterResource[], el: XEl, parent?: string): ClusterResource {
  const nodes: string[] = [];
  for (const c of children) for (const n of c.nodes) if (!nodes.includes(n)) nodes.push(n);
  let role = 'Stopped';
  for (const c of children) if (rank(c.role) > rank(role)) role = c.role;
  const res: ClusterResource = {
    id,
    kind,
    role,
    active: children.some((c) => c.active),
    managed: attr(el, 'managed') !== 'false' && children.every((c) => c.managed),
    failed: attr(el, 'failed') === 'true' || children.some((c) => c.failed),
    nodes,
    children,
    isFenceDevice: false,
  };
  if (parent) res.parent = parent;
  return res;
}

function collectFenceDevices(resources: ClusterResource[]): ClusterResource[] {
  const out: ClusterResource[] = [];
  const walk = (rs: ClusterResource[]) => {
    for (const r of rs) {
      if (r.isFenceDevice) out.push(r);
      if (r.children) walk(r.children);
    }
  };
  walk(resources);
  return out;
}

/** `<bans>` (2.x) lists negative location constraints; the CIB gives the full list. */
function parseBans(bans: XEl | undefined): LocationConstraint[] {
  return kids(bans, 'ban').map((b) => {
    const id = attr(b, 'id') ?? '';
    return {
      id,
      resource: attr(b, 'resource') ?? '',
      node: attr(b, 'node'),
      score: attr(b, 'weight') ?? '-INFINITY',
      hasRule: false,
      leftover: leftoverKind(id),
    };
  });
}

/** cli-prefer-* / cli-ban-* (and Heartbeat 2.1's cli-standby-*) are left by crm_resource. */
export function leftoverKind(id: string): LocationConstraint['leftover'] {
  if (id.startsWith('cli-prefer-')) return 'prefer';
  if (id.startsWith('cli-ban-') || id.startsWith('cli-standby-')) return 'ban';
  return null;
}

/** Every resource in the tree, depth first (groups and clones before their members). */
export function flattenResources(resources: ClusterResource[]): ClusterResource[] {
  const out: ClusterResource[] = [];
  const walk = (rs: ClusterResource[]) => {
    for (const r of rs) {
      out.push(r);
      if (r.children) walk(r.children);
    }
  };
  walk(resources);
  return out;
}
