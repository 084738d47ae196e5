/**
 * cluster.check: the health of a cluster as an experienced admin would check it by hand —
 * crm_verify, quorum and fencing, clocks, names, corosync links, failures, leftover move
 * constraints, maintenance flags — each finding with a severity and the command that fixes it.
 */
export { checkCluster, evaluate, runCheck, type CheckAccess, type CheckTarget } from './run.ts';
export { clockSkews, type ClockSkew } from './clock.ts';
export { CLOCK_LIMIT_MS } from './rules-nodes.ts';
export { FINDING_CODES, type CheckFacts, type CheckReport, type Finding, type FindingCode, type Fix, type NodeFacts, type Severity } from './types.ts';
