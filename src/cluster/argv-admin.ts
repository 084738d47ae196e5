import { HasfError } from '../errors/index.ts';
import { clearArgv, type DialectSpec } from './dialects.ts';

/**
 * The argvs of the weekly administration commands (maintenance, start/stop/restart,
 * ban/clear, creating and deleting CIB elements, crm_verify), built from the dialect
 * table's rows. A stack without a form is refused with UNSUPPORTED_STACK, never guessed.
 */

function unsupported(d: DialectSpec, what: string, instead: string): HasfError {
  return new HasfError('UNSUPPORTED_STACK', `${d.label} has no ${what}: ${instead}`, { dialect: d.id, what });
}

/** Set a cluster property (crm_config) to `value`, or delete it when `value` is null. */
export function propertyArgv(d: DialectSpec, name: string, value: string | null): string[] {
  const p = d.property;
  return value === null ? [...p.argv, p.name, name, p.delete] : [...p.argv, p.name, name, p.value, value];
}

/** maintenance-mode on (true), or off (the property deleted: the default, false). */
export function maintenanceModeArgv(d: DialectSpec, on: boolean): string[] {
  if (!d.maintenance.cluster) {
    throw unsupported(d, 'cluster maintenance-mode', 'set is-managed=false on the resources instead, or upgrade the stack.');
  }
  return propertyArgv(d, 'maintenance-mode', on ? 'true' : null);
}

/** A node's permanent `maintenance` attribute on, or deleted. */
export function nodeMaintenanceArgv(d: DialectSpec, node: string, on: boolean): string[] {
  const n = d.maintenance.node;
  if (!n) throw unsupported(d, 'node maintenance attribute (Pacemaker 1.1.10+)', 'use cluster maintenance-mode, or put the node in standby.');
  return on ? [...n.argv, n.node, node, n.name, 'maintenance', n.value, 'on', ...n.lifetime] : [...n.argv, n.node, node, n.name, 'maintenance', n.delete, ...n.lifetime];
}

/** Set a meta attribute of `resource`, or delete it when `value` is null. */
export function metaArgv(d: DialectSpec, resource: string, name: string, value: string | null): string[] {
  const m = d.meta;
  return value === null ? [...m.argv, m.resource, resource, m.delete, name] : [...m.argv, m.resource, resource, m.set, name, m.value, value];
}

/**
 * The meta attribute that takes a resource out of the cluster's hands: `maintenance=true`
 * where the stack reads it (monitors stop too), else `is-managed=false` (monitors go on).
 */
export function resourceMaintenanceMeta(d: DialectSpec): { name: string; on: string } {
  return d.meta.maintenance ? { name: d.meta.maintenance, on: 'true' } : { name: d.meta.isManaged, on: 'false' };
}

/** Resource maintenance on, or off (that meta attribute deleted). */
export function resourceMaintenanceArgv(d: DialectSpec, resource: string, on: boolean): string[] {
  const m = resourceMaintenanceMeta(d);
  return metaArgv(d, resource, m.name, on ? m.on : null);
}

/** target-role of `resource`: `Stopped`, `Started`, or deleted (null: the default, Started). */
export function targetRoleArgv(d: DialectSpec, resource: string, role: 'Started' | 'Stopped' | null): string[] {
  return metaArgv(d, resource, d.meta.targetRole, role);
}

/** crm_resource --restart, or undefined where the stack lacks it (the job stops, waits, starts). */
export function restartArgv(d: DialectSpec, resource: string): string[] | undefined {
  return d.restart ? [...d.restart.argv, d.restart.resource, resource] : undefined;
}

/** Ban `resource` from `node` (a cli-ban constraint), for `lifetime` (ISO 8601) when given. */
export function banArgv(d: DialectSpec, resource: string, node: string, lifetime?: string): string[] {
  const b = d.ban;
  if (!b) throw unsupported(d, 'crm_resource --ban (Pacemaker 1.1.10+)', 'add a -INFINITY location constraint by hand, or upgrade the stack.');
  return [...b.argv, b.resource, resource, b.node, node, ...(lifetime ? [b.lifetime, lifetime] : [])];
}

/** Clear only the cli-* constraints of `resource` whose lifetime has expired. */
export function clearExpiredArgv(d: DialectSpec, resource: string): string[] {
  if (!d.clearExpired) throw unsupported(d, 'crm_resource --clear --expired (Pacemaker 2.0.1+)', 'clear all of the resource\'s move constraints instead.');
  return [...clearArgv(d, resource), d.clearExpired];
}

/** Create `xml` (one element) in the CIB section `scope` (resources, constraints). */
export function cibCreateArgv(d: DialectSpec, scope: 'resources' | 'constraints', xml: string): string[] {
  const c = d.cibCreate;
  return [...c.argv, c.scope, scope, c.xml, xml];
}

/** Delete the CIB element matching `xml` (tag and id, e.g. `<primitive id="vm7"/>`). */
export function cibDeleteArgv(d: DialectSpec, xml: string): string[] {
  const c = d.cibDelete;
  return [...c.argv, c.xml, xml];
}

/** crm_verify of the running cluster's configuration, errors and warnings printed. */
export function verifyArgv(d: DialectSpec): string[] {
  return [...d.verify];
}
