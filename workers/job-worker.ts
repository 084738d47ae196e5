/**
 * Worker process entry point: `hasf worker --config FILE` (or this file directly with
 * HASF_CONFIG). Runs jobs of the configured clusters; SIGTERM/SIGINT let running jobs
 * finish, then close connections.
 */
import { createServices } from '../src/app/services.ts';
import { loadConfig } from '../src/config/index.ts';
import { startWorker } from '../src/app/worker.ts';

/** Run a worker until a signal; resolves with the exit code. */
export async function runWorkerProcess(configPath: string, opts: { clusters?: string[]; concurrency?: number } = {}): Promise<number> {
  const services = createServices(loadConfig(configPath));
  await services.checkRedis();
  // Lost connections are one line from services.health, not one per BullMQ reconnect attempt.
  const worker = await startWorker(services, { ...opts, onError: (e) => services.health.noteError(e, 'worker') });
  console.log(`[worker] ${worker.id} serving clusters: ${worker.clusters.join(', ')}`);
  // After a failover, a queue entry written just before it may be gone while its job
  // record survived (or the reverse was repaired by a replica): put such jobs back in line.
  services.health.on('up', () => {
    services.jobs.reconcile(worker.clusters).then(
      (ids) => ids.length && console.error(`[worker] re-queued ${ids.length} job(s) missing from the queue after Redis came back: ${ids.join(', ')}`),
      (err: Error) => services.health.noteError(err, 'worker'),
    );
  });
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  console.log('[worker] stopping: letting running jobs finish');
  await worker.close();
  await services.close();
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const path = process.env.HASF_CONFIG ?? process.argv[2];
  if (!path) {
    console.error('usage: job-worker.ts CONFIG (or HASF_CONFIG=…)');
    process.exit(2);
  }
  process.exitCode = await runWorkerProcess(path);
}
