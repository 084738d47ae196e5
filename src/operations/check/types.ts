import type { ClusterStatus, CibDetail, DialectSpec, NodeProbe, VerifyResult } from '../../cluster/index.ts';

/** How bad a finding is. critical: the cluster can't protect itself; disruptive operations refuse. */
export type Severity = 'critical' | 'warning' | 'info';

/** The stable codes of check findings (what a ticket or a monitoring rule keys on). */
export const FINDING_CODES = [
  'NO_QUORUM',
  'QUORUM_AT_EDGE',
  'FENCING_DISABLED',
  'NO_FENCE_DEVICE',
  'FENCE_DEVICE_STOPPED',
  'VERIFY_ERROR',
  'VERIFY_WARNING',
  'NODE_OFFLINE',
  'NODE_UNCLEAN',
  'NODE_UNREACHABLE',
  'NODE_STANDBY',
  'CLOCK_SKEW',
  'CLOCK_UNREADABLE',
  'NAME_UNRESOLVED',
  'NAME_MISMATCH',
  'LINK_DOWN',
  'LINKS_UNKNOWN',
  'FAILED_ACTION',
  'FAIL_COUNT',
  'LEFTOVER_CONSTRAINT',
  'MAINTENANCE_MODE',
  'NODE_MAINTENANCE',
  'RESOURCE_MAINTENANCE',
  'RESOURCE_UNMANAGED',
  'RESOURCE_STOPPED',
  'RESOURCE_DISABLED',
] as const;
export type FindingCode = (typeof FINDING_CODES)[number];

/** How to fix a finding: in words, and the command where there is one. */
export interface Fix {
  summary: string;
  /** The HASF command (after `hasf` or `/hasf`), when HASF can do it. */
  hasf?: string;
  /** The cluster command an admin would type, in this cluster's dialect. */
  argv?: string[];
  /** Where argv runs: a node's name, or "any node". */
  on?: string;
}

/** One thing the check found. */
export interface Finding {
  code: FindingCode;
  severity: Severity;
  /** What it is about: a node, a resource, a constraint, or "cluster". */
  subject: string;
  message: string;
  fix: Fix;
  details?: Record<string, unknown>;
}

/** Per node: what its probes answered (clock offset against HASF's host, names, links). */
export type NodeFacts = NodeProbe;

/** The report of `cluster.check`. */
export interface CheckReport {
  cluster: string;
  checkedAt: string;
  durationMs: number;
  /** No critical finding. */
  ok: boolean;
  counts: Record<Severity, number>;
  /** Critical first, then warnings, then information. */
  findings: Finding[];
  nodes: NodeFacts[];
}

/** Everything the rules read: gathered once, evaluated by pure functions. */
export interface CheckFacts {
  status: ClusterStatus;
  detail: CibDetail;
  verify?: VerifyResult;
  verifyError?: string;
  probes: NodeProbe[];
  dialect: DialectSpec;
  /** Inventory addresses by node name, to suggest /etc/hosts lines. */
  addresses: Record<string, string>;
}
