import type { ErrorCode } from '../errors/index.ts';
import type { ClusterStatus, FenceEvent, PlannedChange, PredictedAction, Prediction } from '../cluster/model.ts';
import type { SequencePrediction, SettleState, SimStep } from '../cluster/index.ts';
import type { StorageTargetConfig, VmTemplate } from '../config/inventory.ts';
import type { AdminChange } from '../cluster/admin-change.ts';
import type { DialectSpec } from '../cluster/dialects.ts';
import type { StorageDriver } from '../storage/index.ts';
import type { RollingConfig } from '../config/rolling.ts';
import type { CommandExecutor, CommandResult } from '../ssh/types.ts';

export type { PredictedAction };

/** Every queued operation's name (the catalogue holds one definition per name). */
export type OperationName =
  | 'vm.migrate'
  | 'node.standby'
  | 'node.online'
  | 'node.fence'
  | 'lun.add'
  | 'resource.cleanup'
  | 'cluster.maintenance'
  | 'node.maintenance'
  | 'resource.maintenance'
  | 'resource.stop'
  | 'resource.start'
  | 'resource.restart'
  | 'resource.ban'
  | 'resource.clear'
  | 'vm.add'
  | 'vm.remove'
  | 'cluster.rolling';

/** What the request will do: the exact commands and, for Pacemaker, the scheduler's prediction. */
export interface Plan {
  /** One line for humans: "Live-migrate vm1 from node1 to node2". */
  summary: string;
  /** Exact argvs and the host (or "any node of CLUSTER") each runs on. */
  commands: { host: string; argv: string[] }[];
  /** Predicted transition; absent for storage operations. */
  prediction?: {
    /** Every action of the whole sequence, in order. */
    actions: PredictedAction[];
    /** resource id → nodes at the end of the whole sequence */
    placement: Record<string, string[]>;
    /**
     * The sequence step by step, when the job makes more than one change (a move, then the
     * clear of its constraint): what each does and where things are after it.
     */
    steps?: { change: string; actions: PredictedAction[] }[];
    /** The version of the CIB it was computed on (admin_epoch.epoch.num_updates). */
    cibVersion?: string;
  };
  /** Things the approver should know (downtime, leftover constraints, …). */
  warnings: string[];
}

/** A change the scheduler can be asked to predict. */
export type ClusterChange = PlannedChange;

/** What an operation needs from a Pacemaker cluster (src/cluster's driver provides it). */
export interface ClusterApi {
  status(): Promise<ClusterStatus>;
  move(resource: string, node: string, opts?: { lifetime?: string }): Promise<CommandResult>;
  clear(resource: string): Promise<CommandResult>;
  standby(node: string, on: boolean): Promise<CommandResult>;
  fence(node: string, action: 'reboot' | 'off'): Promise<CommandResult>;
  fenceHistory(node?: string): Promise<FenceEvent[]>;
  cleanup(resource: string): Promise<CommandResult>;
  /** The exact argvs a change runs. */
  commandsFor(change: ClusterChange): Promise<string[][]>;
  /** The scheduler's prediction for a change, computed on a copy of the CIB. */
  predict(change: ClusterChange): Promise<Prediction>;
  /** The scheduler's prediction of a whole sequence of changes, in order, on one CIB copy. */
  predictSequence(steps: SimStep[]): Promise<SequencePrediction>;
  /** Whether the cluster has settled (no transition in progress), and what it is doing if not. */
  settle(): Promise<SettleState>;
  /** The cluster's stack dialect (flag spellings, which forms it has). */
  dialect(): Promise<{ name: string; spec: DialectSpec }>;
  /** The raw CIB (cibadmin -Q). */
  cib(): Promise<string>;
  /** Run one administration change (maintenance, target-role, restart, ban, cibadmin); throws on a non-zero exit. */
  apply(change: Exclude<AdminChange, { kind: 'sequence' }>, opts?: { timeoutMs?: number }): Promise<CommandResult>;
  /** Whether a file is readable on a node of the cluster. */
  readable(path: string): Promise<{ readable: boolean; host: string }>;
}

/** What an operation needs from an iSCSI target (src/storage's drivers provide it). */
export type StorageApi = Pick<StorageDriver, 'listLuns' | 'plan' | 'addLun' | 'backingStoreExists' | 'checkBackingStore'>;

/** Where an operation runs: one cluster and the storage targets that serve it. */
export interface OperationContext {
  /** The plan the job was approved with (absent when planning): its prediction, and the CIB version it was made on. */
  planned?: Plan;
  cluster: string;
  pacemaker: ClusterApi;
  /** Runs an argv on one named node of the cluster (UNKNOWN_OBJECT for other names): cluster.rolling's task and reboot. */
  onNode(node: string): CommandExecutor;
  /** cluster.rolling's configuration: the named tasks, the clean reboot, the back-online timeout. */
  rolling: RollingConfig;
  storage(target: string): StorageApi;
  storageTargets: StorageTargetConfig[];
  /** How vm.add creates VM resources on this cluster (the inventory's `vms`); absent: not configured. */
  vms?: VmTemplate;
  /** Job id (or 'dry-run'), for naming created objects. */
  jobId: string;
  /** The cluster's status, read once per request and cached (re-read with pacemaker.status()). */
  status(): Promise<ClusterStatus>;
}

/** Extra powers while executing: checkpoints and progress. */
export interface ExecutionContext extends OperationContext {
  /** Checkpoints from earlier attempts of this job (crash safety). */
  readonly checkpoint: Readonly<Record<string, unknown>>;
  /** Record progress durably before acting on it. */
  saveCheckpoint(patch: Record<string, unknown>): Promise<void>;
  /** Names the step that following commands belong to (shown in the step log). */
  step(name: string): Promise<void>;
  /** Time source and sleep (injected so waits can be bounded); sleep rejects once `signal` fired. */
  now(): number;
  sleep(ms: number): Promise<void>;
  /**
   * Opens ONE step of the step log for a wait: commands run until end() are audited as
   * always but not listed one by one; update() says what the cluster is doing. Optional:
   * without it a wait's reads are listed like any command.
   */
  beginWait?(what: string): Promise<WaitStep>;
  /**
   * Fires when the job must stop (JOB_TIMEOUT): a command in flight is killed, sleep()
   * rejects, and no further command starts. Work that waits on anything else should
   * listen to it; the job's lines are held until execute() has returned.
   */
  readonly signal: AbortSignal;
  /**
   * A point where an operator may pause or abort the job (an operation with `pausable`
   * calls it between two nodes, with where it is: "before node2"). Returns at once when
   * nothing was asked; throws JOB_ABORTED when it was aborted; when a pause was asked for
   * it throws a hold that ends this attempt (let it through): the job stays paused and,
   * once resumed, runs again from its checkpoints — so call it only where the checkpoint
   * says exactly where the operation is.
   */
  pausePoint(where: string): Promise<void>;
}

/** The one step-log entry of a wait (ExecutionContext.beginWait). */
export interface WaitStep {
  /** What the cluster is doing now ("vm1: migrate_to on node1 (running)"). */
  update(doing: string): Promise<void>;
  /** The wait is over: settled (or not) with what the cluster showed. */
  end(outcome: { ok: boolean; doing: string }): Promise<void>;
}

/**
 * One line a job waits in (see lines.ts), in request order. `resource`: a Pacemaker
 * resource id, whatever operation touches it; `node`: a node; `storage`: an iSCSI daemon
 * on a storage host; `cluster-disruptive`: one node-level disruption at a time per
 * cluster. `exclusive` (default): alone on the object; `shared`: alongside other shared
 * jobs, never alongside an exclusive one (migrations share their nodes; a fence doesn't).
 */
export interface LockTarget {
  kind: 'resource' | 'node' | 'storage' | 'cluster-disruptive';
  name: string;
  mode?: 'shared' | 'exclusive';
}

/** What an operation's lines may depend on: the cluster as it is now, and the storage it uses. */
export interface LockScope {
  /** The cluster's status (read once and shared with preflight). */
  status(): Promise<ClusterStatus>;
  storageTargets: StorageTargetConfig[];
  /** The CIB, for lines that depend on constraints (what stops with a resource); absent in scopes without a cluster driver. */
  pacemaker?: Pick<ClusterApi, 'cib'>;
}

export type Risk = 'low' | 'medium' | 'high';

/** JSON Schema subset used for params (validated with ajv; mirrored in openapi.yaml). */
export type ParamsSchema = Record<string, unknown>;

/**
 * One operation, defined once: this drives REST validation, the Slack parser and help,
 * the worker and the docs.
 */
export interface OperationDef<P = Record<string, unknown>> {
  name: OperationName;
  /** One line for help text. */
  summary: string;
  /** The classic runbook command this replaces (docs). */
  replaces: string;
  risk: Risk;
  /** Node-level disruption: one at a time per cluster; refused during change freezes. */
  disruptive: boolean;
  /** Default approvals (the policy can override). */
  defaultApprovals: number;
  paramsSchema: ParamsSchema;
  /** Slack usage line, e.g. `/hasf migrate <vm> <node> [--allow-restart]`. */
  usage: string;
  /** How long execute may take before the job fails (counted per run: time spent paused does not count). */
  timeoutMs: number;
  /** It calls ctx.pausePoint() between steps, so operators may pause, resume and abort it. */
  pausable?: boolean;
  /**
   * The refusal codes this operation's own safety rules and lookups can give (before
   * approval), for GET /v1/operations and its docs; the request-level ones every
   * operation can give are REQUEST_REFUSALS. A test checks each code thrown is listed.
   */
  refusals: readonly ErrorCode[];
  /**
   * The lines this job waits in, from its params and the cluster now (a migration also
   * takes its VM's current node). Computed at submission, and again when its turn comes:
   * if the objects changed meanwhile (the VM moved), the job moves to the lines of the
   * objects it needs now, keeping its place.
   */
  locks(params: P, scope: LockScope): Promise<LockTarget[]>;
  /** The object the request is about, for display ("vm1 → node2"). */
  target(params: P): string;
  /** Safety rules; throws a HasfError with the refusal code. Runs no command that changes anything. */
  preflight(ctx: OperationContext, params: P): Promise<void>;
  /** The exact commands and the prediction. Changes nothing. */
  plan(ctx: OperationContext, params: P): Promise<Plan>;
  /** Do it, checkpointing as it goes, then verify the cluster really got there. */
  execute(ctx: ExecutionContext, params: P): Promise<{ summary: string; details?: Record<string, unknown> }>;
}

/** Any operation definition, whatever its params type (for catalogues and parsers). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- params differ per operation; each definition is typed
export type AnyOperation = OperationDef<any>;
