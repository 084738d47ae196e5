import { HasfError } from '../errors/index.ts';
import type { ClusterNode, ClusterResource, ClusterStatus, LocationConstraint } from './model.ts';
import { flattenResources, leftoverKind, type ParseOptions } from './parse-crm-mon.ts';
import { INFINITY } from './parse-crm-mon.ts';
import { attr, baseId, kid, kids, normalizeRole, parseXml, truthy, type XEl } from './xml.ts';

/**
 * Parse `cibadmin -Q` from any stack (Heartbeat 2.1's transitional-0.6 schema to
 * Pacemaker 3) into the model. Configuration (resources, meta attributes such as
 * allow-migrate, location constraints, node attributes) is read directly; the running
 * state is derived from the status section's operation history, the way the scheduler
 * reads it, simplified: the last start/promote/monitor-ok says running, a stop or a
 * "not running" monitor says stopped.
 */
export function parseCib(xml: string, opts: ParseOptions = {}): ClusterStatus {
  const doc = parseXml(xml, 'cibadmin -Q');
  const cib = kid(doc, 'cib');
  if (!cib) {
    throw new HasfError('PARSE_ERROR', 'The cibadmin output has no <cib> root: check the command ran against a cluster node.', { roots: Object.keys(doc) });
  }
  const config = kid(cib, 'configuration');
  const props = nvpairs(kids(kid(config, 'crm_config'), 'cluster_property_set'));
  const dcUuid = attr(cib, 'dc-uuid') ?? attr(cib, 'dc_uuid');

  // Node configuration: id → uname and permanent attributes (standby, maintenance).
  const nodeConf = kids(kid(config, 'nodes'), 'node');
  const states = new Map<string, XEl>();
  for (const s of kids(kid(cib, 'status'), 'node_state')) states.set(attr(s, 'id') ?? attr(s, 'uname') ?? '', s);

  const running = new Map<string, { nodes: string[]; role: string; failed: boolean }>();
  const failCounts = new Map<string, Record<string, number>>();
  const nodes: ClusterNode[] = [];
  for (const n of nodeConf) {
    const id = attr(n, 'id') ?? '';
    const name = attr(n, 'uname') ?? id;
    const st = states.get(id) ?? [...states.values()].find((s) => attr(s, 'uname') === name);
    const permanent = nvpairs(kids(n, 'instance_attributes'));
    const transient = nvpairs(kids(kid(st, 'transient_attributes'), 'instance_attributes'));
    const online = st ? nodeOnline(st) : false;
    const expectedUp = st ? attr(st, 'expected') === 'member' : false;
    let count = 0;
    for (const [rid, info] of resourcesOn(st)) {
      if (!info.running && !info.failed) continue;
      const rec = running.get(rid) ?? { nodes: [], role: 'Stopped', failed: false };
      if (info.running) {
        rec.nodes.push(name);
        rec.role = info.role;
        count++;
      }
      rec.failed ||= info.failed;
      running.set(rid, rec);
    }
    for (const [k, v] of Object.entries(transient)) {
      const m = /^fail-count-(.+?)(?:#.*)?$/.exec(k);
      if (!m?.[1]) continue;
      const num = v === 'INFINITY' || v === '+INFINITY' ? INFINITY : Number(v);
      if (!(num > 0)) continue;
      const rid = baseId(m[1]);
      const rec = failCounts.get(rid) ?? {};
      rec[name] = (rec[name] ?? 0) + num;
      failCounts.set(rid, rec);
    }
    nodes.push({
      name,
      id,
      online,
      standby: truthy(transient.standby ?? permanent.standby),
      unclean: !online && expectedUp,
      pending: st ? attr(st, 'join') === 'pending' : false,
      shutdown: truthy(transient.shutdown),
      maintenance: truthy(transient.maintenance ?? permanent.maintenance),
      isDc: id === dcUuid,
      resourcesRunning: count,
      type: attr(n, 'type') === 'normal' || !attr(n, 'type') ? 'member' : attr(n, 'type'),
    });
  }

  const maintenanceMode = truthy(prop(props, 'maintenance-mode'));
  const resources = parseConfigResources(kid(config, 'resources'), running, failCounts, maintenanceMode);
  const dcVersion = prop(props, 'dc-version');
  // 3.0.2's fencing-enabled wins over stonith-enabled (its alternate name) when both are set.
  const fencing = prop(props, 'fencing-enabled') ?? prop(props, 'stonith-enabled');
  const status: ClusterStatus = {
    source: 'cibadmin',
    stackVersion: dcVersion ? dcVersion.split('-')[0] : undefined,
    dcNode: nodes.find((n) => n.isDc)?.name,
    quorum: { hasQuorum: truthy(attr(cib, 'have-quorum') ?? attr(cib, 'have_quorum')) },
    stonithEnabled: fencing === undefined ? undefined : truthy(fencing),
    maintenanceMode,
    nodes,
    resources,
    constraints: parseLocationConstraints(kid(config, 'constraints')),
    fenceDevices: flattenResources(resources).filter((r) => r.isFenceDevice),
    readAt: opts.readAt ?? new Date().toISOString(),
  };
  return status;
}

/** Heartbeat and old Pacemaker spell options with underscores; accept both. */
function prop(props: Record<string, string>, name: string): string | undefined {
  return props[name] ?? props[name.replaceAll('-', '_')];
}

/** nvpairs of attribute sets, also in Heartbeat 2.1's `<attributes>` wrapper. */
function nvpairs(sets: XEl[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const set of sets) {
    for (const holder of [set, ...kids(set, 'attributes')]) {
      for (const nv of kids(holder, 'nvpair')) {
        const name = attr(nv, 'name');
        if (name !== undefined) out[name] = attr(nv, 'value') ?? '';
      }
    }
  }
  return out;
}

/** Online: in the membership and the controller up (values or, from 2.1.7, timestamps). */
function nodeOnline(st: XEl): boolean {
  const ha = attr(st, 'ha');
  if (ha !== undefined && ha !== 'active') return false; // Heartbeat's own view
  const crmd = attr(st, 'crmd');
  const inCcm = attr(st, 'in_ccm');
  const join = attr(st, 'join');
  return truthy(inCcm) && truthy(crmd) && (join === undefined || join === 'member');
}

interface OpState {
  running: boolean;
  role: string;
  failed: boolean;
}

/** The state of each resource on one node, from its lrm history. */
function resourcesOn(st: XEl | undefined): Map<string, OpState> {
  const out = new Map<string, OpState>();
  if (!st) return out;
  for (const lr of kids(kid(kid(st, 'lrm'), 'lrm_resources'), 'lrm_resource')) {
    const rid = baseId(attr(lr, 'id') ?? '');
    const ops = kids(lr, 'lrm_rsc_op')
      .map((op) => ({
        task: attr(op, 'operation') ?? '',
        rc: Number(attr(op, 'rc-code') ?? attr(op, 'rc_code') ?? '0'),
        call: Number(attr(op, 'call-id') ?? attr(op, 'call_id') ?? '0'),
        interval: Number(attr(op, 'interval') ?? '0'),
        status: Number(attr(op, 'op-status') ?? attr(op, 'op_status') ?? '0'),
      }))
      .sort((a, b) => (a.call < 0 ? 1 : b.call < 0 ? -1 : a.call - b.call));
    const state: OpState = { running: false, role: 'Stopped', failed: false };
    for (const op of ops) {
      if (op.status === 1 || op.call < 0) continue; // pending
      if (op.task === 'start' || op.task === 'migrate_from' || op.task === 'demote') {
        if (op.rc === 0) Object.assign(state, { running: true, role: op.task === 'demote' ? 'Unpromoted' : 'Started' });
        else Object.assign(state, { running: false, failed: true });
      } else if (op.task === 'promote') {
        if (op.rc === 0) Object.assign(state, { running: true, role: 'Promoted' });
        else state.failed = true;
      } else if (op.task === 'stop') {
        if (op.rc === 0) Object.assign(state, { running: false, role: 'Stopped' });
        else state.failed = true;
      } else if (op.task === 'monitor') {
        if (op.rc === 0) Object.assign(state, { running: true, role: state.role === 'Promoted' ? 'Promoted' : 'Started' });
        else if (op.rc === 8) Object.assign(state, { running: true, role: 'Promoted' });
        else if (op.rc === 7) {
          if (op.interval > 0) state.failed = true; // a recurring monitor finding it gone is a failure
          Object.assign(state, { running: false, role: 'Stopped' });
        } else state.failed = true;
      } else if (op.rc !== 0 && op.task !== 'migrate_to') {
        state.failed = true;
      }
    }
    out.set(rid, state);
  }
  return out;
}

function parseConfigResources(
  el: XEl | undefined,
  running: Map<string, { nodes: string[]; role: string; failed: boolean }>,
  failCounts: Map<string, Record<string, number>>,
  maintenanceMode: boolean,
  parent?: string,
  parentMeta: Record<string, string> = {},
): ClusterResource[] {
  const out: ClusterResource[] = [];
  for (const p of kids(el, 'primitive')) {
    const id = attr(p, 'id') ?? '';
    const meta = { ...parentMeta, ...nvpairs(kids(p, 'meta_attributes')) };
    const cls = attr(p, 'class');
    const provider = attr(p, 'provider');
    const type = attr(p, 'type');
    // stonith agents have no provider (Heartbeat CIBs still carry one); ocf ones do.
    const agent = [cls, cls === 'stonith' ? undefined : provider, type].filter(Boolean).join(':');
    const run = running.get(id);
    const r: ClusterResource = {
      id,
      kind: 'primitive',
      agent,
      role: run && run.nodes.length ? normalizeRole(run.role) : 'Stopped',
      active: (run?.nodes.length ?? 0) > 0,
      managed: !maintenanceMode && !isFalse(meta['is-managed'] ?? meta.is_managed),
      failed: run?.failed ?? false,
      nodes: run?.nodes ?? [],
      isFenceDevice: cls === 'stonith',
    };
    const am = meta['allow-migrate'] ?? meta.allow_migrate;
    r.allowMigrate = truthy(am);
    const tr = meta['target-role'] ?? meta.target_role;
    if (tr) r.targetRole = normalizeRole(tr);
    if (parent) r.parent = parent;
    const fc = failCounts.get(id);
    if (fc) r.failCounts = fc;
    out.push(r);
  }
  const composite = (tag: string, kind: ClusterResource['kind']) => {
    for (const g of kids(el, tag)) {
      const id = attr(g, 'id') ?? '';
      const meta = { ...parentMeta, ...nvpairs(kids(g, 'meta_attributes')) };
      const children = parseConfigResources(g, running, failCounts, maintenanceMode, id, meta);
      const nodes: string[] = [];
      for (const c of children) for (const n of c.nodes) if (!nodes.includes(n)) nodes.push(n);
      const r: ClusterResource = {
        id,
        kind,
        role: children.some((c) => c.role === 'Promoted') ? 'Promoted' : nodes.length ? 'Started' : 'Stopped',
        active: nodes.length > 0,
        managed: children.every((c) => c.managed),
        failed: children.some((c) => c.failed),
        nodes,
        children,
        isFenceDevice: false,
      };
      const tr = meta['target-role'] ?? meta.target_role;
      if (tr) r.targetRole = normalizeRole(tr);
      if (parent) r.parent = parent;
      out.push(r);
    }
  };
  composite('group', 'group');
  composite('clone', 'clone');
  composite('master', 'clone'); // Pacemaker 1.x promotable clone
  composite('master_slave', 'clone'); // Heartbeat 2.1
  composite('bundle', 'bundle');
  return out;
}

function isFalse(v: string | undefined): boolean {
  return v !== undefined && ['false', 'no', 'off', '0', 'n'].includes(v.toLowerCase());
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
