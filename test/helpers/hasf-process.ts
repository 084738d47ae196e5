import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

/** A `hasf serve` / `hasf worker` process as a user starts it, with everything it printed. */
export interface HasfProcess {
  child: ChildProcess;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  /** SIGTERM, SIGKILL after 30 s; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** The compiled build (npm test builds it first): what the image, the units and the clone run. */
export const BUILT_HASF = join(ROOT, 'dist/hasf.js');

/**
 * Start `node BIN ARGS` (default bin/hasf.js of this checkout) and resolve once `ready`
 * appears on its output; rejects if it exits first or takes over two minutes.
 */
export async function startHasf(args: string[], o: { ready: RegExp; bin?: string; cwd?: string; env?: Record<string, string>; nodeArgs?: string[] }): Promise<HasfProcess> {
  const child = spawn(process.execPath, [...(o.nodeArgs ?? []), o.bin ?? join(ROOT, 'bin/hasf.js'), ...args], {
    cwd: o.cwd ?? ROOT,
    env: { ...process.env, NODE_OPTIONS: '', ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const seen = new Promise<void>((resolve, reject) => {
    const onData = (b: Buffer) => {
      out += b.toString();
      if (o.ready.test(out)) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (c) => reject(new Error(`hasf ${args[0]} exited ${c}:\n${out}`)));
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  try {
    await seen;
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return {
    child,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const [code] = (await exited) as [number | null];
      clearTimeout(t);
      return code;
    },
  };
}
