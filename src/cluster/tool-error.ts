import { HasfError } from '../errors/index.ts';
import type { CommandResult } from '../ssh/types.ts';

/**
 * A Pacemaker tool's non-zero exit as an error a person can act on. `doing` completes
 * "… failed while <doing>". A move to where the resource already runs gets ALREADY_THERE.
 */
export function toolError(r: CommandResult, doing: string): HasfError {
  const msg = (r.stderr || r.stdout).trim().split('\n').slice(0, 3).join(' ');
  const already = /already (active|running|located)|is already/i.test(msg);
  return new HasfError(
    already ? 'ALREADY_THERE' : 'COMMAND_FAILED',
    already
      ? `Nothing to do while ${doing}: the cluster says it is already so (${msg.slice(0, 200)}).`
      : `${r.argv[0]} failed on ${r.host} while ${doing} (exit ${r.exitCode}): ${msg.slice(0, 300) || 'no message'}.`,
    { host: r.host, argv: r.argv, exitCode: r.exitCode, stderr: r.stderr.slice(0, 2000) },
  );
}
