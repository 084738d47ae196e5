import { HasfError, isHasfError } from '../errors/index.ts';
import { keptOutput } from '../audit/command-output.ts';
import type { CommandExecutor, CommandResult, RunOptions } from '../ssh/types.ts';
import type { EventPublisher } from './events.ts';
import type { AuditWriter } from './ports.ts';
import type { JobStore } from './store.ts';

/**
 * A step that stands for many commands (a wait's reads): while one is open, commands are
 * audited as always but reported to it instead of being listed one by one.
 */
export interface StepGroup {
  command(c: { host: string; argv: string[]; exitCode: number | null; durationMs: number; output: string }): void;
}

/** What an AuditedExecutor writes to and answers to. */
export interface AuditedExecutorDeps {
  audit: AuditWriter;
  store: JobStore;
  events: EventPublisher;
  actor: string;
  onDuration?: (ms: number) => void;
  /** The job's abort signal: passed to every command (which it kills), and no command starts after it fired. */
  signal?: AbortSignal;
  /** Called before a command that is not read-only runs (the job records that it wrote); a throw stops the command. */
  beforeWrite?: () => Promise<void>;
}

/**
 * Wraps a job's executor: the audit record of every command is written BEFORE it runs
 * (fail closed: no record, no command — AUDIT_UNAVAILABLE), its result after, and each
 * command lands in the job's step log and on the event stream. Every command carries the
 * job's abort signal.
 */
export class AuditedExecutor implements CommandExecutor {
  readonly name: string;
  constructor(
    private readonly inner: CommandExecutor,
    private readonly job: { id: string; step: () => string; group?: () => StepGroup | undefined },
    private readonly deps: AuditedExecutorDeps,
  ) {
    this.name = inner.name;
  }

  async run(argv: string[], opts?: RunOptions): Promise<CommandResult> {
    const base = { actor: this.deps.actor, channel: 'worker', jobId: this.job.id };
    const signal = this.deps.signal;
    // After the abort nothing new starts: not even its audit record.
    if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new HasfError('COMMAND_ABORTED', `${argv[0]} was not started: the job was stopped.`, { argv });
    const options: RunOptions | undefined = signal ? { ...opts, signal } : opts;
    // Marked before it may run (an extra mark only makes a retry re-read the cluster).
    if (!options?.readOnly) await this.deps.beforeWrite?.();
    try {
      await this.deps.audit.append({ ...base, event: 'command.start', details: { host: this.inner.name, argv, env: options?.env } });
    } catch (err) {
      throw new HasfError('AUDIT_UNAVAILABLE', 'The audit log could not be written, so the command was not run; fix the audit store (Redis / audit file) and retry the job.', { argv }, { cause: err });
    }
    let result: CommandResult | undefined;
    let failure: unknown;
    const started = performance.now();
    try {
      result = await this.inner.run(argv, options);
    } catch (err) {
      failure = err;
    }
    this.deps.onDuration?.(result?.durationMs ?? performance.now() - started);
    // A failure names the host it happened on when it knows it (a cluster-wide executor tried one).
    const failedOn = isHasfError(failure) && typeof failure.details.host === 'string' ? failure.details.host : this.inner.name;
    // Redacted (and a raw CIB dropped) before it reaches the step log, events or audit.
    const out = result ? keptOutput(result.stdout, result.stderr) : '';
    const details = result
      ? { host: result.host, argv, exitCode: result.exitCode, durationMs: Math.round(result.durationMs), output: out }
      : { host: failedOn, argv, error: isHasfError(failure) ? failure.code : String(failure), message: (failure as Error)?.message };
    // The step log, the live event and the audit record of the result are independent:
    // write them together (the audit record of the start was written before running).
    const group = this.job.group?.();
    const durationMs = Math.round(result?.durationMs ?? performance.now() - started);
    group?.command({ host: result?.host ?? failedOn, argv, exitCode: result ? result.exitCode : null, durationMs, output: result ? out : `error: ${(failure as Error)?.message ?? String(failure)}` });
    const [stepped, audited] = await Promise.allSettled([
      group
        ? Promise.resolve()
        : this.deps.store
        .addStep(this.job.id, {
          step: this.job.step(),
          host: result?.host ?? failedOn,
          // A command on a CIB copy (a prediction) shows as typed in a shell: CIB_file=… first.
          argv: options?.env?.CIB_file ? [`CIB_file=${options.env.CIB_file}`, ...argv] : argv,
          exitCode: result ? result.exitCode : null,
          durationMs: Math.round(result?.durationMs ?? performance.now() - started),
          outputExcerpt: result ? out : `error: ${(failure as Error)?.message ?? String(failure)}`,
          at: new Date().toISOString(),
        })
        .then((step) => this.deps.events.publish({ type: 'step', jobId: this.job.id, step })),
      this.deps.audit.append({ ...base, event: 'command.result', details }),
    ]);
    if (audited.status === 'rejected') {
      throw new HasfError('AUDIT_UNAVAILABLE', 'The result of a command could not be audited; the job stops here.', { argv }, { cause: audited.reason });
    }
    if (stepped.status === 'rejected') throw stepped.reason;
    if (failure) throw failure;
    return result!;
  }
}
