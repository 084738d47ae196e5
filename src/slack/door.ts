import { App, LogLevel, webApi, type Authorize, type Logger } from '@slack/bolt';
import type { Express } from 'express';
import type { Services } from '../app/services.ts';
import { HasfError } from '../errors/index.ts';
import { ProgressFollower } from './follower.ts';
import { registerHandlers } from './handlers/register.ts';
import { PostAckQueue, type PostAckQueueOptions } from './post-ack.ts';
import { createSocketReceiver, HttpReceiver, redisReplayGuard, type SocketClientLike } from './receivers/index.ts';
import { slackClientOptions } from './web-client.ts';

/** The Slack door of the API process. */
export interface SlackDoor {
  /** HTTP mode: POST /slack/events (slash commands + interactivity) on the API's Express app. Socket Mode: nothing. */
  mount(app: Express): void;
  /** Socket Mode: connect. Both modes: start the follower that updates messages from job events. */
  start(): Promise<void>;
  /** Disconnect and stop following; waits for the answers and message updates in flight. */
  close(): Promise<void>;
}

/** Options of {@link createSlackDoor}. */
export interface SlackDoorOptions {
  /** Socket Mode client to use instead of a WebSocket to Slack (tests: Slack can't be reached). */
  socketModeClient?: unknown;
  /** Where problems are logged; default console.error with a [slack] prefix. */
  log?: (msg: string) => void;
  /** How the work after acks is paced (see PostAckQueue; defaults suit one API process). */
  afterAck?: PostAckQueueOptions;
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
 * Bolt's authorize for our one workspace: the bot token, and the bot's user and bot ids
 * (Bolt's ignoreSelf uses them) once auth.test has answered. Asked in the background at
 * start and on events until known, at most once a minute after a failure; never awaited.
 */
function botIdentity(client: webApi.WebClient, botToken: string, log: (m: string) => void): { authorize: Authorize<boolean>; learn: () => void } {
  let ids: { botId?: string; botUserId?: string } | undefined;
  let asking = false;
  let failedAt = 0;
  const learn = () => {
    if (asking || ids || Date.now() - failedAt < 60_000) return;
    asking = true;
    client.auth
      .test()
      .then((r) => (ids = { botId: r.bot_id, botUserId: r.user_id }))
      .catch((err) => {
        failedAt = Date.now();
        log(`auth.test failed (${(err as Error).message}); the bot's ids stay unknown for now`);
      })
      .finally(() => (asking = false));
  };
  return {
    learn,
    authorize: async () => {
      learn();
      return { botToken, ...ids };
    },
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
  // Acks never wait behind the work commands start after them (status reads, dry runs, messages).
  const afterAck = new PostAckQueue({ log, ...opts.afterAck });
  let http: HttpReceiver | undefined;
  let receiver;
  if (cfg.mode === 'socket') {
    if (!cfg.appToken) throw missing('appToken', 'HASF_SLACK_APP_TOKEN', 'Socket Mode needs an app-level token (xapp-…) with connections:write');
    receiver = createSocketReceiver({ appToken: cfg.appToken, logger, client: opts.socketModeClient as SocketClientLike | undefined });
  } else {
    if (!cfg.signingSecret) throw missing('signingSecret', 'HASF_SLACK_SIGNING_SECRET', 'HTTP mode verifies every request with the signing secret');
    // Replays inside the 5-minute window are refused across every API replica (Redis).
    receiver = http = new HttpReceiver({ signingSecret: cfg.signingSecret, log, replayGuard: redisReplayGuard(services.redis, services.config.redis.prefix), ackTracker: afterAck });
  }
  // Our own client with the bot token: the follower, the announcements and the handlers post with it.
  const client = new webApi.WebClient(cfg.botToken, slackClientOptions(cfg));
  const identity = botIdentity(client, cfg.botToken, log);
  const app = new App({
    receiver,
    // Not `token`: with token verification off, Bolt 5 calls auth.test on every event (its
    // cache is overwritten each time), so every ack would wait for a round trip to Slack,
    // and with it on, the door could not start without reaching Slack. The bot's ids are
    // learnt once, in the background; no ack waits for them.
    authorize: identity.authorize,
    // No conversation state is kept between events: not Bolt's per-event store either.
    convoStore: false,
    logger,
    clientOptions: slackClientOptions(cfg),
  });
  app.error(async (err) => log(`handler error: ${err.message}`));
  if (cfg.mode === 'socket') {
    // Socket Mode has no request of ours to watch: the ack phase is Bolt's dispatch (handlers return once acked).
    app.use(async ({ next }) => {
      const answered = afterAck.ackBegin();
      try {
        await next();
      } finally {
        answered();
      }
    });
  }
  const follower = new ProgressFollower({ services, client, approvalsChannel: cfg.approvalsChannel, log });
  registerHandlers(app, { services, client, follower, approvalsChannel: cfg.approvalsChannel, log, afterAck });
  let started = false;
  return {
    mount(express) {
      http?.mount(express);
    },
    async start() {
      if (started) return;
      started = true;
      identity.learn();
      await follower.start();
      if (cfg.mode === 'socket') await app.start();
    },
    async close() {
      if (cfg.mode === 'socket' && started) await app.stop().catch((err) => log(`socket close: ${(err as Error).message}`));
      started = false;
      await afterAck.drain();
      await follower.close();
    },
  };
}
