import { startIdleGc } from '../../app/idle-gc.ts';
import { loadConfig } from '../../config/index.ts';
import { configPath } from '../config-path.ts';
import { UsageError } from '../errors.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { parseCommand, str } from '../parse.ts';
import { exitIfStillAlive, waitForStopSignal } from '../signals.ts';
import { createProcessServices } from '../services.ts';
import { startApiStack } from '../stack.ts';

const USAGE = 'hasf serve [--config FILE] [--listen HOST:PORT]';

/** Help of `hasf serve`. */
export const SERVE_HELP = `Run the API process against a configuration: REST API, Slack door (when
slack.enabled) and the callback notifier. Jobs run in worker processes (hasf worker).

Usage: ${USAGE}
  --config FILE        default $HASF_CONFIG, ./hasf.yaml, var/demo/hasf.yaml
  --listen HOST:PORT   overrides api.listen (also $HASF_API_LISTEN)

SIGTERM/SIGINT: stop taking requests, finish the ones in flight, close connections.`;

/** `hasf serve`: runs until a signal. */
export async function serveCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(argv, { config: { type: 'string', short: 'c' }, listen: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, USAGE);
  if (values.help) return io.out(SERVE_HELP), EXIT.OK;
  if (positionals.length) throw new UsageError(`Unexpected argument ${positionals[0]}. Usage: ${USAGE}`);
  const file = configPath(str(values, 'config'), io);
  const config = loadConfig(file, io.env);
  const services = await createProcessServices(config);
  await services.checkRedis(io.err);
  let stack;
  try {
    stack = await startApiStack(services, { listen: str(values, 'listen') ?? config.api.listen, log: io.err });
  } catch (err) {
    await services.close();
    throw err;
  }
  const idleGc = startIdleGc();
  io.out(`[serve] HASF API on ${stack.url} (config ${file}; clusters: ${services.access.clusters().join(', ') || 'none'}; Slack: ${stack.slack ? 'on' : 'off'})`);
  const sig = await waitForStopSignal(() => io.err('[serve] still stopping…'));
  io.out(`[serve] ${sig}: stopping`);
  idleGc.stop();
  await stack.close();
  await services.close();
  exitIfStillAlive(EXIT.OK);
  return EXIT.OK;
}
