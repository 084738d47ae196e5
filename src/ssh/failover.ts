import { HasfError, isHasfError, type ErrorCode } from '../errors/index.ts';
import type { CommandExecutor, CommandResult, RunOptions } from './types.ts';

/**
 * Errors that say "this node cannot be reached, and nothing was run there", so another
 * node may answer instead: the connection or its channel never opened (SSH_CONNECT_FAILED
 * is only ever raised before a command left), or a nested failover found none. Never a
 * command's exit code, a timeout (the command may be running), a host key mismatch or an
 * authentication failure: those must surface, not be routed around.
 */
const NOT_STARTED: ReadonlySet<ErrorCode> = new Set(['SSH_CONNECT_FAILED', 'NO_REACHABLE_NODE']);

/** Whether FailoverExecutor moves on to the next member after this error. */
export function isUnreachable(err: unknown): boolean {
  return isHasfError(err) && NOT_STARTED.has(err.code);
}

/**
 * Whether a failed command may be tried on the next member: always when it never started;
 * when its connection dropped after it was sent (COMMAND_OUTCOME_UNKNOWN) only for reads:
 * a write that may have run is never sent twice — the caller re-reads the cluster instead.
 */
export function mayTryElsewhere(err: unknown, options?: RunOptions): boolean {
  return isUnreachable(err) || (options?.readOnly === true && isHasfError(err, 'COMMAND_OUTCOME_UNKNOWN'));
}

/**
 * Runs cluster-wide commands on whichever member answers: the last member that worked
 * first, then the others in order, skipping `options.avoidHosts`. The result's `host`
 * names the member that ran it.
 *
 * @example new FailoverExecutor('prod', nodes.map((n) => pool.executor(n))).run(['crm_mon', '-1'], { readOnly: true })
 */
export class FailoverExecutor implements CommandExecutor {
  private preferred = 0;

  constructor(
    readonly name: string,
    private readonly members: CommandExecutor[],
  ) {
    if (members.length === 0) throw new RangeError(`FailoverExecutor ${name} needs at least one member`);
  }

  /** Run on the first reachable member; NO_REACHABLE_NODE (listing each member's error) when none is. */
  async run(argv: string[], options?: RunOptions): Promise<CommandResult> {
    const avoid = new Set(options?.avoidHosts ?? []);
    const order = [this.preferred, ...this.members.keys()].filter((i, k, all) => all.indexOf(i) === k && !avoid.has(this.members[i]!.name));
    const failures: { node: string; code: string; message: string }[] = [];
    for (const i of order) {
      const member = this.members[i]!;
      try {
        const result = await member.run(argv, options);
        this.preferred = i;
        return result;
      } catch (e) {
        if (!mayTryElsewhere(e, options)) throw e;
        const err = e as HasfError;
        failures.push({ node: member.name, code: err.code, message: err.message });
      }
    }
    const avoided = avoid.size ? ` (not run on ${[...avoid].join(', ')}, by request)` : '';
    throw new HasfError(
      'NO_REACHABLE_NODE',
      `No node of ${this.name} could be reached${avoided} (${failures.map((f) => `${f.node}: ${f.message}`).join('; ') || 'no node left to try'}); check the nodes and the network between us and them.`,
      { cluster: this.name, argv, failures, avoided: [...avoid] },
    );
  }
}
