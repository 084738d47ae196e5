import { HasfError } from '../errors/index.ts';
import type { Dialect } from '../config/inventory.ts';
import { ReadOnlyExecutor } from '../ssh/read-only.ts';
import type { CommandExecutor, CommandResult } from '../ssh/types.ts';
import {
  cibArgv,
  cleanupArgv,
  clearArgv,
  dcStateArgv,
  DIALECTS,
  liveSchedulerArgv,
  statusSectionArgv,
  dialectFromVersion,
  fenceArgv,
  fenceHistoryArgv,
  moveArgv,
  standbyArgv,
  statusArgv,
  VERSION_PROBES,
  type DialectSpec,
  type StackDialect,
} from './dialects.ts';
import { verifyArgv } from './argv-admin.ts';
import { adminArgv as adminArgvOf, checkAdminChange, describeAdminChange, isAdminChange, liveArgvs, type AdminChange } from './admin-change.ts';
import { mergeCibIntoStatus } from './merge-status.ts';
import { parseCrmVerify, type VerifyResult } from './parse-crm-verify.ts';
import type { ClusterStatus, FenceEvent, PlannedChange, Prediction } from './model.ts';
import { validateLifetime, validateName } from './names.ts';
import { parseCib } from './parse-cib.ts';
import { parseCrmMonXml } from './parse-crm-mon.ts';
import { findCompletedFence, parseFenceHistory } from './parse-fence-history.ts';
import { cibVersionOf, predictSequence, type SequencePrediction, type SimStep } from './predict.ts';
import { parseDcState, parseRemaining, parseStatusOps, type SettleState } from './settle.ts';
import { attr, kid, kids, parseXml } from './xml.ts';
import { toolError } from './tool-error.ts';

/** A dialect as the driver uses it: which one, why, and its row of the table. */
export interface ResolvedDialect {
  name: StackDialect;
  /** `inventory` when configured, `detected` when read from the tools' --version. */
  source: 'inventory' | 'detected';
  /** The version the tools printed (detected only). */
  version?: string;
  spec: DialectSpec;
}

/** Options of PacemakerDriver. */
export interface PacemakerDriverOptions {
  /** Cluster name (for messages and logs). */
  name: string;
  /** Runs commands on a cluster node (SSH in production, LocalExecutor in tests). */
  exec: CommandExecutor;
  /** Inventory dialect; `auto` or absent detects it once from the tools' version. */
  dialect?: Dialect;
  /** Where crm_simulate runs for predict(); default `exec`. Its dialect is detected separately. */
  simulator?: CommandExecutor;
  /** Timeout of each cluster command, ms. Default 60 s (fence: 180 s, it waits for the device). */
  timeoutMs?: number;
}

/** Cluster output can be large (5,000 resources): allow 64 MiB instead of the 4 MiB default. */
const BIG = 64 * 1024 * 1024;

/**
 * One Pacemaker cluster, driven through a CommandExecutor with the flag spellings of its
 * stack. Every method validates the names it is given (INVALID_NAME) before any command.
 */
export class PacemakerDriver {
  readonly name: string;
  private readonly exec: CommandExecutor;
  private readonly simulator: CommandExecutor;
  private readonly sameSimulator: boolean;
  private readonly configured: Dialect;
  private readonly timeoutMs: number;
  private resolved?: Promise<ResolvedDialect>;
  /** False once crm_simulate turned out to have no --output-as (2.0.x). */
  private liveXml?: boolean;
  private simResolved?: Promise<ResolvedDialect>;

  constructor(opts: PacemakerDriverOptions) {
    this.name = opts.name;
    this.exec = opts.exec;
    // Simulations work on copies of the CIB: they may be repeated anywhere (reads).
    this.simulator = new ReadOnlyExecutor(opts.simulator ?? opts.exec);
    this.sameSimulator = !opts.simulator || opts.simulator === opts.exec;
    this.configured = opts.dialect ?? 'auto';
    this.timeoutMs = opts.timeoutMs ?? 60_000;
  }

  /** The cluster's dialect: the inventory's, or detected once from `--version` and cached. */
  dialect(): Promise<ResolvedDialect> {
    if (!this.resolved) {
      this.resolved =
        this.configured === 'auto'
          ? detectDialect(this.exec, this.timeoutMs)
          : Promise.resolve({ name: this.configured, source: 'inventory', spec: DIALECTS[this.configured] });
      // A failed detection (node unreachable) is retried next time, not cached.
      this.resolved.catch(() => (this.resolved = undefined));
    }
    return this.resolved;
  }

  /** The simulator host's dialect (the cluster's when it is the same executor). */
  private simulatorDialect(): Promise<ResolvedDialect> {
    if (this.sameSimulator) return this.dialect();
    if (!this.simResolved) {
      this.simResolved = detectDialect(this.simulator, this.timeoutMs);
      this.simResolved.catch(() => (this.simResolved = undefined));
    }
    return this.simResolved;
  }

  /** The raw CIB (`cibadmin -Q`). */
  async cib(): Promise<string> {
    const { spec } = await this.dialect();
    const r = await this.exec.run(cibArgv(spec), { timeoutMs: this.timeoutMs, maxOutputBytes: BIG, readOnly: true });
    if (r.exitCode !== 0) throw toolError(r, `reading the CIB of cluster ${this.name}`);
    if (r.truncated) throw new HasfError('PARSE_ERROR', `The CIB of cluster ${this.name} is larger than 64 MiB: it cannot be read safely.`, { host: r.host });
    return r.stdout;
  }

  /**
   * Live status: the dialect's best crm_mon XML (falling back down its list), merged with
   * the CIB's configuration (allow-migrate, location constraints, cli-* leftovers).
   */
  async status(): Promise<ClusterStatus> {
    const withVersion = (s: ClusterStatus): ClusterStatus => (version ? { ...s, cibVersion: version } : s);
    const { spec } = await this.dialect();
    const raw = await this.cib();
    const version = cibVersionOf(raw);
    const cib = parseCib(raw);
    let last: CommandResult | undefined;
    for (const source of spec.status) {
      if (source === 'cibadmin') return withVersion(cib);
      const r = await this.exec.run(statusArgv(source), { timeoutMs: this.timeoutMs, maxOutputBytes: BIG, readOnly: true });
      if (r.exitCode === 0 && !r.truncated && r.stdout.includes('<')) return withVersion(mergeCibIntoStatus(parseCrmMonXml(r.stdout), cib));
      last = r;
    }
    throw toolError(last!, `reading the status of cluster ${this.name}`);
  }

  /** Move `resource` to `node` (a cli-prefer constraint, for `lifetime` (ISO 8601, e.g. PT2H) when given). */
  async move(resource: string, node: string, opts: { lifetime?: string } = {}): Promise<CommandResult> {
    return this.runChange({ kind: 'move', resource, node, ...(opts.lifetime ? { lifetime: opts.lifetime } : {}) });
  }

  /** Remove the cli-prefer-/cli-ban- constraints of `resource`. */
  async clear(resource: string): Promise<CommandResult> {
    return this.runChange({ kind: 'clear', resource });
  }

  /** Put `node` in standby (on) or bring it back (off). */
  async standby(node: string, on: boolean): Promise<CommandResult> {
    return this.runChange({ kind: 'standby', node, on });
  }

  /**
   * Fence `node` (reboot, or power off) from another node: never from the victim, whose
   * session dies with it. A non-zero exit is returned, not thrown: stonith_admin can fail
   * on the client side (its own timeout, a lost connection to the fencer) while the
   * fencer carries on, so the caller decides from the fencing history (confirmFenced()).
   */
  async fence(node: string, action: 'reboot' | 'off'): Promise<CommandResult> {
    const change = { kind: 'fence', node, action } as const;
    checkChange(change);
    const { spec } = await this.dialect();
    return this.exec.run(argvFor(spec, change), { timeoutMs: Math.max(this.timeoutMs, 180_000), avoidHosts: [node] });
  }

  /** Clean up the failures (fail counts, failed operations) of `resource`. */
  async cleanup(resource: string, opts: { node?: string } = {}): Promise<CommandResult> {
    return this.runChange({ kind: 'cleanup', resource, ...(opts.node ? { node: opts.node } : {}) });
  }

  /** The fencing history of `node`, or of every node. */
  async fenceHistory(node?: string): Promise<FenceEvent[]> {
    if (node !== undefined) validateName('node', node);
    const { spec } = await this.dialect();
    const r = await this.exec.run(fenceHistoryArgv(spec, node ?? '*'), { timeoutMs: this.timeoutMs, maxOutputBytes: BIG, readOnly: true });
    // Exit 105 (no such device/history) with nothing printed means an empty history.
    if (r.exitCode !== 0 && !(r.stdout.trim() === '' || r.stdout.includes('<fence_history'))) {
      throw toolError(r, `reading the fencing history of ${node ?? 'all nodes'}`);
    }
    return parseFenceHistory(r.stdout);
  }

  /** The successful fence of `node` completed since `since`, from the fencing history. */
  async confirmFenced(node: string, since?: Date): Promise<FenceEvent | undefined> {
    return findCompletedFence(await this.fenceHistory(node), node, since);
  }

  /** What the real scheduler predicts `change` would do; changes nothing on the cluster. */
  async predict(change: PlannedChange): Promise<Prediction> {
    return this.predictSequence([change]);
  }

  /**
   * What the real scheduler predicts the whole sequence would do, step after step on one
   * copy of the CIB (a move, then the clear of its constraint; a fence, then the node's
   * return): each step's transition and the end state. Changes nothing on the cluster.
   */
  async predictSequence(steps: SimStep[]): Promise<SequencePrediction> {
    if (!steps.length) throw new HasfError('INVALID_INPUT', 'A prediction needs at least one change.', {});
    for (const s of steps) {
      if (s.kind === 'rejoin') validateName('node', s.node);
      else checkChange(s);
    }
    const cib = await this.cib();
    const { spec } = await this.simulatorDialect();
    return predictSequence({ cib, simulator: this.simulator, dialect: spec, steps });
  }

  /**
   * Whether the cluster has settled — no operation in flight, and the scheduler on the live
   * CIB would do nothing more (as `crm_resource --wait` decides, read here as often as the
   * caller likes instead of every 2 s) — with what it is doing when not. Stacks without
   * crm_simulate ask the DC's controller for S_IDLE instead. Two reads, run together.
   */
  async settle(): Promise<SettleState> {
    const { spec } = await this.dialect();
    const read = { timeoutMs: this.timeoutMs, maxOutputBytes: BIG, readOnly: true } as const;
    if (spec.settle.kind === 'dc-state') {
      const cib = await this.exec.run(cibArgv(spec), read);
      if (cib.exitCode !== 0) throw toolError(cib, `reading the CIB of cluster ${this.name}`);
      const ops = parseStatusOps(cib.stdout);
      const dc = dcName(cib.stdout);
      const r = dc ? await this.exec.run(dcStateArgv(dc), read) : undefined;
      const dcState = r && r.exitCode === 0 ? parseDcState(`${r.stdout}\n${r.stderr}`) : undefined;
      const inFlight = ops.filter((o) => o.pending);
      return { settled: dcState === 'S_IDLE' && !inFlight.length, remaining: [], inFlight, ops, ...(dcState ? { dcState } : {}) };
    }
    let xml = spec.settle.xml && this.liveXml !== false;
    const [section, first] = await Promise.all([this.exec.run(statusSectionArgv(spec), read), this.exec.run(liveSchedulerArgv(xml), read)]);
    let sim = first;
    if (sim.exitCode !== 0 && xml && /output-as|unrecognized|unknown option/i.test(sim.stderr)) {
      // Pacemaker 2.0.x: no formatted output yet; remembered for the next poll.
      this.liveXml = false;
      xml = false;
      sim = await this.exec.run(liveSchedulerArgv(false), read);
    }
    if (section.exitCode !== 0) throw toolError(section, `reading the status section of cluster ${this.name}`);
    if (sim.exitCode !== 0) throw toolError(sim, `running the scheduler on the live CIB of cluster ${this.name}`);
    const ops = parseStatusOps(section.stdout);
    const inFlight = ops.filter((o) => o.pending);
    const remaining = parseRemaining(sim.stdout, xml ? 'xml' : 'text');
    return { settled: !inFlight.length && !remaining.length, remaining, inFlight, ops };
  }

  /** The exact argvs running `change` will execute on the cluster, for approvers to read. */
  async commandsFor(change: PlannedChange): Promise<string[][]> {
    checkChange(change);
    const { spec } = await this.dialect();
    return isAdminChange(change) ? liveArgvs(spec, change, (c) => argvFor(spec, c)) : [argvFor(spec, change)];
  }

  /**
   * Run one administration change (maintenance, target-role, restart, ban, cibadmin
   * create/delete) on the cluster; a non-zero exit throws. A restart waits for the stop
   * and the start, so it gets up to `timeoutMs` (default 5 minutes).
   */
  async apply(change: Exclude<AdminChange, { kind: 'sequence' }>, opts: { timeoutMs?: number } = {}): Promise<CommandResult> {
    checkChange(change);
    const { spec } = await this.dialect();
    const timeoutMs = opts.timeoutMs ?? (change.kind === 'restart' ? Math.max(this.timeoutMs, 300_000) : this.timeoutMs);
    const r = await this.exec.run(argvFor(spec, change), { timeoutMs });
    if (r.exitCode !== 0) throw toolError(r, describe(change));
    return r;
  }

  /** Whether `path` is readable on a node of the cluster (a guest configuration vm.add names). */
  async readable(path: string): Promise<{ readable: boolean; host: string }> {
    if (!/^\/[A-Za-z0-9._/-]{1,254}$/.test(path) || path.split('/').includes('..')) {
      throw new HasfError('INVALID_INPUT', `${JSON.stringify(path.slice(0, 80))} is not an absolute path of letters, digits and ._/- without "..".`, {});
    }
    const r = await this.exec.run(['test', '-r', path], { timeoutMs: this.timeoutMs, readOnly: true });
    return { readable: r.exitCode === 0, host: r.host };
  }

  /** crm_verify on the live CIB: the configuration errors and warnings the cluster itself sees. */
  async verify(): Promise<VerifyResult> {
    const { spec } = await this.dialect();
    const r = await this.exec.run(verifyArgv(spec), { timeoutMs: this.timeoutMs, maxOutputBytes: BIG });
    return parseCrmVerify(r.exitCode, r.stdout, r.stderr);
  }

  private async runChange(change: PlannedChange): Promise<CommandResult> {
    checkChange(change);
    const { spec } = await this.dialect();
    const argv = argvFor(spec, change);
    const r = await this.exec.run(argv, { timeoutMs: this.timeoutMs });
    if (r.exitCode !== 0) throw toolError(r, describe(change));
    return r;
  }
}

/** Validate every name (and the lifetime) of a change before any command is built. */
function checkChange(change: PlannedChange): void {
  switch (change.kind) {
    case 'move':
      validateName('resource', change.resource);
      validateName('node', change.node);
      if (change.lifetime !== undefined) validateLifetime(change.lifetime);
      return;
    case 'clear':
      validateName('resource', change.resource);
      return;
    case 'standby':
      validateName('node', change.node);
      if (typeof change.on !== 'boolean') throw new HasfError('INVALID_INPUT', 'Standby needs on: true or false.', {});
      return;
    case 'fence':
      validateName('node', change.node);
      if (change.action !== 'reboot' && change.action !== 'off') {
        throw new HasfError('INVALID_INPUT', `Fence action ${JSON.stringify(change.action)} is not reboot or off.`, {});
      }
      return;
    case 'cleanup':
      validateName('resource', change.resource);
      if (change.node !== undefined) validateName('node', change.node);
      return;
    default:
      if (isAdminChange(change)) return checkAdminChange(change, checkChange);
      throw new HasfError('INVALID_INPUT', `Unknown change kind ${JSON.stringify((change as { kind: unknown }).kind)}.`, {});
  }
}

/** The one argv of a change in a dialect. */
function argvFor(spec: DialectSpec, change: PlannedChange): string[] {
  switch (change.kind) {
    case 'move':
      return moveArgv(spec, change.resource, change.node, change.lifetime);
    case 'clear':
      return clearArgv(spec, change.resource);
    case 'standby':
      return standbyArgv(spec, change.node, change.on);
    case 'fence':
      return fenceArgv(spec, change.node, change.action);
    case 'cleanup':
      return cleanupArgv(spec, change.resource, change.node);
    case 'sequence':
      throw new HasfError('INVALID_INPUT', 'A sequence has several argvs: run its changes one by one.', {});
    default:
      return adminArgvOf(spec, change);
  }
}

function describe(change: PlannedChange): string {
  switch (change.kind) {
    case 'move':
      return `moving ${change.resource} to ${change.node}`;
    case 'clear':
      return `clearing the move constraints of ${change.resource}`;
    case 'standby':
      return `setting standby ${change.on ? 'on' : 'off'} for ${change.node}`;
    case 'fence':
      return `fencing (${change.action}) ${change.node}`;
    case 'cleanup':
      return `cleaning up ${change.resource}`;
    default:
      return describeAdminChange(change);
  }
}

/** The DC's name: the CIB's dc-uuid, looked up among its node_state (or nodes) entries. */
function dcName(cibXml: string): string | undefined {
  const cib = kid(parseXml(cibXml, 'cibadmin -Q'), 'cib');
  const id = attr(cib, 'dc-uuid');
  if (!id) return undefined;
  const states = kids(kid(cib, 'status'), 'node_state');
  const nodes = kids(kid(kid(cib, 'configuration'), 'nodes'), 'node');
  return attr(states.find((n) => attr(n, 'id') === id), 'uname') ?? attr(nodes.find((n) => attr(n, 'id') === id), 'uname');
}

/** Ask the tools their version (crm_mon, then pacemakerd, then crm_resource). */
export async function detectDialect(exec: CommandExecutor, timeoutMs = 30_000): Promise<ResolvedDialect> {
  const seen: string[] = [];
  for (const argv of VERSION_PROBES) {
    let r: CommandResult;
    try {
      r = await exec.run(argv, { timeoutMs, readOnly: true });
    } catch (e) {
      // A missing binary is a reason to try the next probe; a dead host is not.
      if (e instanceof HasfError && e.code === 'COMMAND_FAILED') continue;
      throw e;
    }
    const text = `${r.stdout}\n${r.stderr}`;
    seen.push(`${argv[0]}: ${text.trim().split('\n')[0] ?? ''}`);
    const found = dialectFromVersion(text);
    if (found) return { name: found.id, source: 'detected', version: found.version, spec: DIALECTS[found.id] };
  }
  throw new HasfError(
    'UNSUPPORTED_STACK',
    `Could not tell the Pacemaker/Heartbeat version on ${exec.name}: set the cluster's dialect in the inventory.`,
    { host: exec.name, answers: seen },
  );
}
