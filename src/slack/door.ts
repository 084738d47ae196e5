import { App, LogLevel, type Logger } from '@slack/bolt';
import type { Express } from 'express';
import type { Services } from '../app/services.ts';
import { HasfError } from '../errors/index.ts';
import { ProgressFollower } from './follower.ts';
import { registerHandlers } from './handlers/register.ts';
import { createSocketReceiver, HttpReceiver, redisReplayGuard, type SocketClientLike } from './receivers/index.ts';
import { slackClientOptions } from './web-client.ts';

/** The Slack door of the API process. */
export interface SlackDoor {
  /** HTTP mode: POST /slack/events (slash commands + interactivity) on the API's Express app. Socket Mode: nothing. */
  mount(app: Express): void;
  /** Socket Mode: connect. Both modes: start the follower that updates messages from job events. */
  start(): Promise<void>;
  /** Disconnect and stop following; waits for message updates in flight. */
  close(): Promise<void>;
}

/** Options of {@link createSlackDoor}. */
export interface SlackDoorOptions {
  /** Socket Mode client to use instead of a WebSocket to Slack (tests: Slack can't be reached). */
  socketModeClient?: unknown;
  /** Where problems are logged; default console.error with a [slack] prefix. */
  log?: (msg: string) => void;
}

const missing = (key: string, env: string, why: string) =>
  new HasfError('CONFIG_INVALID', `slack.${key} is not set: ${why}; set ${env} or slack.${key}.`, { key: `slack.${key}` });

/** Bolt's logs through ours, warnings and up only (debug would log tokens in payloads). */
function boltLogger(log: (m: string) => void): Logger {
  let level = LogLevel.WARN;
  return {
    debug: () => {},
    info: () => {},
    warn: (...m: unknown[]) => log(`bolt: ${m.map(String).join(' ')}`),
    error: (...m: unknown[]) => log(`bolt: ${m.map(String).join(' ')}`),
    setLevel: (l) => (level = l),
    getLevel: () => level,
    setName: () => {},
  };
}

/**
 * Build the Slack door from the configuration: a Bolt app in HTTP mode (signature checked
 * on the raw body, on the API's own Express server) or Socket Mode (app-level token),
 * with the same handlers either way. Throws CONFIG_INVALID naming the missing key.
 *
 * @example const door = createSlackDoor(services); door.mount(expressApp); await door.start();
 */
export function createSlackDoor(services: Services, opts: SlackDoorOptions = {}): SlackDoor {
  const cfg = services.config.slack;
  const log = opts.log ?? ((m: string) => console.error(`[slack] ${m}`));
  if (!cfg.botToken) throw missing('botToken', 'HASF_SLACK_BOT_TOKEN', 'the bot token (xoxb-…) is needed to post and update messages');
  const logger = boltLogger(log);
  let http: HttpReceiver | undefined;
  let receiver;
  if (cfg.mode === 'socket') {
    if (!cfg.appToken) throw missing('appToken', 'HASF_SLACK_APP_TOKEN', 'Socket Mode needs an app-level token (xapp-…) with connections:write');
    receiver = createSocketReceiver({ appToken: cfg.appToken, logger, client: opts.socketModeClient as SocketClientLike | undefined });
  } else {
    if (!cfg.signingSecret) throw missing('signingSecret', 'HASF_SLACK_SIGNING_SECRET', 'HTTP mode verifies every request with the signing secret');
    // Replays inside the 5-minute window are refused across every API replica (Redis).
    receiver = http = new HttpReceiver({ signingSecret: cfg.signingSecret, log, replayGuard: redisReplayGuard(services.redis, services.config.redis.prefix) });
  }
  const app = new App({
    receiver,
    token: cfg.botToken,
    // No auth.test at start-up: the door must not depend on reaching Slack to serve its ack.
    tokenVerificationEnabled: false,
    logger,
    clientOptions: slackClientOptions(cfg),
  });
  app.error(async (err) => log(`handler error: ${err.message}`));
  const follower = new ProgressFollower({ services, client: app.client, approvalsChannel: cfg.approvalsChannel, log });
  registerHandlers(app, { services, client: app.client, follower, approvalsChannel: cfg.approvalsChannel, log });
  let started = false;
  return {
    mount(express) {
      http?.mount(express);
    },
    async start() {
      if (started) return;
      started = true;
      await follower.start();
      if (cfg.mode === 'socket') await app.start();
    },
    async close() {
      if (cfg.mode === 'socket' && started) await app.stop().catch((err) => log(`socket close: ${(err as Error).message}`));
      started = false;
      await follower.close();
    },
  };
}
