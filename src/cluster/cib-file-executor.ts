import type { CommandExecutor, CommandResult, RunOptions } from '../ssh/types.ts';

/**
 * Runs every command with `CIB_file=<path>` so the Pacemaker tools read and write that
 * file instead of a live cluster: for tests, fixtures and offline what-ifs. An explicit
 * `env` given to run() wins, so the driver's simulations can still point at their copies.
 */
export class CibFileExecutor implements CommandExecutor {
  readonly name: string;
  constructor(
    /** The executor that really runs the commands (a LocalExecutor, or SSH). */
    readonly inner: CommandExecutor,
    /** The CIB file the tools act on. */
    readonly cibFile: string,
  ) {
    this.name = inner.name;
  }

  run(argv: string[], options: RunOptions = {}): Promise<CommandResult> {
    return this.inner.run(argv, { ...options, env: { CIB_file: this.cibFile, ...options.env } });
  }
}
