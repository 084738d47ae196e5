/**
 * Every kind of audit record, one string each. Modules append these; auditors filter on
 * them. Adding an event is a one-line change here (keep the list sorted by area).
 */
export const AUDIT_EVENTS = [
  // job lifecycle: every state change is one record
  'job.created', // a request became a job (details: operation, params, ticket, reason)
  'job.state', // a state transition (details: from, to, reason)
  'job.refused', // the request was refused (preflight rule, policy, freeze, lock)
  'job.cancelled', // cancelled by a person
  'job.expired', // approval window passed
  'job.emergency', // break-glass: run without the usual approvals
  'job.reviewed', // after-the-fact review of a break-glass job
  'job.control', // an operator asked a running job to pause, resume or abort (details: action, comment)
  'job.step', // a checkpointed step of a running job (plan, execute, verify)
  // approvals
  'approval.requested',
  'approval.granted',
  'approval.rejected',
  'approval.refused', // an approval that does not count (self-approval, not eligible)
  // commands run on cluster nodes and storage targets
  'command.start', // written BEFORE the command runs (host, argv)
  'command.result', // host, argv, exit code, duration, output excerpt
  'command.refused', // a command the worker refused to run (host key, policy)
  // access
  'access.refused', // authentication or authorisation failure
  'session.started', // a web console sign-in (details: identity, via)
  'session.ended', // sign-out, or the session's token was revoked or expired
  'request.refused', // an authenticated request refused before it did anything (bad input)
  'token.created',
  'token.revoked',
] as const;

/** The string union of audit event kinds (see AUDIT_EVENTS). */
export type AuditEvent = (typeof AUDIT_EVENTS)[number];

const KNOWN: ReadonlySet<string> = new Set(AUDIT_EVENTS);

/** True when `s` is one of AUDIT_EVENTS. */
export function isAuditEvent(s: unknown): s is AuditEvent {
  return typeof s === 'string' && KNOWN.has(s);
}
