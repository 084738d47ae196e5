import { HasfError } from '../errors/index.ts';
import {
  banArgv,
  cibCreateArgv,
  cibDeleteArgv,
  clearExpiredArgv,
  maintenanceModeArgv,
  nodeMaintenanceArgv,
  resourceMaintenanceArgv,
  restartArgv,
  targetRoleArgv,
} from './argv-admin.ts';
import { clearArgv, moveArgv, standbyArgv, type DialectSpec } from './dialects.ts';
import type { PlannedChange } from './model.ts';
import { validateLifetime, validateName } from './names.ts';
import { deletionXml, type CibElement } from './vm-xml.ts';

/**
 * The weekly administration changes (maintenance, start/stop/restart, ban/clear, creating
 * and deleting CIB elements), as data: the driver runs them, lists their argvs for
 * approvers, and the scheduler predicts them on a copy of the CIB like a move.
 */
export type AdminChange =
  | { kind: 'cluster-maintenance'; on: boolean }
  | { kind: 'node-maintenance'; node: string; on: boolean }
  | { kind: 'resource-maintenance'; resource: string; on: boolean }
  /** null deletes target-role (the default: Started). */
  | { kind: 'target-role'; resource: string; role: 'Started' | 'Stopped' | null }
  | { kind: 'restart'; resource: string }
  | { kind: 'ban'; resource: string; node: string; lifetime?: string }
  | { kind: 'clear-expired'; resource: string }
  | { kind: 'cib-create'; element: CibElement }
  | { kind: 'cib-delete'; tag: CibElement['tag']; id: string }
  /** Several changes in order: what a job does, predicted as a whole. */
  | { kind: 'sequence'; changes: PlannedChange[] };

export const ADMIN_KINDS: ReadonlySet<string> = new Set([
  'cluster-maintenance',
  'node-maintenance',
  'resource-maintenance',
  'target-role',
  'restart',
  'ban',
  'clear-expired',
  'cib-create',
  'cib-delete',
  'sequence',
]);

/** Whether a change is one of this file's kinds. */
export const isAdminChange = (c: PlannedChange): c is AdminChange => ADMIN_KINDS.has(c.kind);

const TAGS: ReadonlySet<string> = new Set(['primitive', 'rsc_order', 'rsc_colocation', 'rsc_location']);
const bool = (v: unknown, what: string) => {
  if (typeof v !== 'boolean') throw new HasfError('INVALID_INPUT', `${what} needs on: true or false.`, {});
};

/** Validate every name of an admin change before any argv is built (INVALID_NAME / INVALID_INPUT). */
export function checkAdminChange(c: AdminChange, checkOther: (c: PlannedChange) => void): void {
  switch (c.kind) {
    case 'cluster-maintenance':
      return bool(c.on, 'Cluster maintenance');
    case 'node-maintenance':
      validateName('node', c.node);
      return bool(c.on, 'Node maintenance');
    case 'resource-maintenance':
      validateName('resource', c.resource);
      return bool(c.on, 'Resource maintenance');
    case 'target-role':
      validateName('resource', c.resource);
      if (c.role !== null && c.role !== 'Started' && c.role !== 'Stopped') throw new HasfError('INVALID_INPUT', `target-role ${JSON.stringify(c.role)} is not Started or Stopped.`, {});
      return;
    case 'restart':
    case 'clear-expired':
      validateName('resource', c.resource);
      return;
    case 'ban':
      validateName('resource', c.resource);
      validateName('node', c.node);
      if (c.lifetime !== undefined) validateLifetime(c.lifetime);
      return;
    case 'cib-create':
      // The XML itself is built by vm-xml.ts from validated names and escaped values.
      if (!TAGS.has(c.element.tag) || (c.element.scope !== 'resources' && c.element.scope !== 'constraints')) {
        throw new HasfError('INVALID_INPUT', `cibadmin --create of ${JSON.stringify(c.element.tag)} in ${JSON.stringify(c.element.scope)} is not something HASF creates.`, {});
      }
      validateName('resource', c.element.id);
      if (!c.element.xml.startsWith(`<${c.element.tag} `)) throw new HasfError('INVALID_INPUT', `The element to create is not a <${c.element.tag}>.`, {});
      return;
    case 'cib-delete':
      if (!TAGS.has(c.tag)) throw new HasfError('INVALID_INPUT', `cibadmin --delete of ${JSON.stringify(c.tag)} is not something HASF deletes.`, {});
      validateName('resource', c.id);
      return;
    case 'sequence':
      if (!Array.isArray(c.changes) || c.changes.length === 0) throw new HasfError('INVALID_INPUT', 'A sequence needs at least one change.', {});
      for (const x of c.changes) checkOther(x);
      return;
  }
}

/** The one argv of a single (non-sequence) admin change, on the live cluster. */
export function adminArgv(d: DialectSpec, c: Exclude<AdminChange, { kind: 'sequence' }>): string[] {
  switch (c.kind) {
    case 'cluster-maintenance':
      return maintenanceModeArgv(d, c.on);
    case 'node-maintenance':
      return nodeMaintenanceArgv(d, c.node, c.on);
    case 'resource-maintenance':
      return resourceMaintenanceArgv(d, c.resource, c.on);
    case 'target-role':
      return targetRoleArgv(d, c.resource, c.role);
    case 'restart': {
      const argv = restartArgv(d, c.resource);
      if (!argv) throw new HasfError('UNSUPPORTED_STACK', `${d.label} has no crm_resource --restart: the job stops, waits, then starts instead.`, { dialect: d.id });
      return argv;
    }
    case 'ban':
      return banArgv(d, c.resource, c.node, c.lifetime);
    case 'clear-expired':
      return clearExpiredArgv(d, c.resource);
    case 'cib-create':
      return cibCreateArgv(d, c.element.scope, c.element.xml);
    case 'cib-delete':
      return cibDeleteArgv(d, deletionXml(c.tag, c.id));
  }
}

/**
 * The argvs that apply `c` to a CIB file (CIB_file=) for the scheduler: the same commands
 * as on the cluster, except a restart, which on a copy is its stop half (what stops with
 * it is what the approver needs to see; the start half returns the cluster as it was).
 */
export function copyArgvs(d: DialectSpec, c: PlannedChange): string[][] {
  switch (c.kind) {
    case 'move':
      return [moveArgv(d, c.resource, c.node, c.lifetime)];
    case 'clear':
      return [clearArgv(d, c.resource)];
    case 'standby':
      return [standbyArgv(d, c.node, c.on)];
    case 'restart':
      return [targetRoleArgv(d, c.resource, 'Stopped')];
    case 'sequence':
      return c.changes.flatMap((x) => copyArgvs(d, x));
    case 'fence':
    case 'cleanup':
      throw new HasfError('INVALID_INPUT', `A ${c.kind} can't be part of a predicted sequence.`, {});
    default:
      return [adminArgv(d, c)];
  }
}

/** The argvs a change runs on the cluster, in order (a sequence: each of its changes'). */
export function liveArgvs(d: DialectSpec, c: AdminChange, single: (c: PlannedChange) => string[]): string[][] {
  if (c.kind === 'sequence') return c.changes.flatMap((x) => (isAdminChange(x) ? liveArgvs(d, x, single) : [single(x)]));
  return [adminArgv(d, c)];
}

/** For error messages: what the change was doing. */
export function describeAdminChange(c: AdminChange): string {
  switch (c.kind) {
    case 'cluster-maintenance':
      return `turning maintenance-mode ${c.on ? 'on' : 'off'}`;
    case 'node-maintenance':
      return `turning maintenance ${c.on ? 'on' : 'off'} for node ${c.node}`;
    case 'resource-maintenance':
      return `turning maintenance ${c.on ? 'on' : 'off'} for ${c.resource}`;
    case 'target-role':
      return c.role === null ? `clearing the target-role of ${c.resource}` : `setting target-role=${c.role} on ${c.resource}`;
    case 'restart':
      return `restarting ${c.resource}`;
    case 'ban':
      return `banning ${c.resource} from ${c.node}`;
    case 'clear-expired':
      return `clearing the expired move constraints of ${c.resource}`;
    case 'cib-create':
      return `creating ${c.element.tag} ${c.element.id}`;
    case 'cib-delete':
      return `deleting ${c.tag} ${c.id}`;
    case 'sequence':
      return `applying ${c.changes.length} changes`;
  }
}
