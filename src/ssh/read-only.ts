import type { CommandExecutor, CommandResult, RunOptions } from './types.ts';

/**
 * An executor whose every command is declared read-only (RunOptions.readOnly): for
 * callers that only read or work on copies, like the scheduler's simulations on a CIB file.
 */
export class ReadOnlyExecutor implements CommandExecutor {
  readonly name: string;
  constructor(readonly inner: CommandExecutor) {
    this.name = inner.name;
  }

  run(argv: string[], options?: RunOptions): Promise<CommandResult> {
    return this.inner.run(argv, { ...options, readOnly: true });
  }
}
