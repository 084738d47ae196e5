import type { AuditEntry } from '../audit/types.ts';
import type { OperationContext } from '../operations/types.ts';
import type { CommandExecutor } from '../ssh/types.ts';

/** Where the audit records go; AuditLog satisfies it. Appends throw AUDIT_UNAVAILABLE. */
export interface AuditWriter {
  append(entry: AuditEntry): Promise<unknown>;
}

/** Wraps every executor of one job (the worker audits and logs each command through it). */
export type ExecutorWrapper = (exec: CommandExecutor) => CommandExecutor;

/** Gives an operation context for a cluster (ClusterAccess satisfies it). */
export interface ContextSource {
  clusters(): string[];
  context(cluster: string, jobId: string, wrap?: ExecutorWrapper): OperationContext;
}

/** Who made a transition, as audit records name it. */
export interface Actor {
  actor: string;
  channel: string;
}
