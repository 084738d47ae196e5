import {
  cleanupArgv,
  clearArgv,
  fencingPropertyName,
  flattenResources,
  maintenanceModeArgv,
  nodeMaintenanceArgv,
  propertyArgv,
  resourceMaintenanceArgv,
  targetRoleArgv,
  type ClusterResource,
} from '../../cluster/index.ts';
import { isHasfError } from '../../errors/index.ts';
import type { CheckFacts, Finding, Fix } from './types.ts';

const ANY = 'any node';

/** An argv for a fix, or none where the dialect has no such command (the summary still says what to do). */
export function maybe(build: () => string[]): string[] | undefined {
  try {
    return build();
  } catch (e) {
    // UNSUPPORTED_STACK, or a stack that needs more than the finding knows (Heartbeat's cleanup needs a node).
    if (isHasfError(e, 'UNSUPPORTED_STACK') || isHasfError(e, 'INVALID_INPUT')) return undefined;
    throw e;
  }
}

export function fix(summary: string, argv?: string[], hasf?: string, on = ANY): Fix {
  return { summary, ...(hasf ? { hasf } : {}), ...(argv ? { argv, on } : {}) };
}

/** Quorum and fencing: what decides whether the cluster can protect data when a node fails. */
export function quorumAndFencing(f: Pick<CheckFacts, 'status' | 'dialect'>): Finding[] {
  const { status, dialect } = f;
  const out: Finding[] = [];
  const members = status.nodes.filter((n) => (n.type ?? 'member') === 'member');
  const online = members.filter((n) => n.online && !n.unclean);
  const expected = status.quorum.expectedVotes ?? members.length;
  const needed = Math.floor(expected / 2) + 1;
  if (!status.quorum.hasQuorum) {
    out.push({
      code: 'NO_QUORUM',
      severity: 'critical',
      subject: 'cluster',
      message: `The cluster has no quorum (${online.length} of ${expected} votes online, ${needed} needed): the partition stops its resources and may not fence.`,
      fix: fix(`Bring nodes back online until ${needed} of ${expected} votes are present; never work around it by lowering expected votes while the other nodes may still run.`),
      details: { online: online.length, expected, needed },
    });
  } else if (expected > 1 && online.length <= needed) {
    out.push({
      code: 'QUORUM_AT_EDGE',
      severity: 'warning',
      subject: 'cluster',
      message: `Only ${online.length} of ${expected} votes are online: losing one more node loses quorum.`,
      fix: fix(`Bring ${members.filter((n) => !n.online).map((n) => n.name).join(', ') || 'the missing nodes'} back online before disruptive work.`),
      details: { online: online.length, expected, needed },
    });
  }
  const devices = status.fenceDevices;
  if (status.stonithEnabled === false) {
    out.push({
      code: 'FENCING_DISABLED',
      severity: 'critical',
      subject: 'cluster',
      message: `${fencingPropertyName(dialect, status.stackVersion)}=false: a node that hangs is never fenced, so its VMs could run twice (split brain) on shared storage.`,
      fix: fix(devices.length ? 'Enable fencing again.' : 'Configure a fence device (PDU, IPMI, …), then enable fencing.', propertyArgv(dialect, fencingPropertyName(dialect, status.stackVersion), 'true')),
    });
  } else if (devices.length === 0) {
    out.push({
      code: 'NO_FENCE_DEVICE',
      severity: 'critical',
      subject: 'cluster',
      message: 'Fencing is enabled but no fence device is configured: the cluster cannot recover a failed node, and refuses to start resources.',
      fix: fix('Add a stonith resource for the nodes\' power switch or IPMI (cibadmin -C -o resources with a class="stonith" primitive), then check it with stonith_admin --list-registered.'),
    });
  } else if (!devices.some((d) => d.active)) {
    const d = devices[0]!;
    out.push({
      code: 'FENCE_DEVICE_STOPPED',
      severity: 'critical',
      subject: d.id,
      message: `No fence device is running (${devices.map((x) => x.id).join(', ')}): a failed node can't be fenced until one starts.`,
      fix: fix(`Find why ${d.id} stopped (its failed actions, the device's address and credentials), then clean it up.`, maybe(() => cleanupArgv(dialect, d.id)), `cleanup ${d.id}`),
    });
  }
  return out;
}

/** crm_verify -L: the configuration problems Pacemaker itself sees. */
export function verifyFindings(f: CheckFacts): Finding[] {
  if (!f.verify) {
    return f.verifyError
      ? [{ code: 'VERIFY_WARNING', severity: 'warning', subject: 'cluster', message: `crm_verify could not run: ${f.verifyError}`, fix: fix('Run crm_verify -L -V on a node by hand.') }]
      : [];
  }
  const verify = ['crm_verify', '-L', '-V'];
  const out: Finding[] = f.verify.messages.map((m) => ({
    code: m.level === 'error' ? ('VERIFY_ERROR' as const) : ('VERIFY_WARNING' as const),
    severity: m.level === 'error' ? ('critical' as const) : ('warning' as const),
    subject: 'configuration',
    message: `crm_verify: ${m.message}`,
    fix: fix(m.level === 'error' ? 'Correct the configuration: the cluster will not work properly until crm_verify reports no errors.' : 'Review the configuration; crm_verify -L -V lists every warning.', verify),
  }));
  if (f.verify.exitCode !== 0 && !out.some((x) => x.code === 'VERIFY_ERROR')) {
    out.push({ code: 'VERIFY_ERROR', severity: 'critical', subject: 'configuration', message: `crm_verify -L exited ${f.verify.exitCode}: the configuration is not valid.`, fix: fix('Run crm_verify -L -V on a node and correct what it reports.', verify) });
  }
  return out;
}

/** Failed operations and fail counts: each cleared with a cleanup once its cause is fixed. */
export function failures(f: CheckFacts): Finding[] {
  const { dialect } = f;
  const out: Finding[] = [];
  const withAction = new Set<string>();
  for (const a of f.detail.failedActions) {
    withAction.add(`${a.resource}@${a.node}`);
    const what = `${a.operation}${a.intervalMs ? ` (every ${a.intervalMs / 1000} s)` : ''}`;
    const how = a.status ? a.status : a.rcText;
    out.push({
      code: 'FAILED_ACTION',
      severity: 'warning',
      subject: a.resource,
      message: `${a.resource}: ${what} failed on ${a.node} (${how}${a.exitReason ? `: ${a.exitReason}` : ''})${a.at ? ` at ${a.at}` : ''}.`,
      fix: fix(`Fix the cause on ${a.node}, then clean ${a.resource} up so the cluster forgets the failure.`, maybe(() => cleanupArgv(dialect, a.resource, a.node)), `cleanup ${a.resource}`),
      details: { ...a },
    });
  }
  for (const r of flattenResources(f.status.resources)) {
    for (const [node, count] of Object.entries(r.failCounts ?? {})) {
      if (count <= 0 || withAction.has(`${r.id}@${node}`)) continue;
      out.push({
        code: 'FAIL_COUNT',
        severity: 'warning',
        subject: r.id,
        message: `${r.id} has a fail count of ${count >= 1_000_000 ? 'INFINITY' : count} on ${node}${count >= 1_000_000 ? ': it may not run there until cleaned up' : ''}.`,
        fix: fix(`Clean ${r.id} up once the cause is fixed.`, maybe(() => cleanupArgv(dialect, r.id, node)), `cleanup ${r.id}`),
        details: { node, count },
      });
    }
  }
  return out;
}

/** cli-prefer-/cli-ban- constraints: the leftovers of hand-typed moves and bans. */
export function leftovers(f: CheckFacts): Finding[] {
  return f.status.constraints
    .filter((c) => c.leftover)
    .map((c) => ({
      code: 'LEFTOVER_CONSTRAINT' as const,
      severity: 'warning' as const,
      subject: c.id,
      message:
        c.leftover === 'ban'
          ? `${c.id} keeps ${c.resource} off ${c.node ?? 'a node'}${c.hasRule ? ' (with a lifetime rule; expired ones stay until cleared)' : ''}: left by crm_resource --ban or a move without --node.`
          : `${c.id} pins ${c.resource} to ${c.node ?? 'a node'}${c.hasRule ? ' (with a lifetime rule)' : ''}: left by crm_resource --move; the resource won't fail over as expected.`,
      fix: fix(`Remove the move/ban constraints of ${c.resource} (it may then move back to where stickiness and preferences put it).`, clearArgv(f.dialect, c.resource)),
      details: { resource: c.resource, node: c.node, kind: c.leftover, hasRule: c.hasRule },
    }));
}

const ancestors = (r: ClusterResource, byId: Map<string, ClusterResource>): ClusterResource[] => {
  const out: ClusterResource[] = [];
  for (let p = r.parent ? byId.get(r.parent) : undefined; p; p = p.parent ? byId.get(p.parent) : undefined) out.push(p);
  return out;
};

/** Maintenance flags and unmanaged resources: what the cluster is told not to look after. */
export function maintenance(f: CheckFacts): Finding[] {
  const { status, dialect, detail } = f;
  const out: Finding[] = [];
  if (status.maintenanceMode) {
    out.push({
      code: 'MAINTENANCE_MODE',
      severity: 'warning',
      subject: 'cluster',
      message: 'maintenance-mode=true: the cluster manages nothing — no failure is recovered, no resource is started, stopped or moved.',
      fix: fix('Take the cluster out of maintenance once the work is done (check crm_mon first: resources are probed again).', maybe(() => maintenanceModeArgv(dialect, false))),
    });
  }
  const inMaintenance = new Set<string>();
  for (const n of status.nodes.filter((x) => x.maintenance)) {
    inMaintenance.add(n.name);
    out.push({
      code: 'NODE_MAINTENANCE',
      severity: 'warning',
      subject: n.name,
      message: `${n.name} is in maintenance: the resources on it are not monitored or recovered.`,
      fix: fix(`Take ${n.name} out of maintenance when the work on it is done.`, maybe(() => nodeMaintenanceArgv(dialect, n.name, false))),
    });
  }
  const all = flattenResources(status.resources);
  const byId = new Map(all.map((r) => [r.id, r]));
  for (const r of all) {
    const meta = detail.meta[r.id] ?? {};
    const own = meta.maintenance === 'true' ? 'maintenance' : meta.isManaged === 'false' ? 'is-managed' : undefined;
    if (own) {
      out.push({
        code: own === 'maintenance' ? 'RESOURCE_MAINTENANCE' : 'RESOURCE_UNMANAGED',
        severity: 'warning',
        subject: r.id,
        message: own === 'maintenance' ? `${r.id} is in maintenance (meta maintenance=true): not monitored, not recovered.` : `${r.id} is unmanaged (meta is-managed=false): the cluster neither starts, stops nor recovers it.`,
        fix: fix(`Give ${r.id} back to the cluster once its work is done.`, maybe(() => resourceMaintenanceArgv(dialect, r.id, false))),
      });
      continue;
    }
    if (r.managed || status.maintenanceMode || r.nodes.some((n) => inMaintenance.has(n))) continue;
    if (ancestors(r, byId).some((p) => !p.managed)) continue; // reported on the parent
    out.push({
      code: 'RESOURCE_UNMANAGED',
      severity: 'warning',
      subject: r.id,
      message: `${r.id} is unmanaged${r.failed ? ' after a failure it could not recover (a failed stop without fencing blocks it)' : ''}.`,
      fix: fix(`Look at ${r.id}'s failed actions and meta attributes; clean it up once the cause is fixed.`, maybe(() => cleanupArgv(dialect, r.id)), `cleanup ${r.id}`),
    });
  }
  return out;
}

/** Resources that should run but don't, and those stopped on purpose. */
export function stoppedResources(f: CheckFacts): Finding[] {
  const { status, detail, dialect } = f;
  if (status.maintenanceMode) return [];
  const out: Finding[] = [];
  const all = flattenResources(status.resources);
  const byId = new Map(all.map((r) => [r.id, r]));
  const clones = new Set(all.filter((r) => r.kind === 'clone').map((r) => r.id));
  for (const r of all) {
    const role = (detail.meta[r.id]?.targetRole ?? '').toLowerCase();
    if (role === 'stopped') {
      out.push({
        code: 'RESOURCE_DISABLED',
        severity: 'info',
        subject: r.id,
        message: `${r.id} is stopped on purpose (target-role=Stopped).`,
        fix: fix(`Start it again when it is wanted.`, targetRoleArgv(dialect, r.id, null)),
      });
      continue;
    }
    if (r.kind !== 'primitive' || r.isFenceDevice || r.active || (r.parent && clones.has(r.parent)) || !r.managed) continue;
    if (ancestors(r, byId).some((p) => (detail.meta[p.id]?.targetRole ?? '').toLowerCase() === 'stopped')) continue;
    out.push({
      code: 'RESOURCE_STOPPED',
      severity: 'warning',
      subject: r.id,
      message: `${r.id} is not running anywhere${r.failed ? ' (failed)' : ''}, though nothing asks for it to be stopped.`,
      fix: fix(`See ${r.id}'s failed actions and constraints (a ban, a fail count at its limit); clean it up once the cause is fixed.`, maybe(() => cleanupArgv(dialect, r.id)), `cleanup ${r.id}`),
    });
  }
  return out;
}
