import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort, startDemoRedis, type DemoRedis } from '../../src/demo/redis.ts';

/** A free TCP port on 127.0.0.1 (bound then released). */
export const freePort = (): Promise<number> => freeLoopbackPort();

export interface TestRedis {
  url: string;
  port: number;
  dir: string;
  process: ChildProcess;
  stop(): Promise<void>;
  /** Kill (SIGKILL) and start again on the same port and data dir (AOF replay). */
  restart(): Promise<void>;
}

/**
 * A real redis-server on a free loopback port with the production durability settings
 * (AOF, appendfsync always, noeviction) — the demo's own launcher — in a temp dir that
 * stop() removes.
 */
export async function startRedis(extraArgs: string[] = []): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'hasf-redis-'));
  let r: DemoRedis = await startDemoRedis({ dir, extraArgs });
  const t: TestRedis = {
    url: r.url,
    port: r.port,
    dir,
    process: r.child,
    async stop() {
      await r.kill();
      rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await r.kill();
      r = await startDemoRedis({ dir, port: t.port, extraArgs });
      t.process = r.child;
      if (r.port !== t.port) throw new Error(`redis came back on port ${r.port}, not ${t.port}: the port was taken meanwhile`);
    },
  };
  return t;
}
