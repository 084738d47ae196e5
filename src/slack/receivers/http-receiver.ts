import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import type { Express, Request, Response } from 'express';
import { parseSlackBody } from './parse-body.ts';
import type { ReplayGuard } from './replay-guard.ts';
import { verifySlackSignature } from './verify-signature.ts';

/** Options of {@link HttpReceiver}. */
export interface HttpReceiverOptions {
  signingSecret: string;
  /** Path of the endpoint; Slack's request URL for commands and interactivity. Default /slack/events. */
  path?: string;
  /** Largest accepted body in bytes (Slack's payloads are small). Default 1 MiB. */
  bodyLimit?: number;
  /** Answer 200 with an empty body if no handler acked by then, so Slack never shows a timeout. Default 2500 ms. */
  unackedAfterMs?: number;
  /** Clock in ms (tests). */
  now?: () => number;
  /**
   * Refuses replays inside the signature's 5-minute window: answers whether a verified
   * signature is new. Shared by every API replica (see redisReplayGuard). Without it a
   * captured request could be sent again and would be handled again.
   */
  replayGuard?: ReplayGuard;
  /** Told about refused or failed requests. */
  log?: (msg: string) => void;
  /** Told when a request starts being acknowledged and when it is answered (the door's PostAckQueue: work waits for acks). */
  ackTracker?: AckTracker;
}

/** Who wants to know that requests are being acknowledged (see PostAckQueue.ackBegin). */
export interface AckTracker {
  /** A request arrived; the returned function is called once it is answered. */
  ackBegin(): () => void;
}

/** Read the raw body, unless a parser upstream already kept it. */
async function rawBodyOf(req: Request, limit: number): Promise<string> {
  const kept = (req as unknown as { rawBody?: Buffer | string }).rawBody;
  if (kept !== undefined) return kept.toString();
  if (Buffer.isBuffer(req.body)) return req.body.toString('utf8');
  if (req.readableEnded) throw new Error('the body was consumed by a parser before the Slack route; mount Slack before body parsers');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw Object.assign(new Error('body too large'), { status: 413 });
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Bolt receiver for HTTP mode on the API's own Express app: verifies the signature on
 * the raw body, parses it, hands it to Bolt, and answers Slack as soon as a handler acks
 * (the work continues after the answer).
 */
export class HttpReceiver implements Receiver {
  private bolt?: App;
  private readonly o: Required<Omit<HttpReceiverOptions, 'log' | 'now' | 'replayGuard' | 'ackTracker'>> & Pick<HttpReceiverOptions, 'log' | 'now' | 'replayGuard' | 'ackTracker'>;

  constructor(opts: HttpReceiverOptions) {
    this.o = { path: '/slack/events', bodyLimit: 1 << 20, unackedAfterMs: 2500, ...opts };
  }

  /** Called by Bolt's App constructor. */
  init(app: App): void {
    this.bolt = app;
  }

  /** Nothing to start: requests arrive through the Express app it is mounted on. */
  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  /** Register POST {path} on an Express app (before any body parser sees it). */
  mount(app: Express): void {
    app.post(this.o.path, (req, res) => void this.handle(req, res));
  }

  /** The request handler (exported for servers that route themselves). */
  async handle(req: Request, res: Response): Promise<void> {
    const answered = this.o.ackTracker?.ackBegin();
    try {
      await this.respond(req, res, () => answered?.());
    } finally {
      answered?.();
    }
  }

  private async respond(req: Request, res: Response, answered: () => void): Promise<void> {
    let raw: string;
    try {
      raw = await rawBodyOf(req, this.o.bodyLimit);
    } catch (err) {
      const status = (err as { status?: number }).status ?? 400;
      this.o.log?.(`refused a Slack request: ${(err as Error).message}`);
      res.status(status).json({ code: 'INVALID_INPUT', message: (err as Error).message });
      return;
    }
    const verdict = verifySlackSignature({
      signingSecret: this.o.signingSecret,
      rawBody: raw,
      timestamp: req.get('x-slack-request-timestamp'),
      signature: req.get('x-slack-signature'),
      nowSeconds: Math.floor((this.o.now?.() ?? Date.now()) / 1000),
    });
    if (!verdict.ok) {
      this.o.log?.(`refused a Slack request: ${verdict.reason}`);
      res.status(401).json({ code: 'UNAUTHENTICATED', message: 'Slack request signature verification failed.' });
      return;
    }
    if (this.o.replayGuard) {
      let first: boolean;
      try {
        first = await this.o.replayGuard(req.get('x-slack-signature')!);
      } catch (err) {
        // Fail closed: a request that can't be checked for replay is not handled.
        this.o.log?.(`refused a Slack request: the replay check failed (${(err as Error).message})`);
        res.status(503).json({ code: 'REDIS_UNAVAILABLE', message: 'The replay check is unavailable; retry shortly.' });
        return;
      }
      if (!first) {
        // Already handled (a replay, or a duplicate delivery): acknowledged, not run again.
        this.o.log?.('ignored a Slack request already handled (same signature)');
        res.status(200).end();
        return;
      }
    }
    let body: Record<string, unknown>;
    try {
      body = parseSlackBody(raw, req.get('content-type'));
    } catch {
      res.status(400).json({ code: 'INVALID_INPUT', message: 'Malformed Slack request body.' });
      return;
    }
    if (body.ssl_check) {
      res.status(200).end();
      return;
    }
    if (body.type === 'url_verification') {
      res.status(200).json({ challenge: body.challenge });
      return;
    }
    let acked = false;
    const reply = (response?: unknown) => {
      if (acked || res.headersSent) return;
      acked = true;
      answered();
      if (response === undefined || response === '') res.status(200).end();
      else if (typeof response === 'string') res.status(200).type('text/plain').send(response);
      else res.status(200).json(response);
    };
    const timer = setTimeout(() => {
      if (!acked) this.o.log?.(`no handler acknowledged a Slack request within ${this.o.unackedAfterMs} ms; answered empty`);
      reply();
    }, this.o.unackedAfterMs);
    timer.unref();
    const event: ReceiverEvent = {
      body,
      ack: async (response?: unknown) => reply(response),
      retryNum: Number(req.get('x-slack-retry-num')) || undefined,
      retryReason: req.get('x-slack-retry-reason') ?? undefined,
      customProperties: {},
    };
    try {
      await this.bolt?.processEvent(event);
    } catch (err) {
      this.o.log?.(`Slack handler failed: ${(err as Error)?.message ?? String(err)}`);
      reply();
    } finally {
      clearTimeout(timer);
      reply();
    }
  }
}
