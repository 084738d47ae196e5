import { HasfError } from '../errors/index.ts';
import { LocalExecutor } from '../ssh/local-executor.ts';
import type { CommandResult, RunOptions } from '../ssh/types.ts';

const local = new LocalExecutor('lab-host');

/** Runs an argv on the host; a non-zero exit is returned, not thrown. */
export function tryRun(argv: string[], options: RunOptions = {}): Promise<CommandResult> {
  return local.run(argv, { timeoutMs: 30_000, ...options });
}

/** Runs an argv on the host and throws LAB_FAILED (with its stderr) when it fails. */
export async function run(argv: string[], options: RunOptions = {}): Promise<CommandResult> {
  const r = await tryRun(argv, options);
  if (r.exitCode !== 0) {
    const why = (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ');
    throw new HasfError(
      'LAB_FAILED',
      `Lab setup step failed: \`${argv.join(' ')}\` exited ${r.exitCode}: ${why}`,
      {
        argv,
        exitCode: r.exitCode,
        stderr: r.stderr,
      },
    );
  }
  return r;
}
