/**
 * Signed callbacks to ticketing systems: every state change of a job with a callbackUrl
 * is POSTed, HMAC-signed, through the BullMQ queue 'callbacks' with exponential backoff
 * for up to 24 h; attempts are recorded on the job.
 */
export { startCallbackNotifier, backoffDelay, type NotifierOptions } from './notifier.ts';
export { checkCallbackUrl, hostAllowed, type CallbackPolicy } from './allowed.ts';
export { signature, signDelivery, verifySignature, type SignedHeaders } from './sign.ts';
export { DeliveryLog, type DeliveryAttempt } from './deliveries.ts';
export { CALLBACKS_QUEUE } from '../queue/queues.ts';
