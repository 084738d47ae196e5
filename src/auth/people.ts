import { z } from 'zod';
import { roleSchema, type Role } from './roles.ts';

/** `sha256:` and 64 lowercase hex digits: how a token is stored or declared. */
export const tokenHashSchema = z
  .string()
  .regex(
    /^sha256:[0-9a-f]{64}$/,
    'a token hash such as sha256:<64 hex digits> (see `hasf token hash`)',
  );

/** A Slack user ID (U… or, on Enterprise Grid, W…). */
export const slackUserIdSchema = z
  .string()
  .regex(/^[UW][A-Z0-9]{2,}$/, 'a Slack user ID such as U0123ABCD');

/** A Slack user group ID (S…). */
export const slackGroupIdSchema = z
  .string()
  .regex(/^S[A-Z0-9]{2,}$/, 'a Slack user group ID such as S0123ABCD');

/** One person as configured. A person is who approvals are counted by, however many identities. */
export const personSchema = z
  .object({
    /** Stable short name; what job records and the audit log store. No `:` (kept for synthetic names). */
    name: z.string().regex(/^[a-z][a-z0-9._-]{0,63}$/, 'a lowercase name such as alice or j.doe'),
    /** Shown in Slack and the UI; defaults to `name`. */
    displayName: z.string().min(1).optional(),
    /** Roles held directly; Slack user groups may add more. */
    roles: z.array(roleSchema).default([]),
    /** Slack users that are this person. */
    slackUserIds: z.array(slackUserIdSchema).default([]),
    /** Tokens provisioned without Redis: SHA-256 of the plain token, as `sha256:<hex>`. */
    tokenHashes: z.array(tokenHashSchema).default([]),
  })
  .strict();

/** A Slack user group whose members get roles (and which approval policies can name). */
export const slackUserGroupSchema = z
  .object({
    id: slackGroupIdSchema,
    /** Optional label for messages; the ID is what counts. */
    name: z.string().optional(),
    /** Roles granted to every member; may be empty when the group is only named in approval policies. */
    roles: z.array(roleSchema).default([]),
  })
  .strict();

/** The `people` configuration section: people and Slack user groups, checked for duplicates. */
export const peopleSchema = z
  .object({
    people: z.array(personSchema).default([]),
    slackUserGroups: z.array(slackUserGroupSchema).default([]),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const dup = (what: string, values: string[], path: string) => {
      const seen = new Set<string>();
      for (const v of values) {
        if (seen.has(v))
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path: [path],
            message: `${what} ${v} appears twice; each must belong to one entry`,
          });
        seen.add(v);
      }
    };
    dup(
      'person',
      cfg.people.map((p) => p.name),
      'people',
    );
    dup(
      'Slack user',
      cfg.people.flatMap((p) => p.slackUserIds),
      'people',
    );
    dup(
      'token hash',
      cfg.people.flatMap((p) => p.tokenHashes),
      'people',
    );
    dup(
      'Slack user group',
      cfg.slackUserGroups.map((g) => g.id),
      'slackUserGroups',
    );
  });

/** One person as written in configuration (after defaults). */
export type PersonConfig = z.infer<typeof personSchema>;
/** One Slack user group as written in configuration (after defaults). */
export type SlackUserGroupConfig = z.infer<typeof slackUserGroupSchema>;
/** The parsed `people` section. */
export type PeopleConfig = z.infer<typeof peopleSchema>;

/**
 * A person as the directory resolves them right now: configured roles plus the roles of
 * the Slack user groups any of their Slack users is in. Slack users who are not configured
 * but are in a role-granting group become a person named `slack:<userId>`.
 */
export interface Person {
  name: string;
  displayName: string;
  /** Effective roles (configured ∪ group-granted). */
  roles: Role[];
  slackUserIds: string[];
  /** Known Slack user groups (configured or watched) that this person is a member of. */
  slackGroups: string[];
}
