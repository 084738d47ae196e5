/** Wall-clock fields of an instant in some IANA time zone. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Monday … 6 = Sunday. */
  weekday: number;
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    // hourCycle h23: with hour12:false some ICU versions print midnight as "24".
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** True when `zone` is an IANA time zone this runtime knows (e.g. `Europe/Berlin`). */
export function isValidZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time in `zone` at instant `at` (from the runtime's tz database via Intl). */
export function wallClock(at: Date, zone: string): WallClock {
  const parts: Record<string, string> = {};
  for (const p of formatter(zone).formatToParts(at)) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS.indexOf(parts.weekday ?? ''),
  };
}

// Zone offset (local minus UTC) in ms at an instant.
function offsetAt(ms: number, zone: string): number {
  const w = wallClock(new Date(ms), zone);
  return (
    Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(ms / 1000) * 1000
  );
}

/**
 * The instant a wall-clock time in `zone` denotes. In the autumn overlap (the hour that
 * happens twice) it is the first occurrence; in the spring gap (an hour that never
 * happens) it is the same distance past the gap's start, as a clock set forward reads.
 */
export function zonedToInstant(
  w: Pick<WallClock, 'year' | 'month' | 'day' | 'hour' | 'minute'> & { second?: number },
  zone: string,
): Date {
  const local = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second ?? 0);
  // Zones change offset at most once a day, so the offsets a day either side bracket it.
  const before = offsetAt(local - 86_400_000, zone);
  const after = offsetAt(local + 86_400_000, zone);
  const matches = [local - before, local - after].filter((t) => offsetAt(t, zone) === local - t);
  if (matches.length) return new Date(Math.min(...matches));
  return new Date(local - before);
}
