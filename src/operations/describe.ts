import type { ErrorCode } from '../errors/index.ts';
import { OPERATIONS } from './catalogue.ts';
import type { OperationName, Risk } from './types.ts';

/**
 * Refusals any request can get, whatever the operation: bad input, an unknown or
 * ambiguous cluster, a missing role, a change freeze, a reused idempotency key, a
 * callback host that isn't allowed, the rate limit.
 */
export const REQUEST_REFUSALS: readonly ErrorCode[] = [
  'INVALID_INPUT',
  'INVALID_NAME',
  'UNKNOWN_OPERATION',
  'UNKNOWN_CLUSTER',
  'AMBIGUOUS_OBJECT',
  'FORBIDDEN',
  'CHANGE_FREEZE',
  'IDEMPOTENCY_CONFLICT',
  'CALLBACK_NOT_ALLOWED',
  'RATE_LIMITED',
];

/** A read-only operation: answered at once from the cluster, never queued or approved. */
export interface ReadOperation {
  name: 'cluster.status' | 'cluster.check';
  summary: string;
  replaces: string;
  /** Slack usage line. */
  usage: string;
  /** The REST endpoint that answers it. */
  endpoint: string;
}

/** The read-only operations (their doors are GET routes, `/hasf status|check`, `hasf status|check`). */
export const READ_OPERATIONS: readonly ReadOperation[] = [
  { name: 'cluster.status', summary: 'Live status: quorum, nodes, resources, constraints (leftover cli-* flagged), fence devices.', replaces: 'crm_mon -1', usage: '/hasf status [cluster]', endpoint: 'GET /v1/clusters/{cluster}/status' },
  {
    name: 'cluster.check',
    summary: 'Health check: crm_verify, quorum, fencing, clocks, names, corosync links, failures, leftover constraints, maintenance flags — each finding with its fix.',
    replaces: 'crm_verify -LV; corosync-cfgtool -s; date and getent hosts on each node; crm_mon -1 --failcounts',
    usage: '/hasf check [cluster]',
    endpoint: 'GET /v1/clusters/{cluster}/check',
  },
];

/** What the catalogue says of one queued operation, without its code. */
export interface OperationSummary {
  name: OperationName;
  summary: string;
  replaces: string;
  risk: Risk;
  disruptive: boolean;
  defaultApprovals: number;
  usage: string;
  timeoutMs: number;
  paramsSchema: Record<string, unknown>;
  refusals: readonly ErrorCode[];
}

/** Every queued operation as data (for GET /v1/operations and docs). */
export function describeOperations(): OperationSummary[] {
  return Object.values(OPERATIONS).map((o) => ({
    name: o.name,
    summary: o.summary,
    replaces: o.replaces,
    risk: o.risk,
    disruptive: o.disruptive,
    defaultApprovals: o.defaultApprovals,
    usage: o.usage,
    timeoutMs: o.timeoutMs,
    paramsSchema: JSON.parse(JSON.stringify(o.paramsSchema)) as Record<string, unknown>,
    refusals: o.refusals,
  }));
}
