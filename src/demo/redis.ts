import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { HasfError } from '../errors/index.ts';

/** A redis-server the demo runs itself. */
export interface DemoRedis {
  url: string;
  port: number;
  pid: number;
  /** The redis-server process. */
  child: ChildProcess;
  /** SIGTERM (Redis flushes the AOF and exits), SIGKILL after 5 s. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash or power loss would (tests of AOF durability). */
  kill(): Promise<void>;
}

/** A free TCP port on 127.0.0.1, or `preferred` when it is free. */
export async function freeLoopbackPort(preferred = 0): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number | undefined>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(undefined));
      srv.listen(port, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
  return (preferred ? await tryPort(preferred) : undefined) ?? (await tryPort(0))!;
}

/**
 * Start redis-server on loopback with the production durability settings (AOF,
 * appendfsync always, noeviction), its data in `dir`, so jobs and the audit stream
 * survive a demo restart. Resolves once Redis accepts connections.
 */
export async function startDemoRedis(o: { dir: string; port?: number; bin?: string; extraArgs?: string[] }): Promise<DemoRedis> {
  mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  const port = await freeLoopbackPort(o.port);
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'yes', '--dir', o.dir,
    '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--maxmemory-policy', 'noeviction',
    '--daemonize', 'no', '--logfile', '', ...(o.extraArgs ?? []),
  ];
  let child: ChildProcess;
  try {
    child = spawn(o.bin ?? 'redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    throw new HasfError('REDIS_UNAVAILABLE', `Cannot start redis-server: ${(err as Error).message}. Install it: apt-get install redis-server.`);
  }
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (b: Buffer) => {
      log += b.toString();
      if (log.includes('Ready to accept connections')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', (e) => reject(new HasfError('REDIS_UNAVAILABLE', `Cannot start redis-server: ${e.message}. Install it: apt-get install redis-server.`)));
    child.once('exit', (code) => reject(new HasfError('REDIS_UNAVAILABLE', `redis-server exited (${code}) before it was ready:\n${log.slice(-2000)}`)));
  });
  // Keep draining its output so a chatty Redis never blocks on a full pipe.
  child.stdout!.removeAllListeners('data').resume();
  child.stderr!.removeAllListeners('data').resume();
  child.removeAllListeners('exit');
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    child,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}
