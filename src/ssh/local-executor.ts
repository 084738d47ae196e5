import { spawn } from 'node:child_process';
import { HasfError } from '../errors/index.ts';
import type { CommandExecutor, CommandResult, RunOptions } from './types.ts';

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_OUTPUT = 4 * 1024 * 1024;

/**
 * Runs an argv on this machine, without a shell. Used where the Pacemaker tools are
 * installed locally (dry runs with crm_simulate on a CIB file) and by tests.
 */
export class LocalExecutor implements CommandExecutor {
  constructor(readonly name = 'localhost') {}

  run(argv: string[], options: RunOptions = {}): Promise<CommandResult> {
    const [cmd, ...args] = argv;
    if (!cmd) throw new HasfError('INVALID_INPUT', 'Empty command.');
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const cap = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
    const started = performance.now();
    const signal = options.signal;
    const stopped = (ran: boolean) =>
      new HasfError('COMMAND_ABORTED', `${cmd} ${ran ? 'was stopped' : 'was not started'}: ${signal?.reason instanceof Error ? signal.reason.message : 'stopped'}`, { host: this.name, argv, started: ran });
    if (signal?.aborted) return Promise.reject(stopped(false));
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, args, {
        env: { ...process.env, ...options.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let outBytes = 0;
      let errBytes = 0;
      let truncated = false;
      let timedOut = false;
      child.stdout.on('data', (b: Buffer) => {
        if (outBytes + b.length > cap) truncated = true;
        else out.push(b);
        outBytes += b.length;
      });
      child.stderr.on('data', (b: Buffer) => {
        if (errBytes + b.length > cap) truncated = true;
        else err.push(b);
        errBytes += b.length;
      });
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, timeoutMs);
      let aborted = false;
      const onAbort = () => {
        aborted = true;
        child.kill('SIGKILL');
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      child.on('error', (e) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        reject(
          new HasfError('COMMAND_FAILED', `Could not run ${cmd}: ${e.message}.`, { argv }, { cause: e }),
        );
      });
      child.on('close', (code, killedBy) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (aborted) return reject(stopped(true));
        if (timedOut) {
          reject(
            new HasfError('COMMAND_TIMEOUT', `${cmd} did not finish within ${timeoutMs} ms.`, {
              host: this.name,
              argv,
              timeoutMs,
            }),
          );
          return;
        }
        resolve({
          host: this.name,
          argv,
          exitCode: code ?? (killedBy ? 128 : 1),
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
          durationMs: performance.now() - started,
          truncated,
        });
      });
      child.stdin.on('error', () => {});
      child.stdin.end(options.stdin ?? '');
    });
  }
}
