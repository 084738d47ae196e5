import type { HostExecutors } from '../../src/jobs/cluster-access.ts';
import type { CommandExecutor, CommandResult, HostSpec, RunOptions } from '../../src/ssh/index.ts';

/** A command that was run with its connection cut, and where. */
export interface Drop {
  host: string;
  argv: string[];
}

/**
 * Executors of a real SSH pool that cut their connection once, right after a matching
 * command was sent: the command runs for real on the host, then the session's own sshd
 * process is killed (`kill -9 $PPID`), so the connection dies before the exit status
 * comes back — as when the network or the management LAN hiccups mid-command. With
 * `whileRunning`, the cut comes a second after the command started, while it still runs.
 */
export class DroppingExecutors implements HostExecutors {
  readonly drops: Drop[] = [];
  private left: number;

  constructor(
    private readonly inner: HostExecutors,
    private readonly match: (argv: string[], host: string, options?: RunOptions) => boolean,
    private readonly opts: { times?: number; whileRunning?: boolean } = {},
  ) {
    this.left = opts.times ?? 1;
  }

  executor(host: HostSpec): CommandExecutor {
    const real = this.inner.executor(host);
    return {
      name: real.name,
      run: (argv: string[], options?: RunOptions): Promise<CommandResult> => {
        if (this.left <= 0 || !this.match(argv, real.name, options)) return real.run(argv, options);
        this.left--;
        this.drops.push({ host: real.name, argv });
        const script = this.opts.whileRunning ? '"$@" & sleep 1; kill -9 $PPID' : '"$@"; kill -9 $PPID';
        return real.run(['sh', '-c', script, 'hasf-fault', ...argv], options);
      },
    };
  }
}
