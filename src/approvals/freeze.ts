import { z } from 'zod';
import { ErrorCode, HasfError } from '../errors/index.ts';
import { DISRUPTIVE_OPERATIONS, POLICY_OPERATIONS, type PolicyOperation } from './operations.ts';
import { isValidZone, wallClock, zonedToInstant } from './zoned-time.ts';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const WEEK_MIN = 7 * 1440;
const timeSchema = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time such as 18:00 (24-hour HH:MM)');
const daySchema = z
  .string()
  .transform((s) => s.slice(0, 3).toLowerCase())
  .pipe(z.enum(DAYS, { errorMap: () => ({ message: 'a weekday such as fri or Friday' }) }));

const weeklyObjectSchema = z
  .object({ fromDay: daySchema, fromTime: timeSchema, toDay: daySchema, toTime: timeSchema })
  .strict();

// "Fri 18:00 – Mon 06:00" (any dash), as people write it.
const WEEKLY_TEXT_RE = /^\s*([A-Za-z]+)\s+(\d{2}:\d{2})\s*[-–—]+\s*([A-Za-z]+)\s+(\d{2}:\d{2})\s*$/;
const weeklySchema = z
  .union([
    weeklyObjectSchema,
    z
      .string()
      .transform((s, ctx) => {
        const m = WEEKLY_TEXT_RE.exec(s);
        if (!m) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            message: `"${s}" is not a weekly window; write e.g. "Fri 18:00 - Mon 06:00"`,
          });
          return z.NEVER;
        }
        return { fromDay: m[1]!, fromTime: m[2]!, toDay: m[3]!, toTime: m[4]! };
      })
      .pipe(weeklyObjectSchema),
  ])
  .refine(
    (w) => minuteOfWeek(w.fromDay, w.fromTime) !== minuteOfWeek(w.toDay, w.toTime),
    'a weekly window must not start where it ends',
  );

// Local wall-clock (date, optionally time) in the freeze's zone, or an absolute instant with Z/offset.
const LOCAL_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;
const ABSOLUTE_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const isLocalPoint = (s: string): boolean => {
  const m = LOCAL_RE.exec(s);
  if (!m) return false;
  // Round-trip through Date.UTC so 2024-02-30 or 25:00 are refused, not rolled over.
  const [y, mo, d, h = '0', mi = '0', sec = '0'] = m.slice(1).map((x) => x ?? '0');
  const t = new Date(Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +sec));
  return (
    t.getUTCFullYear() === +y! &&
    t.getUTCMonth() === +mo! - 1 &&
    t.getUTCDate() === +d! &&
    t.getUTCHours() === +h &&
    t.getUTCMinutes() === +mi
  );
};
const pointSchema = z
  .string()
  .refine(
    (s) => isLocalPoint(s) || (ABSOLUTE_RE.test(s) && !Number.isNaN(Date.parse(s))),
    'a date such as 2024-12-20, 2024-12-20 18:00 (in the freeze zone) or 2024-12-20T17:00:00Z',
  );

const common = {
  /** Shown in the refusal: "change freeze 'year-end' until …". */
  name: z.string().min(1),
  /** IANA time zone the times are wall-clock times in, e.g. Europe/Berlin. */
  zone: z.string().refine(isValidZone, 'an IANA time zone such as Europe/Berlin or UTC'),
  /** Operations refused; default: the disruptive ones (all but resource.cleanup and cluster.status). */
  operations: z
    .array(z.enum(POLICY_OPERATIONS as [PolicyOperation, ...PolicyOperation[]]))
    .optional(),
  /** Clusters it applies to; default: all. */
  clusters: z.array(z.string()).optional(),
};

/**
 * One change freeze: a date range (`from`/`to`; a date-only `to` includes that whole day)
 * or a weekly window (`weekly`: `{ fromDay, fromTime, toDay, toTime }` or the text
 * "Fri 18:00 - Mon 06:00"; it may wrap over the week end). Times are wall-clock in `zone`.
 */
export const freezeSchema = z.union([
  z
    .object({ ...common, from: pointSchema, to: pointSchema })
    .strict()
    .refine((f) => rangeInOrder(f.from, f.to, f.zone), {
      message: 'a freeze must end after it starts',
      path: ['to'],
    }),
  z.object({ ...common, weekly: weeklySchema }).strict(),
]);

/** A parsed freeze. */
export type Freeze = z.infer<typeof freezeSchema>;

function rangeInOrder(from: string, to: string, zone: string): boolean {
  try {
    return pointInstant(from, zone, false) < pointInstant(to, zone, true);
  } catch {
    return true; // another issue (bad zone or date) is reported already
  }
}

function minuteOfWeek(day: string, time: string): number {
  const [h, m] = time.split(':').map(Number);
  return DAYS.indexOf(day as (typeof DAYS)[number]) * 1440 + h! * 60 + m!;
}

// Instant of a range end point; date-only `to` means the end of that day.
function pointInstant(text: string, zone: string, isEnd: boolean): Date {
  if (ABSOLUTE_RE.test(text)) return new Date(text);
  const m = LOCAL_RE.exec(text)!;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (m[4] === undefined) {
    const day = new Date(Date.UTC(y, mo - 1, d + (isEnd ? 1 : 0)));
    return zonedToInstant(
      {
        year: day.getUTCFullYear(),
        month: day.getUTCMonth() + 1,
        day: day.getUTCDate(),
        hour: 0,
        minute: 0,
      },
      zone,
    );
  }
  return zonedToInstant(
    {
      year: y,
      month: mo,
      day: d,
      hour: Number(m[4]),
      minute: Number(m[5]),
      second: Number(m[6] ?? 0),
    },
    zone,
  );
}

/** When the freeze that is active at `at` ends (for "frozen until …"); undefined if it is not active. */
export function freezeEnd(f: Freeze, at: Date): Date | undefined {
  if ('from' in f) {
    const from = pointInstant(f.from, f.zone, false);
    const to = pointInstant(f.to, f.zone, true);
    return from <= at && at < to ? to : undefined;
  }
  const w = wallClock(at, f.zone);
  const start = minuteOfWeek(f.weekly.fromDay, f.weekly.fromTime);
  const end = minuteOfWeek(f.weekly.toDay, f.weekly.toTime);
  const now = w.weekday * 1440 + w.hour * 60 + w.minute;
  const inside = start < end ? start <= now && now < end : now >= start || now < end;
  if (!inside) return undefined;
  // Count wall-clock days to the end and convert that local time: right across DST.
  const ahead = (end - now + WEEK_MIN) % WEEK_MIN;
  const dayOffset = Math.floor((w.hour * 60 + w.minute + ahead) / 1440);
  const day = new Date(Date.UTC(w.year, w.month - 1, w.day + dayOffset));
  const [h, mi] = f.weekly.toTime.split(':').map(Number);
  return zonedToInstant(
    {
      year: day.getUTCFullYear(),
      month: day.getUTCMonth() + 1,
      day: day.getUTCDate(),
      hour: h!,
      minute: mi!,
    },
    f.zone,
  );
}

function covers(f: Freeze, operation: string, cluster: string | undefined): boolean {
  const ops: readonly string[] = f.operations ?? DISRUPTIVE_OPERATIONS;
  if (!ops.includes(operation)) return false;
  // Without a cluster to compare, a cluster-specific freeze applies (fail safe).
  return !f.clusters || cluster === undefined || f.clusters.includes(cluster);
}

/** The first freeze that refuses `operation` (on `cluster`, if given) at `at`; undefined if none. */
export function activeFreeze(
  freezes: readonly Freeze[],
  operation: string,
  at: Date,
  cluster?: string,
): Freeze | undefined {
  return freezes.find((f) => covers(f, operation, cluster) && freezeEnd(f, at) !== undefined);
}

/**
 * Throws CHANGE_FREEZE when a freeze refuses the operation now. An emergency (break-glass)
 * request is not refused; the freeze it overrode is returned so the job can be flagged.
 */
export function checkFreeze(
  freezes: readonly Freeze[],
  operation: string,
  at: Date,
  opts: { cluster?: string; emergency?: boolean } = {},
): Freeze | undefined {
  const f = activeFreeze(freezes, operation, at, opts.cluster);
  if (!f || opts.emergency) return f;
  const until = freezeEnd(f, at)!;
  throw new HasfError(
    ErrorCode.CHANGE_FREEZE,
    `Change freeze "${f.name}" refuses ${operation} until ${until.toISOString()}; wait until then, or an admin can run it as an emergency with a reason.`,
    { freeze: f.name, operation, until: until.toISOString(), zone: f.zone },
  );
}
