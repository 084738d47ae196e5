import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import type { Harness } from './harness.ts';

/** A worker process running the harness's configuration. kill() is SIGKILL; stop() is graceful. */
export interface WorkerProcess {
  child: ChildProcess;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** Start a worker in a child process and wait until it serves; `override` edits its configuration. */
export async function spawnWorker(h: Harness, name = 'w', override: (c: Harness['config']) => unknown = (c) => c): Promise<WorkerProcess> {
  const cfg = join(h.dir, `${name}.json`);
  writeFileSync(cfg, JSON.stringify(override(structuredClone(h.config))));
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/worker-child.ts', cfg], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (b: Buffer) => b.toString().includes('ready') && resolve());
    child.once('exit', (c) => reject(new Error(`worker exited ${c}`)));
  });
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  return {
    child,
    async kill() {
      if (exited()) return;
      child.kill('SIGKILL');
      await once(child, 'exit');
    },
    async stop() {
      if (exited()) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await once(child, 'exit');
      clearTimeout(t);
    },
  };
}
