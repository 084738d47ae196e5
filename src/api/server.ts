import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Services } from '../app/services.ts';
import { HasfError } from '../errors/index.ts';
import { APP_CLOSE, APP_METRICS, createApiApp, type ApiAppOptions } from './app.ts';
import type { ApiMetrics } from './metrics.ts';

/** A listening API server. */
export interface RunningApi {
  /** http://host:port of the listening socket. */
  url: string;
  server: Server;
  /** Stop accepting, finish open requests, stop following events. */
  close(): Promise<void>;
}

/**
 * Serve the API on `listen` (host:port, default config.api.listen; port 0 picks a free
 * one). The job-event follower for the duration metrics runs while the server does.
 */
export async function startApiServer(services: Services, opts: ApiAppOptions & { listen?: string } = {}): Promise<RunningApi> {
  const listen = opts.listen ?? services.config.api.listen;
  const m = /^(.*):(\d{1,5})$/.exec(listen);
  if (!m) throw new HasfError('CONFIG_INVALID', `api.listen "${listen}" is not host:port; write e.g. 127.0.0.1:8080.`, { listen });
  const host = m[1]!.replace(/^\[|\]$/g, '');
  const app = createApiApp(services, opts);
  const metrics = (app as unknown as Record<symbol, ApiMetrics>)[APP_METRICS]!;
  const closeApp = (app as unknown as Record<symbol, () => Promise<void>>)[APP_CLOSE]!;
  const server = app.listen(Number(m[2]), host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (err) => reject(new HasfError('CONFIG_INVALID', `Cannot listen on ${listen}: ${err.message}; pick another api.listen.`, { listen }, { cause: err })));
  });
  server.keepAliveTimeout = 65_000; // longer than common load balancers' idle timeouts
  const unfollow = await metrics.follow();
  const addr = server.address() as AddressInfo;
  const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${shown}:${addr.port}`,
    server,
    async close() {
      await unfollow();
      await closeApp(); // open console streams would keep server.close() waiting
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    },
  };
}
