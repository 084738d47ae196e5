import { parse as parseQuery } from 'node:querystring';

/**
 * The body as Bolt expects it: form fields of a slash command, the JSON of an
 * interaction's `payload=` field, or an Events API JSON document. Pure; throws on bad JSON.
 */
export function parseSlackBody(rawBody: string, contentType: string | undefined): Record<string, unknown> {
  if ((contentType ?? '').includes('application/json')) return JSON.parse(rawBody) as Record<string, unknown>;
  const form = parseQuery(rawBody);
  if (typeof form.payload === 'string') return JSON.parse(form.payload) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(form).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
}
