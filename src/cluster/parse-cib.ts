import { HasfError } from '../errors/index.ts';
import { metaOf, nvpairs, readCibConfig, resolveHistoryId, type CibConfig, type ConfPrimitive } from './cib-config.ts';
import type { ClusterNode, ClusterResource, ClusterStatus, FailedAction, LocationConstraint, PendingAction, ResourceInstance, Ticket } from './model.ts';
import { recordedOp, replayHistory, type OpState } from './op-history.ts';
import { flattenResources, INFINITY, leftoverKind, type ParseOptions } from './parse-crm-mon.ts';
import { attr, baseId, kid, kids, normalizeRole, parseXml, truthy, type XEl } from './xml.ts';

/**
 * Parse a CIB with its status section (`cibadmin -Q`, a crm_report's cib.xml, a scheduler
 * test input) from any stack — Heartbeat 2.1's crm-1.0 to pacemaker-4.0 — into the model.
 * The configuration is read directly; the running state is derived from the status
 * section the way the scheduler derives it: node membership and join state (with or
 * without fencing), each resource's operation history replayed per node
 * (op-history.ts), guest and remote nodes online when their connection runs, resources
 * active on a node that left uncleanly counted there (the node is to be fenced).
 */
export function parseCib(xml: string, opts: ParseOptions = {}): ClusterStatus {
  const doc = parseXml(xml, 'cibadmin -Q', undefined, opts.recover ?? false);
  const cib = kid(doc, 'cib');
  if (!cib) {
    throw new HasfError('PARSE_ERROR', 'The cibadmin output has no <cib> root: check the command ran against a cluster node.', { roots: Object.keys(doc) });
  }
  return statusFromCib(cib, opts);
}

/** One node while the status is derived. */
interface NodeWork {
  node: ClusterNode;
  state?: XEl;
  kind: 'member' | 'remote' | 'guest';
  unpacked: boolean;
}

/** What the histories say: per primitive id, its state per node. */
interface Placement {
  node: string;
  instance?: string;
  st: OpState;
}

/** Build the model from a `<cib>` element. */
export function statusFromCib(cib: XEl, opts: ParseOptions = {}): ClusterStatus {
  const config = kid(cib, 'configuration');
  const props = nvpairs(kids(kid(config, 'crm_config'), 'cluster_property_set'));
  const prop = (name: string) => metaOf(props, name);
  const fencingValue = prop('fencing-enabled') ?? prop('stonith-enabled');
  // Both default to true since 1.0; Heartbeat 2.1 / 0.6 (no validate-with yet) defaulted to false.
  const preOne = attr(cib, 'validate-with') === undefined;
  const fencing = fencingValue === undefined ? !preOne : truthy(fencingValue);
  const startupFencing = prop('startup-fencing') === undefined ? true : truthy(prop('startup-fencing'));
  const maintenanceMode = truthy(prop('maintenance-mode'));
  const dcUuid = attr(cib, 'dc-uuid') ?? attr(cib, 'dc_uuid');
  const conf = readCibConfig(config);

  const statusEl = kid(cib, 'status');
  const states = kids(statusEl, 'node_state');
  const stateOf = (id: string, name: string) => states.find((s) => attr(s, 'id') === id) ?? states.find((s) => attr(s, 'uname') === name);

  // Nodes: the configured ones, remote nodes (ocf:pacemaker:remote), guest nodes.
  const work = new Map<string, NodeWork>();
  for (const n of kids(kid(config, 'nodes'), 'node')) {
    const id = attr(n, 'id') ?? '';
    const name = attr(n, 'uname') ?? id;
    const type = attr(n, 'type');
    const kind = type === 'remote' ? 'remote' : 'member';
    const st = stateOf(id, name);
    const permanent = nvpairs(kids(n, 'instance_attributes'));
    work.set(name, { node: newNode(name, id, kind, type === 'ping' ? 'ping' : kind, permanent), ...(st ? { state: st } : {}), kind, unpacked: false });
  }
  for (const r of conf.remotes) if (!work.has(r)) work.set(r, { node: newNode(r, r, 'remote', 'remote', {}), ...withState(stateOf(r, r)), kind: 'remote', unpacked: false });
  for (const [g, container] of conf.guests) {
    const w = work.get(g);
    if (w) w.kind = 'guest';
    const entry = w ?? { node: newNode(g, g, 'guest', 'guest', {}), ...withState(stateOf(g, g)), kind: 'guest' as const, unpacked: false };
    entry.node.type = 'guest';
    entry.node.container = container;
    work.set(g, entry);
  }

  // Connections no longer configured (an orphaned ocf:pacemaker:remote still running): their
  // nodes are still there, guest nodes when the history names a container.
  const orphanGuests = new Map<string, string>();
  for (const st of states) {
    for (const lr of kids(kid(kid(st, 'lrm'), 'lrm_resources'), 'lrm_resource')) {
      const id = attr(lr, 'id') ?? '';
      if (attr(lr, 'type') !== 'remote' || attr(lr, 'provider') !== 'pacemaker' || work.has(id) || conf.primitives.has(id)) continue;
      const container = attr(lr, 'container');
      const kind = container ? 'guest' : 'remote';
      if (container) orphanGuests.set(id, container);
      const node = newNode(id, id, kind, kind, {});
      if (container) node.container = container;
      work.set(id, { node, ...withState(stateOf(id, id)), kind, unpacked: false });
    }
  }

  // Cluster nodes: membership, as determine_online_status() reads it.
  for (const w of work.values()) {
    const transient = nvpairs(kids(kid(w.state, 'transient_attributes'), 'instance_attributes'));
    applyAttributes(w.node, transient);
    // Heartbeat 2.1 / 0.6 recorded a shutdown request on node_state itself.
    // A remote or guest node in maintenance is recorded on its node_state (2.0+).
    if (attr(w.state, 'node_in_maintenance') === '1') w.node.maintenance = true;
    const sdAttr = attr(w.state, 'shutdown');
    if (sdAttr && sdAttr !== '0') w.node.shutdown = true;
    if (w.kind !== 'member') continue;
    if (w.node.type === 'ping') continue;
    memberState(w, transient, fencing, startupFencing);
    w.node.isDc = w.node.id === dcUuid;
  }

  const placements = new Map<string, Placement[]>();
  const orphans = new Map<string, { agent: string; places: Placement[] }>();
  const failedActions: FailedAction[] = [];
  const pendingActions: PendingAction[] = [];
  const unpack = (w: NodeWork) => {
    w.unpacked = true;
    for (const lr of kids(kid(kid(w.state, 'lrm'), 'lrm_resources'), 'lrm_resource')) {
      const lrmId = attr(lr, 'id') ?? '';
      const ops = kids(lr, 'lrm_rsc_op').map((o) => recordedOp(o.$ ?? {}));
      if (!ops.length) continue;
      const hit = resolveHistoryId(conf, lrmId) ?? implicitId(conf, lrmId);
      const prim = hit ? conf.primitives.get(hit.id) : undefined;
      const managed = !maintenanceMode && !w.node.maintenance && !isFalse(metaOf(prim?.meta ?? {}, 'is-managed')) && !truthy(metaOf(prim?.meta ?? {}, 'maintenance'));
      const st = replayHistory(ops, { managed, fencing, ...(prim ? { onFailOf: prim.onFail, promotable: prim.clone?.promotable ?? false, inContainer: metaOf(prim.meta, 'container') !== undefined } : {}) });
      const rid = hit?.id ?? baseId(lrmId);
      for (const f of st.failures) failedActions.push(failedAction(rid, w.node.name, f));
      // The scheduler remembers one operation in flight per resource: the first it meets.
      if (st.pending && !pendingActions.some((x) => x.resource === rid)) pendingActions.push({ resource: rid, node: w.node.name, operation: st.pending });
      const place: Placement = { node: w.node.name, st, ...(hit?.instance ? { instance: hit.instance } : lrmId !== rid ? { instance: lrmId } : {}) };
      if (hit) {
        const list = placements.get(hit.id) ?? [];
        list.push(place);
        placements.set(hit.id, list);
      } else {
        const o = orphans.get(rid) ?? { agent: agentOf(lr), places: [] };
        o.places.push(place);
        orphans.set(rid, o);
      }
      // A managed resource active on a node that left uncleanly: the node is to be fenced.
      if (isActive(st) && managed && !w.node.online && (fencing || w.kind === 'guest')) w.node.unclean = true;
      // (A guest node is "fenced" by recovering its container: it is not shown unclean.)
      if (isActive(st) && st.failed && st.onFail === 'fence' && !w.node.unclean && w.kind !== 'guest') w.node.unclean = true;
      if (isActive(st) && st.failed && st.onFail === 'standby') w.node.standbyOnFail = w.node.standby = true;
    }
  };
  const lookup = (id: string | undefined) => placements.get(id ?? '') ?? orphans.get(id ?? '')?.places ?? [];
  // Cluster nodes first (offline ones only with fencing: their resources must be fenced away).
  // In the status section's order, as the scheduler walks it (it matters for what it meets first).
  const order = (w: NodeWork) => (w.state ? states.indexOf(w.state) : Number.MAX_SAFE_INTEGER);
  for (const w of [...work.values()].sort((a, b) => order(a) - order(b))) if (w.kind === 'member' && (w.node.online || fencing)) unpack(w);
  // Then remote and guest nodes whose connection is up; with fencing, the rest too.
  for (let changed = true; changed; ) {
    changed = false;
    for (const w of work.values()) {
      if (w.kind === 'member' || w.unpacked) continue;
      remoteOnline(w, conf, lookup, work);
      if (w.node.online) {
        unpack(w);
        changed = true;
      }
    }
  }
  // Remote and guest nodes still down: with fencing, what they ran is to be fenced away
  // (a guest by recovering its container).
  for (const w of work.values()) {
    if (w.kind === 'member' || w.unpacked) continue;
    remoteOnline(w, conf, lookup, work);
    if (fencing) unpack(w);
  }
  // A remote node never seen (no node_state) is fenced at start-up, as a cluster node is,
  // unless its connection is up.
  for (const w of work.values()) if (w.kind === 'remote' && conf.remotes.has(w.node.name) && !w.state && !w.node.online && fencing && startupFencing) w.node.unclean = true;
  // no-quorum-policy=suicide without quorum (and with fencing, and quorum once had or
  // no-quorum-panic set): every online node is to fence itself.
  const quorate = truthy(attr(cib, 'have-quorum') ?? attr(cib, 'have_quorum'));
  if (prop('no-quorum-policy') === 'suicide' && fencing && !quorate && attr(cib, 'no-quorum-panic') === '1') {
    for (const w of work.values()) if (w.kind === 'member' && w.node.online) w.node.unclean = true;
  }
  // Migrations (unpack_migrate_to_success/_failure): a migrate_to the target completed
  // (migrate_from) leaves a dangling source, no longer active; a migrate_from that failed
  // leaves the source failed; a migrate_to the target has recorded nothing newer than (no
  // migrate_from, no later operation) counts on the target too — failed if it failed.
  for (const list of placements.values()) {
    for (const p of [...list]) {
      const m = p.st.lastMigrateTo;
      if (!m) continue;
      const there = list.find((x) => x.node === m.target);
      // Without a time on the migrate_to, anything but a probe on the target counts as newer.
      const newerThere = there && (m.at === undefined ? !!there.st.acted : (there.st.lastChange ?? 0) > m.at);
      if (m.ok && there?.st.sawMigrateFrom) {
        if (there.st.migratedIn && isActive(there.st)) {
          if (p.st.migratingTo && isActive(p.st)) p.st = { ...p.st, role: 'Stopped' };
        } else if (isActive(p.st)) p.st = { ...p.st, failed: true, onFail: p.st.onFail ?? 'restart' };
      } else if (!newerThere && !(there && isActive(there.st)) && !(!m.ok && m.followed) && work.get(m.target)?.node.online) {
        // (A failed migrate_to followed by a stop or start on the source completed the migration.)
        const st = { role: 'Started' as const, failed: !m.ok, failures: [], ...(m.ok ? {} : { onFail: 'restart' as const }) };
        if (there) there.st = { ...there.st, ...st, failures: there.st.failures };
        else list.push({ node: m.target, st });
      }
    }
  }
  // Clone instances on a guest node that is down are not placed there: the clone counts
  // them stopped (crm_mon lists the node among its Stopped), while a primitive stays.
  for (const [id, list] of placements) {
    const cp = conf.primitives.get(id);
    if (!cp?.clone || cp.bundle) continue;
    placements.set(id, list.filter((p) => !(work.get(p.node)?.kind === 'guest' && !work.get(p.node)?.node.online)));
  }
  // Resources on a node being fenced are not failed there (the fence recovers them).
  for (const list of [...placements.values(), ...[...orphans.values()].map((o) => o.places)]) {
    for (const p of list) if (work.get(p.node)?.node.unclean && p.st.failed) p.st = { ...p.st, failed: false };
  }

  const resources = buildResources(kid(config, 'resources'), conf, placements, maintenanceMode, failCountsByResource(work));
  for (const [id, o] of orphans) {
    const active = o.places.filter((p) => isActive(p.st));
    if (!active.length) continue;
    const r = primitiveFrom(id, o.agent, active, { orphaned: true, managed: !maintenanceMode });
    // Multi-active, it has one role everywhere (the highest), as a configured primitive does.
    if ((r.instances?.length ?? 0) > 1) for (const i of r.instances!) i.role = r.role;
    resources.push(r);
  }
  const nodes = [...work.values()].map((w) => w.node);
  for (const n of nodes) n.resourcesRunning = 0;
  for (const r of flattenResources(resources)) {
    if (r.kind !== 'primitive') continue;
    for (const inst of r.instances ?? []) for (const node of inst.active ? inst.nodes : []) {
      const n = nodes.find((x) => x.name === node);
      if (n) n.resourcesRunning++;
    }
  }
  const tickets = readTickets(statusEl, kid(config, 'constraints'));
  const dcVersion = prop('dc-version');
  const status: ClusterStatus = {
    source: 'cibadmin',
    stackVersion: dcVersion ? dcVersion.split('-')[0] : undefined,
    dcNode: nodes.find((n) => n.isDc)?.name,
    quorum: { hasQuorum: truthy(attr(cib, 'have-quorum') ?? attr(cib, 'have_quorum')) },
    stonithEnabled: fencingValue === undefined ? undefined : truthy(fencingValue),
    maintenanceMode,
    nodes,
    resources,
    constraints: parseLocationConstraints(kid(config, 'constraints')),
    fenceDevices: flattenResources(resources).filter((r) => r.isFenceDevice),
    readAt: opts.readAt ?? new Date().toISOString(),
    failedActions,
    pendingActions,
    ...(tickets.length ? { tickets } : {}),
    ...(Object.keys(conf.tags).length ? { tags: conf.tags } : {}),
  };
  return status;
}

function withState(st: XEl | undefined): { state?: XEl } {
  return st ? { state: st } : {};
}

function newNode(name: string, id: string, _kind: string, type: string, permanent: Record<string, string>): ClusterNode {
  return {
    name,
    id,
    online: false,
    standby: truthy(permanent.standby),
    unclean: false,
    pending: false,
    shutdown: false,
    maintenance: truthy(permanent.maintenance),
    isDc: false,
    resourcesRunning: 0,
    type,
  };
}

/** Transient attributes override permanent ones (standby until reboot, maintenance). */
function applyAttributes(n: ClusterNode, transient: Record<string, string>): void {
  if (transient.standby !== undefined) n.standby = truthy(transient.standby);
  if (transient.maintenance !== undefined) n.maintenance = truthy(transient.maintenance);
  const sd = transient.shutdown;
  n.shutdown = sd !== undefined && sd !== '0' && sd !== '' && sd !== 'false';
}

/** determine_online_status_fencing / _no_fencing (lib/pengine/unpack.c), for a cluster node. */
function memberState(w: NodeWork, transient: Record<string, string>, fencing: boolean, startupFencing: boolean): void {
  const n = w.node;
  const st = w.state;
  if (!st) {
    // Never seen: fenced at start-up unless startup-fencing=false.
    n.unclean = fencing && startupFencing;
    return;
  }
  const ha = attr(st, 'ha');
  const inCcmRaw = attr(st, 'in_ccm');
  const inCluster = truthy(inCcmRaw) && (ha === undefined || ha === 'active');
  const crmd = attr(st, 'crmd');
  const crmdOnline = crmd === 'online' || (crmd !== undefined && /^\d+$/.test(crmd) && Number(crmd) > 0);
  const join = attr(st, 'join');
  const expected = attr(st, 'expected') ?? 'down';
  const term = transient.terminate;
  const terminate = term !== undefined && (truthy(term) || /^[1-9]\d*$/.test(term));
  if (!fencing) {
    if (!inCluster) return;
    if (crmdOnline) {
      n.online = join === 'member';
      if (!n.online) n.pending = true;
    } else if (expected === 'member') n.unclean = true;
    return;
  }
  let online = inCluster;
  if (n.shutdown) online = crmdOnline;
  else if (inCcmRaw === undefined) n.unclean = true;
  else if (join === 'banned' || join === 'nack') n.unclean = true;
  else if (!terminate && expected === 'down') {
    if (inCluster || crmdOnline) n.pending = true;
  } else if (terminate && join === 'down' && !inCluster && !crmdOnline) online = false;
  else if (!inCluster) n.unclean = true;
  else if (!crmdOnline) n.unclean = true;
  else if (terminate) n.unclean = true;
  else if (join === 'member') {
    /* online */
  } else if (join === 'pending' || join === 'down') n.pending = true;
  else n.unclean = true;
  n.online = online && !(n.pending && !inCluster);
}

/**
 * A remote node is online when its connection runs and has not failed; a guest node when
 * its connection (a resource named after it) runs and its container runs, neither failed.
 */
function remoteOnline(w: NodeWork, conf: CibConfig, of: (id: string | undefined) => Placement[], work: Map<string, NodeWork>): void {
  const conn = of(w.node.name);
  const connUp = conn.some((p) => isActive(p.st)) && !conn.some((p) => p.st.failed);
  if (w.kind !== 'guest') {
    w.node.online = connUp;
    return;
  }
  const container = of(conf.guests.get(w.node.name) ?? w.node.container);
  const active = container.filter((p) => isActive(p.st));
  const containerUp = active.length > 0 && !container.some((p) => p.st.failed);
  w.node.online = connUp && containerUp;
  if (active[0]) {
    w.node.host = active[0].node;
    const host = work.get(active[0].node)?.node;
    if (host && !host.online && host.unclean) w.node.online = false;
  }
}

/** Implicit resources: a bundle's containers, addresses and connections; a guest node's connection. */
function implicitId(conf: CibConfig, lrmId: string): { id: string; instance?: string } | undefined {
  for (const b of conf.bundles.values()) {
    if (!lrmId.startsWith(`${b.id}-`)) continue;
    const rest = lrmId.slice(b.id.length + 1);
    if (new RegExp(`^(docker|podman|rkt)-\\d+$`).test(rest) || rest.startsWith('ip-') || /^\d+$/.test(rest)) {
      registerImplicit(conf, lrmId, b.id);
      return { id: lrmId };
    }
  }
  if (conf.guests.has(lrmId)) {
    registerImplicit(conf, lrmId, undefined, 'ocf:pacemaker:remote');
    return { id: lrmId };
  }
  return undefined;
}

function registerImplicit(conf: CibConfig, id: string, bundle: string | undefined, agent = 'ocf:heartbeat:docker'): void {
  if (conf.primitives.has(id)) return;
  const b = bundle ? conf.bundles.get(bundle) : undefined;
  const rest = bundle ? id.slice(bundle.length + 1) : '';
  const kindAgent = rest.startsWith('ip-') ? 'ocf:heartbeat:IPaddr2' : /^\d+$/.test(rest) ? 'ocf:pacemaker:remote' : `ocf:heartbeat:${b?.runtime ?? 'docker'}`;
  conf.primitives.set(id, {
    id,
    el: {},
    agent: bundle ? kindAgent : agent,
    isFenceDevice: false,
    meta: b?.meta ?? {},
    ...(bundle ? { bundle } : {}),
    remoteConnection: !bundle || /^\d+$/.test(rest),
    onFail: () => undefined,
  });
}

function isActive(st: OpState): boolean {
  return st.role === 'Started' || st.role === 'Unpromoted' || st.role === 'Promoted';
}

function isFalse(v: string | undefined): boolean {
  return v !== undefined && ['false', 'no', 'off', '0', 'n'].includes(v.toLowerCase());
}

function agentOf(lr: XEl): string {
  const cls = attr(lr, 'class');
  return [cls, cls === 'stonith' ? undefined : attr(lr, 'provider'), attr(lr, 'type')].filter(Boolean).join(':');
}

const OCF_RC: Record<number, string> = { 0: 'ok', 1: 'error', 2: 'invalid parameter', 3: 'unimplemented feature', 4: 'insufficient privileges', 5: 'not installed', 6: 'not configured', 7: 'not running', 8: 'running (promoted)', 9: 'failed (promoted)' };
const OP_STATUS: Record<number, string> = { 2: 'timed out', 3: 'not supported', 4: 'error', 5: 'hard error', 6: 'fatal error', 7: 'not installed', 8: 'not connected', 9: 'invalid', 10: 'no fence device', 11: 'no secrets' };

function failedAction(resource: string, node: string, op: ReturnType<typeof recordedOp>): FailedAction {
  return {
    resource,
    node,
    operation: op.task,
    intervalMs: op.intervalMs,
    rc: op.rc,
    rcText: OCF_RC[op.rc] ?? `exit ${op.rc}`,
    ...(op.opStatus !== 0 && op.opStatus !== 4 && OP_STATUS[op.opStatus] ? { status: OP_STATUS[op.opStatus] } : {}),
    ...(op.exitReason ? { exitReason: op.exitReason } : {}),
    ...(op.lastRcChange ? { at: new Date(op.lastRcChange * 1000).toISOString() } : {}),
  };
}

/** Display role: a promotable clone's started instance is Unpromoted, as crm_mon shows it. */
function displayRole(st: OpState, promotable: boolean): string {
  if (promotable && st.role === 'Started') return 'Unpromoted';
  return normalizeRole(st.role === 'Unknown' ? 'Stopped' : st.role);
}

function primitiveFrom(id: string, agent: string, places: Placement[], o: { orphaned?: boolean; managed: boolean; promotable?: boolean; parent?: string }): ClusterResource {
  const instances: ResourceInstance[] = places
    .filter((p) => isActive(p.st))
    .map((p) => ({
      id: p.instance ?? id,
      role: displayRole(p.st, o.promotable ?? false),
      active: true,
      failed: p.st.failed,
      nodes: [p.node],
      ...(p.st.pending ? { pending: p.st.pending } : {}),
    }));
  const nodes = [...new Set(instances.flatMap((i) => i.nodes))];
  let role = 'Stopped';
  for (const i of instances) if (rank(i.role) > rank(role)) role = i.role;
  const r: ClusterResource = {
    id,
    kind: 'primitive',
    agent,
    role,
    active: nodes.length > 0,
    managed: o.managed && !places.some((p) => p.st.failed && p.st.onFail === 'block'),
    failed: places.some((p) => p.st.failed),
    nodes,
    isFenceDevice: agent.startsWith('stonith:'),
    instances,
  };
  if (places.some((p) => p.st.failed && p.st.onFail === 'block')) r.blocked = true;
  if (o.orphaned) r.orphaned = true;
  if (o.parent) r.parent = o.parent;
  return r;
}

const ROLE_RANK: Record<string, number> = { Stopped: 0, Starting: 1, Stopping: 1, Migrating: 2, Started: 3, Unpromoted: 3, Promoted: 4 };
function rank(role: string): number {
  return ROLE_RANK[role] ?? 1;
}

function buildResources(
  el: XEl | undefined,
  conf: CibConfig,
  placements: Map<string, Placement[]>,
  maintenanceMode: boolean,
  failCounts: Map<string, Record<string, number>>,
  parent?: string,
): ClusterResource[] {
  const out: ClusterResource[] = [];
  for (const p of kids(el, 'primitive')) {
    const c = conf.primitives.get(attr(p, 'id') ?? '');
    if (!c) continue;
    out.push(primitiveResource(c, placements, maintenanceMode, failCounts, parent));
  }
  const composite = (tag: string, kind: ClusterResource['kind']) => {
    for (const g of kids(el, tag)) {
      const id = attr(g, 'id') ?? '';
      const children = buildResources(g, conf, placements, maintenanceMode, failCounts, id);
      const r = aggregate(id, kind, children, parent);
      const meta = nvpairs(kids(g, 'meta_attributes'));
      const heartbeatMeta = { ...nvpairs(kids(g, 'instance_attributes')), ...meta };
      const tr = metaOf(heartbeatMeta, 'target-role');
      if (tr) r.targetRole = normalizeRole(tr);
      if (kind === 'clone') {
        r.promotable = tag !== 'clone' || truthy(metaOf(heartbeatMeta, 'promotable'));
        r.unique = truthy(metaOf(heartbeatMeta, 'globally-unique'));
      }
      out.push(r);
    }
  };
  composite('group', 'group');
  composite('clone', 'clone');
  composite('master', 'clone'); // Pacemaker 1.x promotable clone
  composite('master_slave', 'clone'); // Heartbeat 2.1
  for (const b of kids(el, 'bundle')) out.push(bundleResource(b, conf, placements, maintenanceMode, failCounts, parent));
  return out;
}

function primitiveResource(c: ConfPrimitive, placements: Map<string, Placement[]>, maintenanceMode: boolean, failCounts: Map<string, Record<string, number>>, parent?: string, promotable = c.clone?.promotable ?? false): ClusterResource {
  const managed = !maintenanceMode && !isFalse(metaOf(c.meta, 'is-managed')) && !truthy(metaOf(c.meta, 'maintenance'));
  const r = primitiveFrom(c.id, c.agent, placements.get(c.id) ?? [], { managed, promotable, ...(parent ? { parent } : {}) });
  // A primitive (not a clone instance) has one role, wherever it is active: a multi-active
  // one shows the highest everywhere, as the scheduler keeps it.
  if (!c.clone && !c.bundle && (r.instances?.length ?? 0) > 1) for (const i of r.instances!) i.role = r.role;
  r.isFenceDevice = c.isFenceDevice;
  r.allowMigrate = truthy(metaOf(c.meta, 'allow-migrate'));
  const tr = metaOf(c.meta, 'target-role');
  if (tr) r.targetRole = normalizeRole(tr);
  if (c.template) r.template = c.template;
  if (c.guestNode) r.guestNode = c.guestNode;
  const fc = failCounts.get(c.id);
  if (fc) r.failCounts = fc;
  return r;
}

/** A bundle: one instance per replica, on the node its container runs on, in its inner resource's role. */
function bundleResource(b: XEl, conf: CibConfig, placements: Map<string, Placement[]>, maintenanceMode: boolean, failCounts: Map<string, Record<string, number>>, parent?: string): ClusterResource {
  const id = attr(b, 'id') ?? '';
  const cb = conf.bundles.get(id)!;
  const children: ClusterResource[] = [];
  const instances: ResourceInstance[] = [];
  const inner = cb.inner ? conf.primitives.get(cb.inner) : undefined;
  const innerRes = inner ? primitiveResource(inner, placements, maintenanceMode, failCounts, id, cb.promotable) : undefined;
  if (innerRes) children.push(innerRes);
  for (let i = 0; i < cb.replicas; i++) {
    const container = `${id}-${cb.runtime}-${i}`;
    const cPlaces = (placements.get(container) ?? []).filter((p) => isActive(p.st));
    const host = cPlaces[0]?.node;
    const guest = `${id}-${i}`;
    const innerInst = innerRes?.instances?.find((x) => x.nodes.includes(guest));
    const role = inner ? (innerInst?.role ?? 'Stopped') : cPlaces.length ? 'Started' : 'Stopped';
    const active = role !== 'Stopped' && !!host;
    instances.push({ id: guest, role, active, failed: (innerInst?.failed ?? false) || (placements.get(container) ?? []).some((p) => p.st.failed), nodes: active && host ? [host] : [] });
  }
  const nodes = [...new Set(instances.flatMap((x) => x.nodes))];
  let role = 'Stopped';
  for (const x of instances) if (rank(x.role) > rank(role)) role = x.role;
  const r: ClusterResource = {
    id,
    kind: 'bundle',
    role,
    active: nodes.length > 0,
    managed: !maintenanceMode && !isFalse(metaOf(cb.meta, 'is-managed')),
    failed: instances.some((x) => x.failed),
    nodes,
    children,
    isFenceDevice: false,
    instances,
  };
  if (parent) r.parent = parent;
  return r;
}

function aggregate(id: string, kind: ClusterResource['kind'], children: ClusterResource[], parent?: string): ClusterResource {
  const nodes: string[] = [];
  for (const c of children) for (const n of c.nodes) if (!nodes.includes(n)) nodes.push(n);
  let role = 'Stopped';
  for (const c of children) if (rank(c.role) > rank(role)) role = c.role;
  const r: ClusterResource = {
    id,
    kind,
    role,
    active: nodes.length > 0,
    managed: children.every((c) => c.managed),
    failed: children.some((c) => c.failed),
    nodes,
    children,
    isFenceDevice: false,
  };
  if (parent) r.parent = parent;
  return r;
}

/** fail-count-RSC[#op_interval] transient attributes, summed per resource and node. */
function failCountsByResource(work: Map<string, NodeWork>): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>();
  for (const w of work.values()) {
    const transient = nvpairs(kids(kid(w.state, 'transient_attributes'), 'instance_attributes'));
    for (const [k, v] of Object.entries(transient)) {
      const m = /^fail-count-(.+?)(?:#.*)?$/.exec(k);
      if (!m?.[1]) continue;
      const num = v === 'INFINITY' || v === '+INFINITY' ? INFINITY : Number(v);
      if (!(num > 0)) continue;
      const rid = baseId(m[1]);
      const rec = out.get(rid) ?? {};
      rec[w.node.name] = (rec[w.node.name] ?? 0) + num;
      out.set(rid, rec);
    }
  }
  return out;
}

/** Tickets: their state from the status section, their resources from rsc_ticket constraints. */
function readTickets(status: XEl | undefined, constraints: XEl | undefined): Ticket[] {
  const byId = new Map<string, Ticket>();
  for (const t of kids(kid(status, 'tickets'), 'ticket_state')) {
    const id = attr(t, 'id') ?? '';
    byId.set(id, { id, granted: truthy(attr(t, 'granted')), standby: truthy(attr(t, 'standby')) });
  }
  for (const c of kids(constraints, 'rsc_ticket')) {
    const id = attr(c, 'ticket') ?? '';
    const t = byId.get(id) ?? { id, granted: false, standby: false };
    const rs = [attr(c, 'rsc'), ...kids(c, 'resource_set').flatMap((s) => kids(s, 'resource_ref').map((r) => attr(r, 'id')))].filter((x): x is string => !!x);
    t.resources = [...new Set([...(t.resources ?? []), ...rs])];
    byId.set(id, t);
  }
  return [...byId.values()];
}

/** rsc_location constraints, plain or rule-based (lifetimes, Heartbeat 2.1's #uname rules). */
function parseLocationConstraints(el: XEl | undefined): LocationConstraint[] {
  return kids(el, 'rsc_location').map((c) => {
    const id = attr(c, 'id') ?? '';
    const rules = kids(c, 'rule');
    let node = attr(c, 'node');
    let score = attr(c, 'score');
    if (rules.length) {
      const rule = rules[0];
      score ??= attr(rule, 'score') ?? attr(rule, 'score-attribute');
      const uname = kids(rule, 'expression').find((e) => attr(e, 'attribute') === '#uname' && attr(e, 'operation') === 'eq');
      node ??= attr(uname, 'value');
    }
    const resource =
      attr(c, 'rsc') ??
      kids(c, 'resource_set')
        .flatMap((s) => kids(s, 'resource_ref').map((r) => attr(r, 'id') ?? ''))
        .join(',');
    return {
      id,
      resource,
      node,
      score: normalizeScore(score),
      hasRule: rules.length > 0,
      leftover: leftoverKind(id),
    };
  });
}

function normalizeScore(s: string | undefined): string {
  if (s === undefined) return '0';
  if (s === '+INFINITY' || s === 'infinity' || s === 'INFINITY') return 'INFINITY';
  if (s === '-infinity') return '-INFINITY';
  return s;
}
