import { startApiServer } from '../api/index.ts';
import type { Services } from '../app/services.ts';
import { startCallbackNotifier } from '../callbacks/index.ts';
import type { SlackDoor } from '../slack/index.ts';
import type { UiOptions } from '../ui/index.ts';

/** The API process's parts, started together: REST (+ Slack door when enabled) and the callback notifier. */
export interface ApiStack {
  /** Base URL the API listens on. */
  url: string;
  /** True when the Slack door is mounted and started. */
  slack: boolean;
  /** Why the Slack door is not running, when it was enabled but could not start. */
  slackProblem?: string;
  /** Stop taking requests, then stop the notifier and the Slack door. */
  close(): Promise<void>;
}

/**
 * Start what `hasf serve` (and the demo) runs: the REST API on `listen`, the Slack door
 * when config.slack.enabled, and the callback notifier. A Slack door that cannot start
 * (no reachable Slack, bad token) is reported and left out rather than taking the REST
 * API down with it: ticketing systems still need it.
 */
export async function startApiStack(services: Services, opts: { listen?: string; log?: (line: string) => void; ui?: UiOptions } = {}): Promise<ApiStack> {
  const log = opts.log ?? ((l: string) => console.error(l));
  let door: SlackDoor | undefined;
  let slackProblem: string | undefined;
  if (services.config.slack.enabled) {
    try {
      // Loaded only when enabled: Bolt and the Web API client are a good part of the footprint.
      const { createSlackDoor } = await import('../slack/index.ts');
      door = createSlackDoor(services);
    } catch (err) {
      slackProblem = (err as Error).message;
    }
  }
  const mounted = door;
  const server = await startApiServer(services, { listen: opts.listen, mount: mounted ? (app) => mounted.mount(app) : undefined, ui: opts.ui });
  const closers: Array<[string, () => Promise<void>]> = [['api', () => server.close()]];
  try {
    if (mounted) {
      try {
        await mounted.start();
        closers.unshift(['slack', () => mounted.close()]);
      } catch (err) {
        slackProblem = (err as Error).message;
        await mounted.close().catch(() => undefined);
        door = undefined;
      }
    }
    const notifier = await startCallbackNotifier(services, { onError: (e) => services.health.noteError(e, 'callbacks') });
    closers.unshift(['callbacks', () => notifier.close()]);
  } catch (err) {
    for (const [, close] of closers) await close().catch(() => undefined);
    throw err;
  }
  if (slackProblem) log(`[serve] Slack door not started: ${slackProblem}. The REST API runs without it.`);
  return {
    url: server.url,
    slack: !!door,
    slackProblem,
    async close() {
      for (const [name, close] of closers) {
        await close().catch((err: Error) => log(`[serve] closing ${name}: ${err.message}`));
      }
    },
  };
}
