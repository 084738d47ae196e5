/**
 * Plain-text output helpers: aligned tables, durations and ages. Pure functions over
 * strings so they are unit-tested without a terminal.
 */

/** Characters of a string as a terminal shows them (ANSI colour codes take no room). */
export function visibleLength(s: string): number {
  return [...s.replace(/\x1b\[[0-9;]*m/g, '')].length;
}

function pad(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - visibleLength(s)));
}

/**
 * An aligned table: a header row, then one row per entry; columns separated by two
 * spaces, the last column not padded (no trailing blanks). Cells may be undefined.
 *
 * @example table(['ID', 'STATE'], [['j1', 'queued']]) // "ID  STATE\nj1  queued"
 */
export function table(headers: string[], rows: Array<Array<string | number | undefined | null>>): string {
  const cells = [headers, ...rows.map((r) => headers.map((_, i) => (r[i] === undefined || r[i] === null ? '' : String(r[i]))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => visibleLength(r[i]!))));
  return cells
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : pad(c, widths[i]!))).join('  ').trimEnd())
    .join('\n');
}

/** `key: value` lines with the keys aligned; undefined values are left out. */
export function fields(entries: Array<[string, string | number | undefined | null]>): string {
  const shown = entries.filter(([, v]) => v !== undefined && v !== null && v !== '');
  const w = Math.max(0, ...shown.map(([k]) => k.length + 1));
  return shown.map(([k, v]) => `${pad(`${k}:`, w)} ${v}`).join('\n');
}

/** A duration for people: 850 ms, 12.3 s, 4 min 05 s, 2 h 10 min, 3 d 4 h. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}

/** How long ago an ISO time was, compactly: 5s, 3m, 2h, 4d (or "-" when absent or invalid). */
export function formatAge(iso: string | undefined, now: number = Date.now()): string {
  if (!iso) return '-';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '-';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/** An argv as one copy-pasteable shell line (quotes only where needed). */
export function shellLine(argv: readonly string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** Indent every line of `text` by `n` spaces. */
export function indent(text: string, n = 2): string {
  const p = ' '.repeat(n);
  return text
    .split('\n')
    .map((l) => (l ? p + l : l))
    .join('\n');
}

/** JSON for scripts: pretty, one trailing newline is added by the caller's println. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
