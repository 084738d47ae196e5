/** Approval policy: who must approve what, freezes, and break-glass. Pure functions, no I/O. */
export {
  DEFAULT_REQUIRED,
  POLICY_OPERATIONS,
  DISRUPTIVE_OPERATIONS,
  builtinRequired,
  type PolicyOperation,
} from './operations.ts';
export { parseDuration, durationSchema } from './duration.ts';
export { wallClock, zonedToInstant, isValidZone, type WallClock } from './zoned-time.ts';
export { freezeSchema, activeFreeze, checkFreeze, freezeEnd, type Freeze } from './freeze.ts';
export {
  approvalsConfigSchema,
  approversSchema,
  operationPolicySchema,
  policyOverrideSchema,
  resolvePolicy,
  policyGroups,
  DEFAULT_WINDOW_MS,
  DEFAULT_APPROVERS,
  type ApprovalsConfig,
  type Approvers,
  type ResolvedPolicy,
} from './policy.ts';
export {
  decide,
  approvalState,
  countApprovals,
  isEligible,
  requirePersonalCredential,
  isExpired,
  expiresAt,
  type ApprovalRecord,
  type ApprovalJob,
  type ApprovalOutcome,
  type Decision,
} from './decide.ts';
export {
  checkEmergency,
  checkReview,
  MIN_EMERGENCY_REASON,
  type ReviewRecord,
  type ReviewJob,
} from './emergency.ts';
