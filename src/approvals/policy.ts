import { z } from 'zod';
import { roleSchema, slackGroupIdSchema, type Role } from '../auth/index.ts';
import { durationSchema } from './duration.ts';
import { freezeSchema } from './freeze.ts';
import { builtinRequired, POLICY_OPERATIONS, type PolicyOperation } from './operations.ts';

/** Who may approve: anyone matching a role, a named person, or a Slack user group (and holding the approve permission). */
export const approversSchema = z
  .object({
    roles: z.array(roleSchema).default([]),
    people: z.array(z.string()).default([]),
    slackGroups: z.array(slackGroupIdSchema).default([]),
  })
  .strict();

// Every field optional: each layer overrides only what it names.
const overrideFields = {
  /** Approvals needed (distinct people, never the requester). */
  required: z.number().int().min(0).max(10).optional(),
  /** Replaces the approver set of lower layers as a whole (a narrower set must not be widened by a merge). */
  approvers: approversSchema.optional(),
  /** How long a request waits for approvals before it expires: `'4h'` or ms. */
  window: durationSchema.optional(),
  /** Whether one rejection ends the request. */
  rejectionEnds: z.boolean().optional(),
};

/** Overrides for one cluster of one operation. */
export const policyOverrideSchema = z.object(overrideFields).strict();

/** Policy of one operation, with optional per-cluster overrides. */
export const operationPolicySchema = z
  .object({ ...overrideFields, clusters: z.record(z.string(), policyOverrideSchema).optional() })
  .strict();

const operationsSchema = z.record(z.string(), operationPolicySchema).superRefine((ops, ctx) => {
  // A typo here would silently leave an operation on its default policy: refuse it.
  for (const k of Object.keys(ops)) {
    if (!(POLICY_OPERATIONS as string[]).includes(k)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: [k],
        message: `unknown operation "${k}"; known: ${POLICY_OPERATIONS.join(', ')}`,
      });
    }
  }
});

/**
 * The `approvals` configuration section. Precedence, lowest first: built-in defaults
 * (approvals per operation as in DEFAULT_REQUIRED, approvers = approver and admin roles,
 * window 4h, rejection ends), `defaults` (all but `required`, which is per operation so a
 * blanket value can't lower node.fence), `operations[op]`, `operations[op].clusters[c]`.
 */
export const approvalsConfigSchema = z
  .object({
    defaults: z
      .object({
        approvers: overrideFields.approvers,
        window: overrideFields.window,
        rejectionEnds: overrideFields.rejectionEnds,
      })
      .strict()
      .default({}),
    operations: operationsSchema.default({}),
    /** Change freezes; see freezeSchema. */
    freezes: z.array(freezeSchema).default([]),
  })
  .strict();

/** The parsed `approvals` section. */
export type ApprovalsConfig = z.infer<typeof approvalsConfigSchema>;
/** Who may approve, after defaults. */
export type Approvers = z.infer<typeof approversSchema>;

/** The policy that applies to one operation on one cluster. */
export interface ResolvedPolicy {
  operation: string;
  cluster: string;
  required: number;
  approvers: Approvers;
  windowMs: number;
  rejectionEnds: boolean;
}

/** Built-in window: 4 hours. */
export const DEFAULT_WINDOW_MS = 4 * 3_600_000;
/** Built-in approvers: whoever holds the approver or admin role. */
export const DEFAULT_APPROVERS: Approvers = {
  roles: ['approver', 'admin'] satisfies Role[],
  people: [],
  slackGroups: [],
};

/** The policy for `operation` on `cluster`, layering built-ins, defaults, operation and cluster overrides. */
export function resolvePolicy(
  config: ApprovalsConfig,
  operation: string,
  cluster: string,
): ResolvedPolicy {
  const op = config.operations[operation as PolicyOperation];
  const layers = [config.defaults, op ?? {}, op?.clusters?.[cluster] ?? {}];
  const policy: ResolvedPolicy = {
    operation,
    cluster,
    required: builtinRequired(operation),
    approvers: DEFAULT_APPROVERS,
    windowMs: DEFAULT_WINDOW_MS,
    rejectionEnds: true,
  };
  for (const l of layers as Partial<z.infer<typeof policyOverrideSchema>>[]) {
    if (l.required !== undefined) policy.required = l.required;
    if (l.approvers !== undefined) policy.approvers = l.approvers;
    if (l.window !== undefined) policy.windowMs = l.window;
    if (l.rejectionEnds !== undefined) policy.rejectionEnds = l.rejectionEnds;
  }
  return policy;
}

/** Every Slack user group the policies name, for the directory's `watchGroups`. */
export function policyGroups(config: ApprovalsConfig): string[] {
  const all = [
    config.defaults.approvers,
    ...Object.values(config.operations).flatMap((o) => [
      o.approvers,
      ...Object.values(o.clusters ?? {}).map((c) => c.approvers),
    ]),
  ];
  return [...new Set(all.flatMap((a) => a?.slackGroups ?? []))];
}
