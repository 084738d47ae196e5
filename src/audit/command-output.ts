import { redactString } from './redact.ts';

/** How many characters of a command's output a step log or audit record keeps. */
export const KEPT_OUTPUT_CHARS = 2000;

// A whole CIB (cibadmin -Q, a CIB file read back): its root element, after an optional
// XML declaration and comments.
const CIB_DOCUMENT = /^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<cib[\s>]/;

/** True when `text` is a whole CIB document (what `cibadmin -Q` prints). */
export function isCibDocument(text: string): boolean {
  return CIB_DOCUMENT.test(text);
}

/** First and last part of a long text, with how much was cut in between. */
export function excerpt(s: string, max = KEPT_OUTPUT_CHARS): string {
  if (s.length <= max) return s;
  const half = Math.floor(max / 2);
  return `${s.slice(0, half)}\n… (${s.length - max} characters cut) …\n${s.slice(-half)}`;
}

/**
 * What may be kept of a command's output (step logs, audit records, Slack, callbacks).
 * A whole CIB is never kept: it holds every fence device's credentials, and any agent
 * may name its password in a way no rule knows; only its size is noted. Everything else
 * is redacted (secret-named nvpairs in XML, `passwd=…`, tokens, keys) BEFORE it is cut,
 * so a cut can never split a secret away from the name that marks it.
 *
 * @example keptOutput('<cib epoch="3">…</cib>', '') // '[CIB document, 23456 bytes: not kept …]'
 */
export function keptOutput(stdout: string, stderr = '', max = KEPT_OUTPUT_CHARS): string {
  const out = isCibDocument(stdout)
    ? `[CIB document, ${Buffer.byteLength(stdout)} bytes: not kept, a CIB holds fence device credentials]`
    : redactString(stdout);
  return excerpt(`${out}${stderr ? `\n[stderr]\n${redactString(stderr)}` : ''}`, max);
}
