import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';

/** A free TCP port on 127.0.0.1 (bound then released). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  srv.close();
  await once(srv, 'close');
  return port;
}

export interface TestRedis {
  url: string;
  port: number;
  dir: string;
  process: ChildProcess;
  stop(): Promise<void>;
  /** Stop and start again on the same port and data dir (AOF replay). */
  restart(): Promise<void>;
}

/**
 * A real redis-server on a free loopback port with AOF (appendfsync always, as in
 * production), in a temp dir removed by stop().
 */
export async function startRedis(extraArgs: string[] = []): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'hasf-redis-'));
  const port = await freePort();
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '',
    '--appendonly', 'yes', '--appendfsync', 'always', '--daemonize', 'no',
    '--maxmemory-policy', 'noeviction', ...extraArgs,
  ];
  const launch = async (): Promise<ChildProcess> => {
    const p = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    await new Promise<void>((resolve, reject) => {
      const onData = (b: Buffer) => {
        log += b.toString();
        if (log.includes('Ready to accept connections')) resolve();
      };
      p.stdout!.on('data', onData);
      p.on('exit', (code) => reject(new Error(`redis-server exited ${code}: ${log}`)));
    });
    p.stdout!.removeAllListeners('data');
    p.stdout!.resume();
    p.removeAllListeners('exit');
    return p;
  };
  const r: TestRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    process: await launch(),
    async stop() {
      if (r.process.exitCode === null && r.process.signalCode === null) {
        r.process.kill('SIGKILL');
        await once(r.process, 'exit');
      }
      rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      if (r.process.exitCode === null && r.process.signalCode === null) {
        r.process.kill('SIGKILL');
        await once(r.process, 'exit');
      }
      r.process = await launch();
    },
  };
  return r;
}
