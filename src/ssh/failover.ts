import { HasfError, isHasfError, type ErrorCode } from '../errors/index.ts';
import type { CommandExecutor, CommandResult, RunOptions } from './types.ts';

/**
 * Errors that say "this node cannot be reached", so another node may answer instead.
 * Never a command's exit code, a timeout (the command may be running), a host key
 * mismatch or an authentication failure: those must surface, not be routed around.
 */
const UNREACHABLE: ReadonlySet<ErrorCode> = new Set(['SSH_CONNECT_FAILED', 'NO_REACHABLE_NODE']);

/** Whether FailoverExecutor moves on to the next member after this error. */
export function isUnreachable(err: unknown): boolean {
  return isHasfError(err) && UNREACHABLE.has(err.code);
}

/**
 * Runs cluster-wide read commands on whichever member answers: the last member that
 * worked first, then the others in order. The result's `host` names the member that ran it.
 *
 * @example new FailoverExecutor('prod', nodes.map((n) => pool.executor(n))).run(['crm_mon', '-1'])
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
    const order = [this.preferred, ...this.members.keys()].filter((i, k, all) => all.indexOf(i) === k);
    const failures: { node: string; code: string; message: string }[] = [];
    for (const i of order) {
      const member = this.members[i]!;
      try {
        const result = await member.run(argv, options);
        this.preferred = i;
        return result;
      } catch (e) {
        if (!isUnreachable(e)) throw e;
        const err = e as HasfError;
        failures.push({ node: member.name, code: err.code, message: err.message });
      }
    }
    throw new HasfError(
      'NO_REACHABLE_NODE',
      `No node of ${this.name} could be reached (${failures.map((f) => `${f.node}: ${f.message}`).join('; ')}); check the nodes and the network between us and them.`,
      { cluster: this.name, argv, failures },
    );
  }
}
