import { SocketModeReceiver, type LogLevel, type Logger } from '@slack/bolt';

/**
 * What the receiver needs of a Socket Mode client: the `slack_event` stream, start and
 * disconnect. Bolt's own SocketModeClient is one; tests pass an object that feeds envelopes.
 */
export interface SocketClientLike {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Slack's socket-mode event args are untyped
  on(event: 'slack_event', listener: (args: any) => unknown): unknown;
  start(): Promise<unknown>;
  disconnect(): unknown;
}

/** Options of {@link createSocketReceiver}. */
export interface SocketReceiverOptions {
  /** App-level token (xapp-…) with connections:write. */
  appToken: string;
  logger?: Logger;
  logLevel?: LogLevel;
  /** A client to use instead of a real WebSocket connection (tests: Slack can't be reached). */
  client?: SocketClientLike;
}

/**
 * Bolt's SocketModeReceiver, unchanged, so envelopes are acked and dispatched exactly as in
 * production. With `client`, the listener Bolt registered on its own client moves to the
 * given one: the same code path, reachable without a Slack connection.
 */
export function createSocketReceiver(o: SocketReceiverOptions): SocketModeReceiver {
  const receiver = new SocketModeReceiver({ appToken: o.appToken, logger: o.logger, logLevel: o.logLevel, autoReconnectEnabled: true });
  if (o.client) {
    const real = receiver.client;
    for (const l of real.listeners('slack_event')) o.client.on('slack_event', l as (args: unknown) => unknown);
    real.removeAllListeners();
    (receiver as unknown as { client: SocketClientLike }).client = o.client;
  }
  return receiver;
}
