import { z } from 'zod';
import { durationSchema } from '../approvals/index.ts';

/** An argv from the configuration: a command and its arguments, never a shell line. */
export const argvSchema = z
  .array(z.string().min(1).max(4096).refine((a) => !a.includes('\0'), 'no NUL characters'))
  .min(1)
  .max(64);

/** How a node is rebooted after its task: not at all, cleanly (cleanReboot on the node), or by its fence device. */
export const rebootSchema = z.enum(['none', 'clean', 'fence']);

/** One named maintenance task: `patch: [zypper, -n, patch]`, or with its timeout and reboot. */
export const taskSchema = z
  .union([
    argvSchema,
    z
      .object({
        argv: argvSchema,
        /** How long the task may run on one node. Default 30m. */
        timeout: durationSchema.optional(),
        /** Reboot after the task unless the request says otherwise. Default none. */
        reboot: rebootSchema.optional(),
        /** One line for the plan and help. */
        description: z.string().max(200).optional(),
      })
      .strict(),
  ])
  .transform((t) => (Array.isArray(t) ? { argv: t, timeoutMs: 30 * 60_000, reboot: 'none' as const } : { argv: t.argv, timeoutMs: t.timeout ?? 30 * 60_000, reboot: t.reboot ?? 'none', description: t.description }));

/**
 * cluster.rolling's configuration: the named tasks a request may choose from (never free
 * text from a request), what a clean reboot runs, and how long a node may take to return.
 */
export const rollingSchema = z
  .object({
    tasks: z.record(z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'a task name: lower-case letters, digits, - and _'), taskSchema).default({}),
    /** What a clean reboot runs on the node once it is drained. */
    cleanReboot: argvSchema.default(['systemctl', 'reboot']),
    /**
     * What prints the node's boot id: a reboot is confirmed only when it changed (the
     * node really restarted) and the node is online in the cluster again.
     */
    bootId: argvSchema.default(['cat', '/proc/sys/kernel/random/boot_id']),
    /** How long a rebooted node may take to be back online in the cluster. */
    backOnlineTimeout: durationSchema.default('15m'),
  })
  .strict();

export type RollingConfig = z.infer<typeof rollingSchema>;
/** The `rolling:` section as written in a configuration file (durations as text, defaults unset). */
export type RollingConfigInput = z.input<typeof rollingSchema>;
export type MaintenanceTask = RollingConfig['tasks'][string];
export type RebootMode = z.infer<typeof rebootSchema>;
