import type { FailedAction } from './model.ts';
import { attr, kid, kids, parseXml, type XEl } from './xml.ts';

export type { FailedAction } from './model.ts';

/** Meta attributes of one resource that say who manages it and whether it should run. */
export interface ResourceMeta {
  targetRole?: string;
  isManaged?: string;
  maintenance?: string;
}

/** What the CIB says beyond the status model: failed operations and management meta. */
export interface CibDetail {
  failedActions: FailedAction[];
  /** By resource id (primitives, groups and clones). */
  meta: Record<string, ResourceMeta>;
}

const OCF_RC: Record<number, string> = {
  0: 'ok',
  1: 'error',
  2: 'invalid parameter',
  3: 'unimplemented feature',
  4: 'insufficient privileges',
  5: 'not installed',
  6: 'not configured',
  7: 'not running',
  8: 'running (promoted)',
  9: 'failed (promoted)',
};
const OP_STATUS: Record<string, string> = { '1': 'cancelled', '2': 'timed out', '3': 'not supported', '4': 'error', '5': 'not installed', '6': 'not connected', '7': 'invalid', '8': 'expired' };

/**
 * Whether a recorded last failure is a failure as the scheduler reads it (and crm_mon
 * lists it): the executor did not complete the operation, or the agent answered other
 * than the transition expected (its target rc, the third field of transition-key). A
 * probe that finds the resource running (rc 0 or 8 where "not running" was expected) is
 * the cluster learning where it runs — recorded as a last failure, but not one.
 */
function isFailure(operation: string, intervalMs: number, rc: number, opStatus: string, transitionKey: string | undefined): boolean {
  if (opStatus === '1' || opStatus === '-1') return false; // cancelled, pending
  if (opStatus !== '0') return true;
  const target = Number(transitionKey?.split(':')[2] ?? NaN);
  const probe = operation === 'monitor' && intervalMs === 0;
  if (probe && (rc === 0 || rc === 8 || rc === 7)) return false;
  return Number.isFinite(target) ? rc !== target : rc !== 0;
}

function nvpairs(sets: XEl[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of sets) for (const p of kids(s, 'nvpair')) if (attr(p, 'name')) out[attr(p, 'name')!] = attr(p, 'value') ?? '';
  return out;
}

function collectMeta(el: XEl | undefined, out: Record<string, ResourceMeta>): void {
  for (const tag of ['primitive', 'group', 'clone', 'master', 'bundle']) {
    for (const r of kids(el, tag)) {
      const id = attr(r, 'id');
      // Heartbeat 2.1 spells them with underscores and may keep them in instance attributes.
      const m = { ...nvpairs(kids(r, 'instance_attributes')), ...nvpairs(kids(r, 'meta_attributes')) };
      const meta: ResourceMeta = {};
      const pick = (a: string, b: string) => m[a] ?? m[b];
      if (pick('target-role', 'target_role') !== undefined) meta.targetRole = pick('target-role', 'target_role');
      if (pick('is-managed', 'is_managed') !== undefined) meta.isManaged = pick('is-managed', 'is_managed');
      if (m.maintenance !== undefined) meta.maintenance = m.maintenance;
      if (id) out[id] = meta;
      collectMeta(r, out);
    }
  }
}

/**
 * Failed operations and management meta attributes from `cibadmin -Q`: what crm_mon
 * shows as failed actions are the status section's `*_last_failure_*` operations (1.1+),
 * read here the same way on every stack that has them.
 */
export function parseCibDetail(xml: string): CibDetail {
  const cib = kid(parseXml(xml, 'cibadmin -Q'), 'cib');
  const meta: Record<string, ResourceMeta> = {};
  collectMeta(kid(kid(cib, 'configuration'), 'resources'), meta);
  const failedActions: FailedAction[] = [];
  for (const st of kids(kid(cib, 'status'), 'node_state')) {
    const node = attr(st, 'uname') ?? attr(st, 'id') ?? '?';
    for (const lrm of kids(kid(kid(st, 'lrm'), 'lrm_resources'), 'lrm_resource')) {
      for (const op of kids(lrm, 'lrm_rsc_op')) {
        if (!(attr(op, 'id') ?? '').includes('_last_failure_')) continue;
        const rc = Number(attr(op, 'rc-code') ?? attr(op, 'rc_code') ?? '1');
        const opStatus = attr(op, 'op-status') ?? attr(op, 'op_status') ?? '0';
        if (!isFailure(attr(op, 'operation') ?? '', Number(attr(op, 'interval') ?? '0') || 0, rc, opStatus, attr(op, 'transition-key') ?? attr(op, 'transition_key'))) continue;
        const changed = Number(attr(op, 'last-rc-change') ?? attr(op, 'last_rc_change') ?? NaN);
        failedActions.push({
          resource: (attr(lrm, 'id') ?? '').replace(/:\d+$/, ''),
          node,
          operation: attr(op, 'operation') ?? '?',
          intervalMs: Number(attr(op, 'interval') ?? '0') || 0,
          rc,
          rcText: OCF_RC[rc] ?? `exit ${rc}`,
          ...(opStatus !== '0' && OP_STATUS[opStatus] ? { status: OP_STATUS[opStatus] } : {}),
          ...(attr(op, 'exit-reason') ? { exitReason: attr(op, 'exit-reason') } : {}),
          ...(Number.isFinite(changed) && changed > 0 ? { at: new Date(changed * 1000).toISOString() } : {}),
        });
      }
    }
  }
  return { failedActions, meta };
}
