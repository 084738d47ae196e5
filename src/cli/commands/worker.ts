import { startIdleGc } from '../../app/idle-gc.ts';
import { runWorkerProcess } from '../../../workers/job-worker.ts';
import { configPath } from '../config-path.ts';
import { UsageError } from '../errors.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { parseCommand, str } from '../parse.ts';
import { exitIfStillAlive } from '../signals.ts';

const USAGE = 'hasf worker [--config FILE] [--cluster NAME]... [--concurrency N]';

/** Help of `hasf worker`. */
export const WORKER_HELP = `Run a worker process: takes approved jobs from Redis and runs them over SSH.
Start as many as you like (any machine that reaches Redis and the clusters); a worker
that dies mid-job has its job finished by another.

Usage: ${USAGE}
  --config FILE      default $HASF_CONFIG, ./hasf.yaml, var/demo/hasf.yaml
  --cluster NAME     serve only this cluster's queue (repeatable); default worker.clusters or all
  --concurrency N    jobs at once (different targets only); default worker.concurrency

Next to the demo (npm start): hasf worker --config var/demo/hasf.yaml
SIGTERM/SIGINT: running jobs finish, then the worker exits.`;

/** `hasf worker`: runs until a signal. */
export async function workerCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(
    argv,
    { config: { type: 'string', short: 'c' }, cluster: { type: 'string', multiple: true }, concurrency: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    USAGE,
  );
  if (values.help) return io.out(WORKER_HELP), EXIT.OK;
  if (positionals.length) throw new UsageError(`Unexpected argument ${positionals[0]}. Usage: ${USAGE}`);
  const c = str(values, 'concurrency');
  if (c !== undefined && !/^[1-9]\d*$/.test(c)) throw new UsageError(`--concurrency ${c}: a positive whole number.`);
  const clusters = Array.isArray(values.cluster) ? values.cluster : undefined;
  const idleGc = startIdleGc();
  const code = await runWorkerProcess(configPath(str(values, 'config'), io), { clusters, concurrency: c ? Number(c) : undefined });
  idleGc.stop();
  exitIfStillAlive(code);
  return code;
}
