/**
 * HTML built from tagged templates: every interpolated value is escaped unless it is
 * already {@link Html} (made by `html` itself). Cluster- and user-provided strings
 * (resource ids from a CIB, reasons, tickets, command output) can only reach a page
 * through here, so they always arrive as text.
 *
 * @example
 * html`<td>${job.reason}</td>`            // "<img …>" becomes "&lt;img …&gt;"
 * html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>`
 */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escape text for an element body or a quoted attribute value. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** What may be interpolated: text (escaped), numbers, Html, lists of these; nothing for null/undefined/false. */
export type Part = Html | string | number | boolean | null | undefined | readonly Part[];

function render(p: Part): string {
  if (p === null || p === undefined || p === false || p === true) return '';
  if (p instanceof Html) return p.text;
  if (Array.isArray(p)) return p.map(render).join('');
  return esc(p);
}

/** The tagged template: literal parts as written, interpolations escaped. */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new Html(out);
}

/** Join parts with a separator (escaped like any other part). */
export function join(parts: readonly Part[], sep: Part = ''): Html {
  return new Html(parts.map(render).join(render(sep)));
}
