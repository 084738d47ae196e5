import { HasfError } from '../errors/index.ts';
import type { CommandExecutor, CommandResult, RunOptions } from '../ssh/types.ts';
import { keptOutput } from './command-output.ts';
import type { AuditEntry } from './types.ts';

/** Who a recorded command runs for. */
export interface RecordedBy {
  actor: string;
  channel: string;
  /** The job the commands prepare; absent for a dry run (it never becomes a job). */
  jobId?: string;
  /** Why the commands run, e.g. 'plan' or 'dry-run'. */
  purpose: string;
}

/**
 * Wraps an executor so every command it runs is audited: `command.start` BEFORE it runs
 * (no record, no command: AUDIT_UNAVAILABLE) and `command.result` after, with the output
 * redacted. The API runs reads and scratch-file commands on cluster nodes while it plans
 * and predicts a request (mktemp, the CIB copy, crm_simulate, rm); these are recorded like
 * a worker's. (Workers use queue/audited-executor.ts, which also keeps the job's step log.)
 */
export class RecordedExecutor implements CommandExecutor {
  readonly name: string;

  constructor(
    private readonly inner: CommandExecutor,
    private readonly audit: { append(entry: AuditEntry): Promise<unknown> },
    private readonly by: RecordedBy,
  ) {
    this.name = inner.name;
  }

  async run(argv: string[], options?: RunOptions): Promise<CommandResult> {
    const { purpose, ...base } = this.by;
    try {
      await this.audit.append({ ...base, event: 'command.start', details: { host: this.inner.name, argv, env: options?.env, purpose } });
    } catch (err) {
      throw new HasfError('AUDIT_UNAVAILABLE', 'The audit log could not be written, so the command was not run; fix the audit store (Redis / audit file) and retry.', { argv }, { cause: err });
    }
    let result: CommandResult | undefined;
    let failure: unknown;
    try {
      result = await this.inner.run(argv, options);
    } catch (err) {
      failure = err;
    }
    const details = result
      ? { host: result.host, argv, exitCode: result.exitCode, durationMs: Math.round(result.durationMs), output: keptOutput(result.stdout, result.stderr), purpose }
      : { host: this.inner.name, argv, error: (failure as { code?: string })?.code ?? String(failure), message: (failure as Error)?.message, purpose };
    try {
      await this.audit.append({ ...base, event: 'command.result', details });
    } catch (err) {
      if (failure) throw failure;
      throw new HasfError('AUDIT_UNAVAILABLE', 'The result of a command could not be audited; the request stops here.', { argv }, { cause: err });
    }
    if (failure) throw failure;
    return result!;
  }
}
