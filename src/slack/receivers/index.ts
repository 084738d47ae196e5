/** How Slack's requests reach Bolt: HTTP on the API's Express app, or Socket Mode. */
export { HttpReceiver, type HttpReceiverOptions, type AckTracker } from './http-receiver.ts';
export { createSocketReceiver, type SocketClientLike, type SocketReceiverOptions } from './socket-receiver.ts';
export { verifySlackSignature, signSlackRequest, MAX_SKEW_SECONDS, type SignedRequest, type Verdict } from './verify-signature.ts';
export { parseSlackBody } from './parse-body.ts';
export { redisReplayGuard, type ReplayGuard } from './replay-guard.ts';
