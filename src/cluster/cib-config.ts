import { attr, kid, kids, truthy, type XEl } from './xml.ts';
import type { OnFail } from './op-history.ts';

/**
 * The configuration section of a CIB of any schema (Heartbeat 2.1's crm-1.0 with
 * `<attributes>` wrappers and underscores, to pacemaker-4.0), read into what the status
 * derivation needs: each primitive with its ancestors, agent, meta attributes and ops'
 * on-fail; bundles with their replicas; guest and remote nodes; tags and templates.
 */

/** nvpairs of attribute sets, also in Heartbeat 2.1's `<attributes>` wrapper. */
export function nvpairs(sets: XEl[]): Record<string, string> {
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

/** A meta attribute by its dashed name, or Heartbeat's underscored one. */
export function metaOf(meta: Record<string, string>, name: string): string | undefined {
  return meta[name] ?? meta[name.replaceAll('-', '_')];
}

/** One configured primitive and where it sits. */
export interface ConfPrimitive {
  id: string;
  el: XEl;
  agent: string;
  isFenceDevice: boolean;
  /** Merged meta attributes (ancestors' first, its own over them); also instance attributes on Heartbeat 2.1. */
  meta: Record<string, string>;
  /** Group, clone and bundle ancestors, nearest first. */
  group?: string;
  clone?: { id: string; promotable: boolean; unique: boolean };
  bundle?: string;
  template?: string;
  /** meta remote-node: this primitive is the container of that guest node. */
  guestNode?: string;
  /** ocf:pacemaker:remote: the connection of the remote node named by its id. */
  remoteConnection: boolean;
  onFail: (task: string, intervalMs: number) => OnFail | undefined;
}

/** One configured bundle. */
export interface ConfBundle {
  id: string;
  el: XEl;
  replicas: number;
  /** docker, podman, rkt. */
  runtime: string;
  /** The primitive inside, if any (its instances run on the replicas' guest nodes). */
  inner?: string;
  /** promoted-max (masters before 2.0) above 0: the resource inside is promotable. */
  promotable: boolean;
  meta: Record<string, string>;
}

/** The configuration, indexed. */
export interface CibConfig {
  primitives: Map<string, ConfPrimitive>;
  bundles: Map<string, ConfBundle>;
  /** Guest node name → its container resource id (a VM primitive or a bundle container). */
  guests: Map<string, string>;
  /** Remote node names (from ocf:pacemaker:remote primitives). */
  remotes: Set<string>;
  tags: Record<string, string[]>;
  templates: Map<string, XEl>;
}

function onFailOf(el: XEl): (task: string, intervalMs: number) => OnFail | undefined {
  const ops = [...kids(kid(el, 'operations'), 'op')];
  if (!ops.length) return () => undefined;
  return (task, intervalMs) => {
    for (const op of ops) {
      if (attr(op, 'name') !== task) continue;
      const iv = intervalMs ? String(intervalMs) : '0';
      const conf = attr(op, 'interval') ?? '0';
      if (task === 'monitor' && msOf(conf) !== Number(iv)) continue;
      const f = attr(op, 'on-fail') ?? attr(op, 'on_fail');
      if (f) return (f === 'nothing' ? 'ignore' : f) as OnFail;
    }
    return undefined;
  };
}

/** ISO-8601-ish or Pacemaker interval ("10s", "1min", "P1D", "30000") in ms. */
export function msOf(v: string): number {
  const m = /^(\d+)\s*(ms|msec|s|sec|m|min|h|hr)?$/.exec(v.trim());
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return n * (unit.startsWith('ms') ? 1 : unit.startsWith('s') ? 1000 : unit.startsWith('m') ? 60_000 : 3_600_000);
}

/** Index the resources section. */
export function readCibConfig(config: XEl | undefined): CibConfig {
  const out: CibConfig = { primitives: new Map(), bundles: new Map(), guests: new Map(), remotes: new Set(), tags: {}, templates: new Map() };
  const resources = kid(config, 'resources');
  for (const t of kids(resources, 'template')) out.templates.set(attr(t, 'id') ?? '', t);
  for (const tag of kids(kid(config, 'tags'), 'tag')) out.tags[attr(tag, 'id') ?? ''] = kids(tag, 'obj_ref').map((r) => attr(r, 'id') ?? '');
  // rsc_defaults meta attributes apply to every resource (is-managed=false, …).
  walk(resources, out, {}, nvpairs(kids(kid(config, 'rsc_defaults'), 'meta_attributes')));
  return out;
}

interface Ancestry {
  group?: string;
  clone?: ConfPrimitive['clone'];
  bundle?: string;
}

function metaSets(el: XEl, heartbeat: boolean): Record<string, string> {
  // Heartbeat 2.1 kept meta options (target_role, is_managed, clone_max …) in instance_attributes.
  return heartbeat ? { ...nvpairs(kids(el, 'instance_attributes')), ...nvpairs(kids(el, 'meta_attributes')) } : nvpairs(kids(el, 'meta_attributes'));
}

function walk(el: XEl | undefined, out: CibConfig, anc: Ancestry, inherited: Record<string, string>): void {
  for (const p of kids(el, 'primitive')) {
    const id = attr(p, 'id') ?? '';
    const tplId = attr(p, 'template');
    const tpl = tplId ? out.templates.get(tplId) : undefined;
    const cls = attr(p, 'class') ?? attr(tpl, 'class');
    const provider = attr(p, 'provider') ?? attr(tpl, 'provider');
    const type = attr(p, 'type') ?? attr(tpl, 'type');
    const heartbeat = kids(kid(p, 'instance_attributes'), 'attributes').length > 0 || kids(kid(p, 'meta_attributes'), 'attributes').length > 0;
    const meta = { ...inherited, ...(tpl ? metaSets(tpl, false) : {}), ...metaSets(p, heartbeat) };
    const agent = [cls, cls === 'stonith' ? undefined : provider, type].filter(Boolean).join(':');
    const guest = metaOf(meta, 'remote-node');
    const prim: ConfPrimitive = {
      id,
      el: p,
      agent,
      isFenceDevice: cls === 'stonith',
      meta,
      ...(anc.group ? { group: anc.group } : {}),
      ...(anc.clone ? { clone: anc.clone } : {}),
      ...(anc.bundle ? { bundle: anc.bundle } : {}),
      ...(tplId ? { template: tplId } : {}),
      ...(guest ? { guestNode: guest } : {}),
      remoteConnection: agent === 'ocf:pacemaker:remote',
      onFail: onFailOf(tpl && !kid(p, 'operations') ? tpl : p),
    };
    out.primitives.set(id, prim);
    if (guest) out.guests.set(guest, id);
    if (prim.remoteConnection) out.remotes.add(id);
  }
  for (const g of kids(el, 'group')) {
    const id = attr(g, 'id') ?? '';
    const heartbeat = kids(kid(g, 'instance_attributes'), 'attributes').length > 0;
    walk(g, out, { ...anc, group: id }, { ...inherited, ...metaSets(g, heartbeat) });
  }
  for (const tag of ['clone', 'master', 'master_slave']) {
    for (const c of kids(el, tag)) {
      const id = attr(c, 'id') ?? '';
      const heartbeat = kids(kid(c, 'instance_attributes'), 'attributes').length > 0;
      const meta = { ...inherited, ...metaSets(c, heartbeat) };
      const promotable = tag !== 'clone' || truthy(metaOf(meta, 'promotable'));
      const unique = truthy(metaOf(meta, 'globally-unique'));
      walk(c, out, { ...anc, clone: { id, promotable, unique } }, meta);
    }
  }
  for (const b of kids(el, 'bundle')) {
    const id = attr(b, 'id') ?? '';
    const runtimeEl = kid(b, 'docker') ?? kid(b, 'podman') ?? kid(b, 'rkt');
    const runtime = kid(b, 'docker') ? 'docker' : kid(b, 'podman') ? 'podman' : kid(b, 'rkt') ? 'rkt' : 'docker';
    const replicas = Number(attr(runtimeEl, 'replicas') ?? attr(runtimeEl, 'promoted-max') ?? attr(runtimeEl, 'masters') ?? '1') || 1;
    const meta = { ...inherited, ...metaSets(b, false) };
    const inner = kid(b, 'primitive');
    const promotable = Number(attr(runtimeEl, 'promoted-max') ?? attr(runtimeEl, 'masters') ?? '0') > 0 || truthy(metaOf(meta, 'promotable'));
    out.bundles.set(id, { id, el: b, replicas, runtime, promotable, ...(inner ? { inner: attr(inner, 'id') ?? '' } : {}), meta });
    if (inner) {
      walk(b, out, { ...anc, bundle: id, ...(promotable ? { clone: { id, promotable, unique: false } } : {}) }, meta);
      for (let i = 0; i < replicas; i++) out.guests.set(`${id}-${i}`, `${id}-${runtime}-${i}`);
    }
  }
}

/**
 * The configured primitive an lrm_resource id names: `vm1`, a clone instance `ping:2`, or
 * Heartbeat 2.1's parent-prefixed ids (`group:rsc`, `clone:child:0`).
 */
export function resolveHistoryId(conf: CibConfig, lrmId: string): { id: string; instance?: string } | undefined {
  const base = (s: string) => s.replace(/:\d+$/, '');
  if (conf.primitives.has(lrmId)) return { id: lrmId };
  if (conf.primitives.has(base(lrmId))) return { id: base(lrmId), instance: lrmId };
  const parts = lrmId.split(':');
  for (let k = 1; k < parts.length; k++) {
    const tail = parts.slice(k).join(':');
    if (conf.primitives.has(tail)) return { id: tail };
    if (conf.primitives.has(base(tail))) return { id: base(tail), instance: tail };
  }
  return undefined;
}
