import { HasfError } from '../errors/index.ts';

/** One word of a command line; `quoted` words are never flags ("--x" stays text). */
export interface Token {
  value: string;
  quoted: boolean;
}

// Slack clients turn straight quotes into typographic ones as people type; both count.
const OPEN_CLOSE: Record<string, string> = { '"': '"', "'": "'", '\u201c': '\u201d', '\u201d': '\u201d', '\u2018': '\u2019', '\u2019': '\u2019' };

/** Undo Slack's escaping of the command text (it sends &amp; &lt; &gt;). */
export function unescapeSlack(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/**
 * Split a slash command's text into words, shell-like: whitespace separates, "…" and '…'
 * (straight or typographic) group, a backslash escapes the next character. Pure.
 *
 * @example tokenize('migrate vm1 node2 --reason "disk swap"') // 5 tokens, the last 'disk swap'
 */
export function tokenize(input: string): Token[] {
  const text = unescapeSlack(input);
  const out: Token[] = [];
  let cur = '';
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      cur += text[++i];
      inWord = true;
      continue;
    }
    const close = OPEN_CLOSE[ch];
    // A single quote inside a word is an apostrophe ("don't"), not the start of a string.
    const single = ch === "'" || ch === '\u2018' || ch === '\u2019';
    if (close !== undefined && (!single || !inWord || cur.endsWith('='))) {
      const start = i;
      let j = i + 1;
      let seg = '';
      while (j < text.length && text[j] !== close && !(close === '\u201d' && text[j] === '"') && !(close === '"' && text[j] === '\u201d')) {
        if (text[j] === '\\' && j + 1 < text.length && close === '"') j++;
        seg += text[j];
        j++;
      }
      if (j >= text.length) {
        throw new HasfError('INVALID_INPUT', `The quote opened at character ${start + 1} is never closed; close it, e.g. --reason "disk swap".`, { position: start + 1 });
      }
      cur += seg;
      inWord = true;
      quoted = true;
      i = j;
      continue;
    }
    if (/\s/.test(ch)) {
      if (inWord) out.push({ value: cur, quoted });
      cur = '';
      inWord = false;
      quoted = false;
      continue;
    }
    cur += ch;
    inWord = true;
  }
  if (inWord) out.push({ value: cur, quoted });
  return out;
}
