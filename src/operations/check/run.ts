import { parseCibDetail, probeNode, type PacemakerDriver } from '../../cluster/index.ts';
import type { CommandExecutor } from '../../ssh/types.ts';
import { isHasfError } from '../../errors/index.ts';
import { clocks, links, names, nodeStates } from './rules-nodes.ts';
import { failures, leftovers, maintenance, quorumAndFencing, stoppedResources, verifyFindings } from './rules-cluster.ts';
import type { CheckFacts, CheckReport, Finding, Severity } from './types.ts';

/** What the check reads from: the cluster's driver and one executor per node. */
export interface CheckTarget {
  cluster: string;
  pacemaker: Pick<PacemakerDriver, 'status' | 'cib' | 'verify' | 'dialect'>;
  nodes: { name: string; host: string; exec: CommandExecutor }[];
}

/** Where the check gets its target (ClusterAccess satisfies it). */
export interface CheckAccess {
  /** Throws UNKNOWN_CLUSTER for a name that isn't configured. */
  cluster(name: string): unknown;
  pacemaker(name: string): CheckTarget['pacemaker'];
  nodeExecutors(name: string): CheckTarget['nodes'];
}

/** Check one configured cluster (UNKNOWN_CLUSTER before any command). */
export function checkCluster(access: CheckAccess, cluster: string): Promise<CheckReport> {
  access.cluster(cluster);
  return runCheck({ cluster, pacemaker: access.pacemaker(cluster), nodes: access.nodeExecutors(cluster) });
}

const ORDER: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/** The findings of a set of facts: every rule, pure, sorted critical first. */
export function evaluate(f: CheckFacts): Finding[] {
  const all = [
    ...quorumAndFencing(f),
    ...nodeStates(f),
    ...verifyFindings(f),
    ...links(f),
    ...clocks(f),
    ...names(f),
    ...failures(f),
    ...leftovers(f),
    ...maintenance(f),
    ...stoppedResources(f),
  ];
  return all.sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
}

/**
 * cluster.check: read everything at once (status and CIB, crm_verify, and on every node
 * its clock, its peers' names and its corosync links), then evaluate. Read-only: it runs
 * no command that changes anything. A node that can't be reached is a finding, not a failure.
 */
export async function runCheck(t: CheckTarget, now: () => number = Date.now): Promise<CheckReport> {
  const started = now();
  const [status, cib, dialect] = await Promise.all([t.pacemaker.status(), t.pacemaker.cib(), t.pacemaker.dialect()]);
  const peers = status.nodes.map((n) => n.name);
  const [verify, probes] = await Promise.all([
    t.pacemaker.verify().then(
      (v) => ({ verify: v }),
      (e: unknown) => ({ verifyError: isHasfError(e) ? e.message : String(e) }),
    ),
    Promise.all(t.nodes.map((n) => probeNode(n.name, n.exec, peers.filter((p) => p !== n.name)))),
  ]);
  const facts: CheckFacts = {
    status,
    detail: parseCibDetail(cib),
    ...verify,
    probes,
    dialect: dialect.spec,
    addresses: Object.fromEntries(t.nodes.map((n) => [n.name, n.host])),
  };
  const findings = evaluate(facts);
  const counts: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
  for (const x of findings) counts[x.severity]++;
  return {
    cluster: t.cluster,
    checkedAt: new Date(started).toISOString(),
    durationMs: Math.round(now() - started),
    ok: counts.critical === 0,
    counts,
    findings,
    nodes: probes,
  };
}
