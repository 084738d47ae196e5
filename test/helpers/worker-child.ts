// A worker in its own process, as `hasf worker` runs it: for crash tests (kill -9) and
// multi-worker tests. argv: CONFIG_PATH. Prints "ready" once serving.
import { createServices } from '../../src/app/services.ts';
import { loadConfig } from '../../src/config/index.ts';
import { startWorker } from '../../src/app/worker.ts';

const services = createServices(loadConfig(process.argv[2]!));
const worker = await startWorker(services, { onError: () => undefined });
process.stdout.write('ready\n');
process.on('SIGTERM', async () => {
  await worker.close();
  await services.close();
  process.exit(0);
});
