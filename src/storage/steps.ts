import { HasfError } from '../errors/index.ts';
import type { CommandExecutor, CommandResult } from '../ssh/types.ts';

/**
 * One command of a plan. `input` is computed when the step runs, not when it is
 * planned, because a persisted configuration must describe the target as it is after
 * the change (the argv itself never depends on it, so the plan shown is exact).
 */
export interface Step {
  argv: string[];
  /** Computes stdin; commands it runs itself are appended to `log`. */
  input?: (log: CommandResult[]) => Promise<string>;
  /** Judges the step's result (a re-check before a change); throws to stop the plan there. */
  check?: (res: CommandResult, log: CommandResult[]) => Promise<void>;
}

/** Run an argv; a non-zero exit becomes COMMAND_FAILED carrying the output. */
export async function runChecked(
  exec: CommandExecutor,
  argv: string[],
  log: CommandResult[],
  opts: { stdin?: string; timeoutMs?: number } = {},
): Promise<CommandResult> {
  const res = await exec.run(argv, { stdin: opts.stdin, timeoutMs: opts.timeoutMs });
  log.push(res);
  if (res.exitCode !== 0) throw commandFailed(res);
  return res;
}

/** The COMMAND_FAILED error for a finished command. */
export function commandFailed(res: CommandResult): HasfError {
  const text = (res.stderr.trim() || res.stdout.trim()).split('\n').slice(-3).join(' ').slice(0, 300);
  return new HasfError(
    'COMMAND_FAILED',
    `${res.argv[0]} failed on ${res.host} (exit ${res.exitCode}): ${text || 'no output'}; check the target host.`,
    { host: res.host, argv: res.argv, exitCode: res.exitCode, stderr: res.stderr.slice(0, 2000) },
  );
}

/** Run planned steps in order, stopping at the first failure. */
export async function runSteps(
  exec: CommandExecutor,
  steps: Step[],
  log: CommandResult[],
  timeoutMs?: number,
): Promise<void> {
  for (const step of steps) {
    const stdin = step.input ? await step.input(log) : undefined;
    const res = await runChecked(exec, step.argv, log, { stdin, timeoutMs });
    await step.check?.(res, log);
  }
}

/**
 * Steps that replace a file on the target host with the step's input: written beside it
 * and renamed, so a reader (tgt-admin, ietd at start) never sees half a file. The path
 * travels as an argument ($1), never inside the script.
 */
export function writeFileSteps(path: string, input: (log: CommandResult[]) => Promise<string>): Step[] {
  const dir = path.slice(0, path.lastIndexOf('/')) || '/';
  return [
    { argv: ['mkdir', '-p', dir] },
    { argv: ['sh', '-c', 'cat > "$1.hasf-new" && mv -f "$1.hasf-new" "$1"', 'sh', path], input },
  ];
}

/** Read a file on the target host; a missing file reads as ''. */
export async function readRemoteFile(
  exec: CommandExecutor,
  path: string,
  log: CommandResult[],
  timeoutMs?: number,
): Promise<string> {
  const res = await exec.run(['cat', '--', path], { timeoutMs });
  log.push(res);
  if (res.exitCode === 0) return res.stdout;
  if (/No such file/i.test(res.stderr)) return '';
  throw commandFailed(res);
}
