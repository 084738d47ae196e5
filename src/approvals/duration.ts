import { z } from 'zod';

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 } as const;
const DURATION_RE = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** Milliseconds of `'4h'`, `'90m'`, `'1d12h'`, `'30s'`; undefined when not of that form. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION_RE.exec(text.trim());
  if (!m || text.trim() === '') return undefined;
  const [, d, h, mi, s] = m;
  return (
    Number(d ?? 0) * UNIT_MS.d +
    Number(h ?? 0) * UNIT_MS.h +
    Number(mi ?? 0) * UNIT_MS.m +
    Number(s ?? 0) * UNIT_MS.s
  );
}

/** A positive duration: milliseconds, or text like `'4h'` / `'1d12h'` / `'30m'`; parsed to ms. */
export const durationSchema = z
  .union([z.number().int().positive(), z.string()])
  .transform((v, ctx) => {
    const ms = typeof v === 'number' ? v : parseDuration(v);
    if (ms === undefined || ms <= 0) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `"${v}" is not a duration; write e.g. 4h, 30m, 1d12h or a number of milliseconds`,
      });
      return z.NEVER;
    }
    return ms;
  });
