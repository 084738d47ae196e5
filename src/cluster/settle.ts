import type { PredictedAction } from './model.ts';
import { parseSimulateXml, parseTransitionSummary } from './parse-simulate.ts';
import { attr, kid, kids, parseXml, type XEl } from './xml.ts';

/** One non-recurring resource operation the cluster recorded (the CIB's status section). */
export interface ClusterOp {
  resource: string;
  /** start, stop, migrate_to, migrate_from, promote, demote, monitor (probes), … */
  operation: string;
  node: string;
  /** The executor's counter on that node: higher is later. */
  callId: number;
  /** Still running (recorded pending: rc-code 193 / op-status -1). */
  pending: boolean;
  rc?: number;
  /** How long the agent took, ms (0 while pending). */
  execMs: number;
  /** When the result last changed, seconds since the epoch (the cluster's clock). */
  lastRcChange?: number;
}

/** Whether the cluster has settled, and what it is doing if not. */
export interface SettleState {
  /** No transition in progress: nothing in flight, and the scheduler would do nothing more. */
  settled: boolean;
  /** What the scheduler would still do on the live CIB (the rest of the transition in progress). */
  remaining: PredictedAction[];
  /** Operations in flight, from the CIB's status section. */
  inFlight: ClusterOp[];
  /** Every non-recurring operation recorded, to tell what finished since a wait began. */
  ops: ClusterOp[];
  /** The DC's controller state (S_IDLE, S_TRANSITION_ENGINE, …) where that is what was asked. */
  dcState?: string;
}

/**
 * The operations of a CIB status section (`cibadmin -Q -o status`, or a whole CIB):
 * probes and one-shot operations only — recurring monitors say nothing about a transition.
 */
export function parseStatusOps(xml: string): ClusterOp[] {
  const doc = parseXml(xml, 'cibadmin -Q -o status');
  const status = kid(doc, 'status') ?? kid(kid(doc, 'cib'), 'status');
  const out: ClusterOp[] = [];
  for (const ns of kids(status, 'node_state')) {
    const node = attr(ns, 'uname') ?? '';
    for (const lrm of kids(ns, 'lrm')) {
      for (const rscs of kids(lrm, 'lrm_resources')) {
        for (const r of kids(rscs, 'lrm_resource')) {
          const resource = attr(r, 'id') ?? '';
          for (const op of kids(r, 'lrm_rsc_op')) {
            const parsed = opOf(op, resource, node);
            if (parsed) out.push(parsed);
          }
        }
      }
    }
  }
  return out;
}

function opOf(op: XEl, resource: string, node: string): ClusterOp | undefined {
  const interval = Number(attr(op, 'interval') ?? '0');
  if (interval > 0) return undefined;
  const rc = attr(op, 'rc-code');
  const pending = rc === '193' || attr(op, 'op-status') === '-1';
  const lrc = Number(attr(op, 'last-rc-change') ?? attr(op, 'last-run') ?? NaN);
  return {
    resource,
    operation: attr(op, 'operation') ?? '?',
    node: attr(op, 'on_node') ?? node,
    callId: Number(attr(op, 'call-id') ?? '-1'),
    pending,
    ...(rc !== undefined && !pending ? { rc: Number(rc) } : {}),
    execMs: Number(attr(op, 'exec-time') ?? '0') || 0,
    ...(Number.isFinite(lrc) ? { lastRcChange: lrc } : {}),
  };
}

/**
 * What the scheduler would do on the live CIB (`crm_simulate --live-check --run`): its
 * XML form (2.1+) or the text "Transition Summary". Actions it can't run (`blocked`)
 * don't keep the cluster busy: it will not take them, as crm_resource --wait ignores them.
 */
export function parseRemaining(output: string, format: 'xml' | 'text'): PredictedAction[] {
  const all = format === 'xml' ? parseSimulateXml(output) : parseTransitionSummary(output);
  return all.filter((a) => !/\bblocked\b/i.test(a.detail ?? ''));
}

/** The controller state in crmadmin -S's answer ("Status of crmd@node1: S_IDLE (ok)", "… in state S_IDLE: ok"). */
export function parseDcState(text: string): string | undefined {
  return /\b(S_[A-Z_]+)\b/.exec(text)?.[1];
}

/** The highest finished call-id per node: what "since now" means for a wait (operations above it are new). */
export function callIdBaseline(ops: ClusterOp[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const o of ops) if (!o.pending) m.set(o.node, Math.max(m.get(o.node) ?? -1, o.callId));
  return m;
}

/** "vm1: migrate_to on node1 … migrate_from on node2 (running)": one line of what the cluster did and does. */
export function describeOps(ops: ClusterOp[]): string {
  return ops
    .filter((o) => o.operation !== 'monitor' || o.pending)
    .map((o) => `${o.resource}: ${o.operation} on ${o.node}${o.pending ? ' (running)' : o.rc !== undefined && o.rc !== 0 && !(o.operation === 'monitor' && o.rc === 7) ? ` (rc ${o.rc})` : ''}`)
    .join(' … ');
}
