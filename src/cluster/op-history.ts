/**
 * The state of one resource on one node from its operation history (`lrm_rsc_op` entries
 * of the CIB's status section), derived the way Pacemaker's scheduler does it
 * (lib/pengine/unpack.c: unpack_lrm_resource → unpack_rsc_op → remap_operation →
 * update_resource_state / unpack_rsc_op_failure): operations in call-id order, each result
 * judged against the result its transition expected, failures kept until an operation
 * that clears them. Pure: the caller gives the operations and the few facts of the
 * configuration that change the reading (managed, the op's on-fail).
 */

/** One recorded operation, attribute spellings of every stack (dashes or underscores). */
export interface RecordedOp {
  id: string;
  task: string;
  callId: number;
  rc: number;
  /** Executor status: -1 pending, 0 done, 1 cancelled, 2 timeout, 3 not supported, 4 error, 5 hard error, 6 fatal, 7 not installed, 8 not connected, 9 invalid, 10 no fence device, 11 no secrets. */
  opStatus: number;
  intervalMs: number;
  /** The rc the transition expected (third field of transition-key); undefined before 1.0. */
  targetRc?: number;
  /** For migrate_to/migrate_from: the nodes. */
  migrateSource?: string;
  migrateTarget?: string;
  lastRcChange?: number;
  exitReason?: string;
  /** The transition that scheduled it and that transition's uuid (from transition-magic or -key). */
  transition?: number;
  transitionUuid?: string;
}

/** How a failure of an operation is handled (the op's on-fail, or the default). */
export type OnFail = 'ignore' | 'block' | 'stop' | 'restart' | 'fence' | 'standby' | 'demote' | 'restart-container' | 'reset-remote';

/** What the history says about the resource on that node. */
export interface OpState {
  /** Unknown (no op said anything), Stopped, Started, Unpromoted, Promoted. */
  role: 'Unknown' | 'Stopped' | 'Started' | 'Unpromoted' | 'Promoted';
  /** A failure not cleared by a later operation (crm_mon's FAILED). */
  failed: boolean;
  /** The failure's handling, when failed (fence: the node is to be fenced; block: unmanaged). */
  onFail?: OnFail;
  /** An operation still in flight (record-pending). */
  pending?: string;
  /** A successful migrate_to not followed by a stop here: the migration's target. */
  migratingTo?: string;
  /** Active here because a migrate_from succeeded (the source may still hold a dangling copy). */
  migratedIn?: boolean;
  /** The last migrate_to recorded here, kept even after a stop: its target, result and time. */
  lastMigrateTo?: { target: string; ok: boolean; at?: number; followed?: boolean };
  /** A migrate_from was recorded here (succeeded or not). */
  sawMigrateFrom?: boolean;
  /** The newest last-rc-change of any operation here. */
  lastChange?: number;
  /** Anything but probes recorded here (start, stop, …). */
  acted?: boolean;
  /** The last failed operation (what crm_mon lists under Failed Resource Actions). */
  lastFailure?: RecordedOp;
  /** Every operation whose result was a failure (expected result not met), oldest first. */
  failures: RecordedOp[];
}

const RANK = { Unknown: 0, Stopped: 1, Started: 2, Unpromoted: 3, Promoted: 4 } as const;

/** Read one lrm_rsc_op's attributes (both spellings). */
export function recordedOp(a: Record<string, string>): RecordedOp {
  const get = (dash: string) => a[dash] ?? a[dash.replaceAll('-', '_')];
  const key = get('transition-key');
  const magic = get('transition-magic');
  // transition-key: action:transition:target-rc:uuid (1.0+); 0.6 wrote action:uuid.
  const parts = key?.split(':') ?? [];
  const target = parts.length >= 4 ? Number(parts[2]) : undefined;
  // Old histories may carry op-status/rc only in transition-magic ("status:rc;key").
  const mm = magic ? /^(-?\d+):(-?\d+);/.exec(magic) : null;
  const num = (v: string | undefined, dflt: number) => (v === undefined || v === '' || Number.isNaN(Number(v)) ? dflt : Number(v));
  const op: RecordedOp = {
    id: a.id ?? '',
    task: a.operation ?? '',
    callId: num(get('call-id'), 0),
    rc: num(get('rc-code'), mm ? Number(mm[2]) : 0),
    opStatus: num(get('op-status'), mm ? Number(mm[1]) : 0),
    intervalMs: num(a.interval, 0),
  };
  if (target !== undefined && Number.isFinite(target)) op.targetRc = target;
  const src = get('migrate_source') ?? a['migrate-source'];
  const dst = get('migrate_target') ?? a['migrate-target'];
  if (src) op.migrateSource = src;
  if (dst) op.migrateTarget = dst;
  const changed = get('last-rc-change') ?? get('last-run');
  if (changed && /^\d+$/.test(changed)) op.lastRcChange = Number(changed);
  const reason = get('exit-reason');
  if (reason) op.exitReason = reason;
  // The key inside transition-magic ("status:rc;action:transition:target:uuid"), else transition-key.
  const k = (magic?.includes(';') ? magic.slice(magic.indexOf(';') + 1) : key)?.split(':');
  // Keys were action:transition:target:uuid (1.0+), action:transition:uuid, or transition:uuid.
  if (k && k.length >= 2) {
    op.transition = Number(k.length === 2 ? k[0] : k[1]);
    op.transitionUuid = k[k.length - 1];
  }
  return op;
}

/**
 * The scheduler's order (pe__is_newer_op): by call-id; an entry still pending (call-id -1)
 * against a completed one by the transitions that scheduled them, else after it; equal
 * call-ids by last change.
 */
export function compareOps(a: RecordedOp, b: RecordedOp): number {
  if (a.callId === -1 && b.callId === -1) return 0;
  if (a.callId >= 0 && b.callId >= 0) {
    if (a.callId !== b.callId) return a.callId - b.callId;
    return (a.lastRcChange ?? -1) - (b.lastRcChange ?? -1);
  }
  const ta = a.transition ?? -1;
  const tb = b.transition ?? -1;
  if (a.transitionUuid !== b.transitionUuid || ta === tb) return b.callId === -1 ? -1 : 1;
  if ((ta >= 0 && ta < tb) || tb === -1) return -1;
  return 1;
}

/** The operations in the scheduler's order (stable for ties). */
export function sortOps(ops: RecordedOp[]): RecordedOp[] {
  return ops
    .map((op, i) => ({ op, i }))
    .sort((x, y) => compareOps(x.op, y.op) || x.i - y.i)
    .map((x) => x.op);
}

/** Options of a resource that change how its history reads. */
export interface HistoryContext {
  managed: boolean;
  /** Fencing enabled: a failed stop then means fence (else block). */
  fencing: boolean;
  /** The on-fail configured for an op (task + interval), if any. */
  onFailOf?: (task: string, intervalMs: number) => OnFail | undefined;
  /** Promotable clone member: a monitor that finds it running says Unpromoted. */
  promotable?: boolean;
  /** Meta `container` set: failures restart the container (and a failed stop is ignored). */
  inContainer?: boolean;
}

function isProbe(op: RecordedOp): boolean {
  return op.task === 'monitor' && op.intervalMs === 0;
}

/** The expected rc of an op without one recorded (before 1.0): probes expect "not running". */
function expected(op: RecordedOp): number {
  if (op.targetRc !== undefined) return op.targetRc;
  return isProbe(op) ? 7 : 0;
}

function defaultOnFail(task: string, ctx: HistoryContext): OnFail {
  if (task === 'stop') return ctx.fencing ? 'fence' : 'block';
  if (task === 'demote') return 'restart';
  return 'restart';
}

/** Replay one resource's history on one node. */
export function replayHistory(ops: RecordedOp[], ctx: HistoryContext): OpState {
  const st: OpState = { role: 'Unknown', failed: false, failures: [] };
  let onFail: OnFail | 'none' = 'none';
  const setActive = () => {
    if (RANK[st.role] < RANK.Started) st.role = ctx.promotable ? 'Unpromoted' : 'Started';
  };
  const clearFailure = () => {
    // A success clears restart/ignore/block/demote failures; stop, fence, standby stay.
    if (onFail === 'restart' || onFail === 'ignore' || onFail === 'block' || onFail === 'demote') onFail = 'none';
  };
  // Notifications and meta-data calls say nothing about the state (and their call-id -1 would
  // only disturb the order).
  for (const op of sortOps(ops.filter((o) => o.task !== 'notify' && o.task !== 'meta-data' && o.task !== 'metadata'))) {
    if (op.opStatus === 1) continue; // cancelled
    if (op.opStatus === -1 || op.callId === -1) {
      // In flight: a pending start already counts as active, a pending promote as promoted.
      if (op.task === 'start') setActive();
      else if (op.task === 'promote') st.role = 'Promoted';
      if (op.task !== 'monitor' || op.intervalMs !== 0) st.pending ??= op.task;
      continue;
    }
    if (op.lastRcChange !== undefined) st.lastChange = Math.max(st.lastChange ?? 0, op.lastRcChange);
    if (op.task === 'migrate_from') st.sawMigrateFrom = true;
    if (!(op.task === 'monitor' && op.intervalMs === 0)) st.acted = true;
    let rc = op.rc;
    if (op.task === 'monitor') rc = rc === 190 ? 0 : rc === 191 ? 8 : rc;
    const target = expected(op);
    const probe = isProbe(op);
    let status = op.opStatus;
    // A probe that finds the agent not installed reads as "not running" (2.1+ masks it).
    if (probe && (rc === 5 || status === 7)) {
      st.role = 'Stopped';
      continue;
    }
    if (status === 0 || status === 4) {
      status = rc === target ? 0 : 4;
      if (rc === 0 && probe && target === 7) status = 0;
      if (rc === 7 && (probe || target === 7 || !ctx.managed)) {
        status = 0;
        st.role = 'Stopped';
        onFail = 'none';
        st.migratingTo = undefined;
      }
      if (rc === 8) {
        if (probe) status = 0;
        st.role = 'Promoted';
      }
      if (rc === 9 || rc === 10) {
        st.role = 'Promoted';
        status = 4;
      }
    }
    if (st.lastMigrateTo && op.task !== 'migrate_to' && op.task !== 'monitor') st.lastMigrateTo.followed = true;
    if (op.task === 'migrate_to' && op.migrateTarget) st.lastMigrateTo = { target: op.migrateTarget, ok: status === 0, ...(op.lastRcChange !== undefined ? { at: op.lastRcChange } : {}) };
    if (status === 0) {
      updateState(st, op, rc, ctx, setActive);
      if (rc === 7 || ['start', 'stop', 'promote', 'migrate_from'].includes(op.task) || (op.task === 'monitor' && st.lastFailure && st.lastFailure.task === 'monitor' && st.lastFailure.intervalMs === op.intervalMs)) clearFailure();
      if (op.task === 'demote' && onFail === 'demote') onFail = 'none';
      continue;
    }
    // A failure.
    const how = ctx.onFailOf?.(op.task, op.intervalMs) ?? (ctx.inContainer ? 'restart-container' : defaultOnFail(op.task, ctx));
    if (how === 'ignore' || (how === 'restart-container' && op.task === 'stop')) {
      updateState(st, op, target, ctx, setActive);
      continue;
    }
    st.lastFailure = op;
    st.failures.push(op);
    if (onFail === 'none' || severity(how) > severity(onFail)) onFail = how;
    if (op.task === 'promote') st.role = 'Promoted';
    else if (op.task === 'demote') st.role = how === 'block' ? 'Promoted' : rc === 7 ? 'Stopped' : 'Unpromoted';
    else if (op.task === 'migrate_to' && op.migrateTarget) st.migratingTo = undefined;
    // Whatever failed, the resource counts as active there (it must be stopped or recovered).
    if (probe && rc === 5) st.role = 'Stopped';
    else setActive();
  }
  if (onFail !== 'none') {
    st.failed = true;
    st.onFail = onFail;
  }
  return st;
}

const SEVERITY: Record<OnFail, number> = { ignore: 0, demote: 1, restart: 2, 'restart-container': 2, 'reset-remote': 2, block: 3, stop: 4, standby: 5, fence: 6 };
function severity(f: OnFail): number {
  return SEVERITY[f];
}

function updateState(st: OpState, op: RecordedOp, rc: number, ctx: HistoryContext, setActive: () => void): void {
  if (rc === 7) return; // already Stopped
  switch (op.task) {
    case 'monitor':
      if (rc === 8) st.role = 'Promoted';
      else setActive();
      break;
    case 'start':
      st.role = 'Started';
      st.migratedIn = false;
      break;
    case 'stop':
      st.role = 'Stopped';
      st.migratingTo = undefined;
      st.migratedIn = false;
      break;
    case 'promote':
      st.role = 'Promoted';
      break;
    case 'demote':
      st.role = 'Unpromoted';
      break;
    case 'migrate_from':
      st.role = 'Started';
      st.migratedIn = true;
      break;
    case 'migrate_to':
      // The source stays active until its stop (or the target's migrate_from) is recorded.
      setActive();
      if (op.migrateTarget) st.migratingTo = op.migrateTarget;
      break;
    default:
      setActive();
  }
}
