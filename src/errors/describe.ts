import { ErrorCode } from './codes.ts';

/** How each code surfaces: HTTP status, a short title, and whether a retry can help. */
export interface CodeInfo {
  status: number;
  title: string;
  /** Transient failures are retried by workers with backoff; permanent ones never. */
  transient: boolean;
}

const T = (status: number, title: string, transient = false): CodeInfo => ({
  status,
  title,
  transient,
});

export const CODE_INFO: Record<ErrorCode, CodeInfo> = {
  INVALID_INPUT: T(400, 'Invalid input'),
  BODY_TOO_LARGE: T(413, 'Request body too large'),
  UNSUPPORTED_MEDIA_TYPE: T(415, 'Unsupported media type'),
  INVALID_NAME: T(400, 'Invalid name'),
  UNKNOWN_OPERATION: T(400, 'Unknown operation'),
  UNKNOWN_OBJECT: T(422, 'Unknown cluster object'),
  UNKNOWN_CLUSTER: T(404, 'Unknown cluster'),
  AMBIGUOUS_OBJECT: T(422, 'Ambiguous name'),
  NOT_FOUND: T(404, 'Not found'),
  CONFIG_INVALID: T(500, 'Configuration invalid'),
  HOST_KEY_MISMATCH: T(502, 'Host key mismatch'),
  SSH_AUTH_FAILED: T(502, 'SSH authentication failed'),
  SSH_CONNECT_FAILED: T(503, 'SSH connection failed', true),
  COMMAND_TIMEOUT: T(504, 'Command timed out', true),
  COMMAND_FAILED: T(502, 'Command failed'),
  // Retried at the job level: the next attempt re-reads the cluster and decides from its state.
  COMMAND_OUTCOME_UNKNOWN: T(502, 'Command outcome unknown', true),
  COMMAND_ABORTED: T(503, 'Command stopped'),
  NO_REACHABLE_NODE: T(503, 'No cluster node reachable', true),
  PARSE_ERROR: T(502, 'Unexpected output from the cluster'),
  UNSUPPORTED_STACK: T(502, 'Unsupported cluster stack'),
  TARGET_OFFLINE: T(409, 'Target node offline'),
  TARGET_STANDBY: T(409, 'Target node in standby'),
  TARGET_UNCLEAN: T(409, 'Target node unclean'),
  ALREADY_THERE: T(409, 'Already in the requested state'),
  NOT_MIGRATABLE: T(409, 'Resource cannot live-migrate'),
  LAST_NODE: T(409, 'Last online node'),
  QUORUM_AT_RISK: T(409, 'Quorum at risk'),
  NO_FENCE_DEVICE: T(409, 'No fence device'),
  RESOURCES_WOULD_STOP: T(409, 'Resources would stop'),
  NOT_STARTABLE: T(409, 'The scheduler would not start it'),
  UNSAFE_CLUSTER: T(409, 'The cluster is not safe for disruptive work'),
  NOT_CONFIGURED: T(409, 'Not configured for this cluster'),
  VM_CONFIG_MISSING: T(422, 'VM configuration missing on a node'),
  NOT_RUNNING: T(409, 'The resource is not running'),
  UNKNOWN_TASK: T(422, 'Unknown maintenance task'),
  NODE_NOT_BACK: T(504, 'Node did not come back'),
  TASK_FAILED: T(502, 'Maintenance task failed'),
  JOB_ABORTED: T(409, 'Job aborted by an operator'),
  LUN_EXISTS: T(409, 'LUN exists'),
  BACKING_STORE_MISSING: T(422, 'Backing store missing'),
  BACKING_STORE_CONFLICT: T(409, 'Backing store conflicts with the request'),
  CHAP_NOT_PERSISTABLE: T(409, 'CHAP account would not survive a restart'),
  BACKING_STORE_NOT_ALLOWED: T(422, 'Backing store outside the target\'s backing directory and volume group'),
  TARGET_LOCKED: T(409, 'Target busy'),
  VERIFY_FAILED: T(502, 'Cluster did not reach the wanted state', true),
  JOB_TIMEOUT: T(504, 'Job took too long'),
  JOB_NOT_PENDING: T(409, 'Job not pending'),
  APPROVAL_REQUIRED: T(409, 'Approval required'),
  SELF_APPROVAL: T(403, 'Self-approval does not count'),
  ALREADY_DECIDED: T(409, 'Already decided'),
  NOT_ELIGIBLE: T(403, 'Not an eligible approver'),
  DELEGATED_TOKEN: T(403, 'A token someone else minted does not decide'),
  CHANGE_FREEZE: T(409, 'Change freeze'),
  UNAUTHENTICATED: T(401, 'Unauthenticated'),
  FORBIDDEN: T(403, 'Forbidden'),
  IDEMPOTENCY_CONFLICT: T(409, 'Idempotency key reused'),
  RATE_LIMITED: T(429, 'Too many requests'),
  CALLBACK_NOT_ALLOWED: T(422, 'Callback URL not allowed'),
  CSRF_REJECTED: T(403, 'Form token missing or wrong'),
  AUDIT_UNAVAILABLE: T(503, 'Audit log unavailable'),
  AUDIT_TAMPERED: T(500, 'Audit log tampered'),
  REDIS_UNAVAILABLE: T(503, 'Redis unavailable', true),
  LAB_FAILED: T(500, 'Lab failed'),
  LAB_NEEDS_ROOT: T(500, 'Lab needs root'),
  INTERNAL: T(500, 'Internal error'),
  TARGET_NOT_CLUSTER_NODE: T(409, 'Target is a remote or guest node'),
  WOULD_MOVE_BACK: T(409, 'The cluster would move it back'),
  WOULD_NOT_MOVE: T(409, 'The scheduler would not place it there'),
};

/** Whether a worker may retry after this code. */
export function isTransient(code: ErrorCode): boolean {
  return CODE_INFO[code].transient;
}
