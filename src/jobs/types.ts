// Operations define what a job does; a job record carries its operation's name, plan and lines.
import type { LockTarget, OperationName, Plan, PredictedAction } from '../operations/types.ts';
export type { LockTarget, OperationName, Plan, PredictedAction };

/**
 * The job record: what a request became, as stored in Redis and shown by REST, Slack
 * and the CLI. One shape for every door.
 */
export const JOB_STATES = [
  'awaiting_approval',
  'queued',
  'running',
  /** A job with pause points (cluster.rolling) held between two of its steps by an operator. */
  'paused',
  'succeeded',
  'failed',
  'rejected',
  'expired',
  'cancelled',
] as const;
export type JobState = (typeof JOB_STATES)[number];

/** States a job never leaves. */
export const FINAL_STATES: readonly JobState[] = [
  'succeeded',
  'failed',
  'rejected',
  'expired',
  'cancelled',
];

export type Channel = 'rest' | 'slack' | 'cli' | 'web';

/** One command run by a job, as recorded in its step log. */
export interface StepRecord {
  seq: number;
  step: string;
  host: string;
  argv: string[];
  exitCode: number | null;
  durationMs: number;
  outputExcerpt: string;
  at: string;
  /**
   * Set when this step is a wait for the cluster: one entry however many reads it took
   * (argv is the read it repeats), updated in place with what the cluster is doing.
   */
  wait?: StepWait;
}

/** A wait's own fields in the step log. */
export interface StepWait {
  /** What the job waits for: "vm1 Started on node2, the cluster settled". */
  for: string;
  /** What the cluster did and is doing: "vm1: migrate_to on node1 (running)". */
  doing: string;
  state: 'waiting' | 'settled' | 'failed';
  /** Reads so far. */
  polls: number;
}

export interface ApprovalEntry {
  person: string;
  identity: string;
  decision: 'approve' | 'reject';
  comment?: string;
  at: string;
}

export interface CallbackDelivery {
  event: string;
  attempt: number;
  at: string;
  status: number | null;
  error?: string;
}

export interface JobRecord {
  id: string;
  operation: OperationName;
  cluster: string;
  params: Record<string, unknown>;
  /** Person name (not identity): approvals are counted per person. */
  requester: string;
  requesterIdentity: string;
  channel: Channel;
  reason: string;
  ticket?: string;
  callbackUrl?: string;
  emergency: boolean;
  /** Break-glass jobs stay review-pending until an approver reviews them. */
  reviewPending: boolean;
  review?: { person: string; comment?: string; at: string };
  state: JobState;
  plan: Plan;
  approvalsRequired: number;
  approvals: ApprovalEntry[];
  /** When an awaiting job expires. */
  expiresAt?: string;
  createdAt: string;
  updatedAt: string;
  queuedAt?: string;
  startedAt?: string;
  finishedAt?: string;
  /**
   * The lines it waits in, one per object (set at submission from the cluster then;
   * renewed if its objects changed before it started, e.g. the VM moved to another node).
   * Absent only on records from before lines were kept: such a job finds them at its turn.
   */
  lines?: LockTarget[];
  /**
   * When it first sent a command that may change something. Attempts after that are
   * recoveries: they decide from the cluster's state and the checkpoints, never by
   * re-running preflight (which would call the half-done change "already there").
   */
  wroteAt?: string;
  /** Crash-safety checkpoints written by the operation as it goes. */
  checkpoint: Record<string, unknown>;
  attempts: number;
  result?: { summary: string; details?: Record<string, unknown> };
  /**
   * Where the last attempt's time went: commands over SSH, waiting for the cluster
   * (polling sleeps), and the rest — HASF's own overhead (Redis, audit, parsing).
   */
  timing?: { totalMs: number; commandsMs: number; waitMs: number; overheadMs: number };
  error?: { code: string; message: string };
  /**
   * Operator controls of a job with pause points (cluster.rolling), set by the doors and
   * obeyed by the worker at its next pause point (between two nodes): who asked and when.
   * Owned by the state machine, like the state.
   */
  control?: JobControl;
  /** Slack message of the approval request, for in-place updates. */
  slack?: { channel?: string; ts?: string; requesterUser?: string; responseUrl?: string };
}

/** Who asked for a pause or an abort, and when (the audit log has the record too). */
export interface ControlRequest {
  by: string;
  channel: string;
  at: string;
  comment?: string;
}

/** Pending operator controls: a pause (until resumed) and an abort (final). */
export interface JobControl {
  pause?: ControlRequest;
  abort?: ControlRequest;
}

/** A request to run an operation, from any door. */
export interface JobRequest {
  operation: string;
  params: Record<string, unknown>;
  reason: string;
  ticket?: string;
  callbackUrl?: string;
  cluster?: string;
  emergency?: boolean;
  dryRun?: boolean;
}
