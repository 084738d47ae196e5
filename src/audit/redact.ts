/** What a redacted secret is replaced with. */
export const REDACTED = '[REDACTED]';

// Each rule keeps the label that says what was there (so an auditor still sees that a
// token was sent) and replaces only the secret itself.
const STRING_RULES: Array<[RegExp, string | ((m: string, ...g: string[]) => string)]> = [
  // PEM private keys, including a block cut off by an output excerpt (no END line).
  [
    /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g,
    `-----BEGIN $1PRIVATE KEY-----${REDACTED}-----END $1PRIVATE KEY-----`,
  ],
  // Authorization / Proxy-Authorization headers: everything to the end of the line.
  [/\b((?:proxy-)?authorization["']?\s*[:=]\s*)[^\r\n]*/gi, `$1${REDACTED}`],
  // Bearer credentials outside a header. Eight characters at least, so prose such as
  // "bearer of" is left alone; real tokens are far longer.
  [/\b(bearer)\s+[A-Za-z0-9\-._~+/]{8,}=*/gi, `$1 ${REDACTED}`],
  // tgt-admin CHAP lines: `incominguser NAME PASSWORD` (the name stays visible).
  [/\b((?:incoming|outgoing)user\s+\S+\s+)[^\s<>]+/gi, `$1${REDACTED}`],
  // HASF API tokens.
  [/\bhasf_[A-Za-z0-9_\-]{6,}/g, `hasf_${REDACTED}`],
  // Slack bot/user/app/config tokens.
  [/\bxox[abposr]-[A-Za-z0-9\-]+/g, REDACTED],
  [/\bxapp-[A-Za-z0-9\-]+/g, REDACTED],
  // Credentials inside URLs: scheme://user:password@host.
  [/(\b[a-z][a-z0-9+.\-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi, `$1${REDACTED}@`],
  // XML elements naming a secret in a name attribute: a CIB's <nvpair name="passwd"
  // value="…"/>, in either attribute order, single or double quotes.
  [/<[A-Za-z_][\w.:-]*\s[^<>]*>/g, (tag: string) => redactXmlTag(tag)],
  // key=value / key: value / "key": "value" for the usual secret-bearing names (also the
  // `passwd=…` of `crm_resource --query-xml`-less text dumps and pcs/crmsh output).
  [
    /\b((?:[A-Za-z0-9]+[_\-])*(?:password|passwd|passphrase|pwd|secret|token|api[_\-]?key|access[_\-]?key|private[_\-]?key|auth[_\-]?key|community|hexadecimal[_\-]?kg)["']?\s*[=:]\s*)("[^"\r\n]*"|'[^'\r\n]*'|[^\s,;&"'<>]+)/gi,
    // A quoted value keeps its quotes so JSON or shell text stays well-formed.
    (_m: string, label: string, v: string) => {
      const q = v[0] === '"' || v[0] === "'" ? v[0] : '';
      return `${label}${q}${REDACTED}${q}`;
    },
  ],
];

/**
 * True for a parameter name whose value is a credential: fence and resource agent
 * parameters as the CIB stores them (`passwd`, `password`, `pcmk_*_password`,
 * `snmp_priv_passwd`, `snmp_community`, `community`, `secret_key`, `key`, `ssh_key`,
 * `hexadecimal_kg` …). Broader than {@link isSecretKey}: a CIB name that only might be a
 * credential is redacted, because a leaked fence password is a cluster reboot away.
 */
export function isSecretName(name: string): boolean {
  const n = name.toLowerCase();
  return (
    /(pass(word|wd|phrase)?|pwd|secret|token|community|credentials?|hexadecimal[_-]?kg|(api|access|private|auth)[_-]?key)$/.test(n) ||
    /(^|[_-])(pass(word|wd)?|secret|key)([_-]|$)/.test(n)
  );
}

const ATTR = /(\s)([A-Za-z_][\w.:-]*)\s*=\s*("[^"]*"|'[^']*')/g;

/** One XML start tag with the `value` of a secret-named element (name="passwd") redacted. */
function redactXmlTag(tag: string): string {
  let named: string | undefined;
  for (const m of tag.matchAll(ATTR)) if (m[2] === 'name') named = m[3]!.slice(1, -1);
  if (named === undefined || !isSecretName(named)) return tag;
  return tag.replace(ATTR, (all, sp: string, attr: string, v: string) => (attr === 'value' ? `${sp}${attr}=${v[0]}${REDACTED}${v[0]}` : all));
}

/** Redact the secrets found in one string (tokens, keys, passwords, auth headers). */
export function redactString(s: string): string {
  let out = s;
  for (const [re, by] of STRING_RULES)
    out = typeof by === 'string' ? out.replace(re, by) : out.replace(re, by);
  return out;
}

/**
 * True for an object key whose value is a secret as a whole (`password`, `botToken`,
 * `client_secret`, `Authorization`, …) but not for keys that merely mention one
 * (`tokenId`, `tokenName`, `secretRef` stay visible: auditors need them).
 */
export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[_\-\s]/g, '');
  return (
    /(password|passwd|passphrase|secret|token|apikey|privatekey)$/.test(k) ||
    k === 'pwd' ||
    k === 'authorization' ||
    k === 'proxyauthorization' ||
    k === 'cookie' ||
    k === 'setcookie'
  );
}

/**
 * A deep copy of `value` with secrets replaced by `[REDACTED]`: every string is scanned
 * (bearer tokens, `hasf_` API tokens, Slack tokens, PEM private key blocks, `password=`,
 * `passwd:`, `secret=`, `token=`, Authorization headers, URL credentials) and the whole
 * value of a secret-named key is replaced. Pure: the input is not modified.
 *
 * @example redact({ out: 'token=abc ok', password: 'x' }) // { out: 'token=[REDACTED] ok', password: '[REDACTED]' }
 */
export function redact<T>(value: T): T {
  return walk(value, new WeakSet()) as T;
}

function walk(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Circular]';
  if (Array.isArray(value)) {
    seen.add(value);
    const out = value.map((v) => walk(v, seen));
    seen.delete(value);
    return out;
  }
  // Dates, Buffers and other class instances are serialised by their toJSON; redact that form.
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    const j = (value as { toJSON?: () => unknown }).toJSON;
    return typeof j === 'function' ? walk(j.call(value), seen) : value;
  }
  seen.add(value);
  const out: Record<string, unknown> = {};
  // {name: "passwd", value: "…"}: how pcs and crm_mon's JSON-ish shapes carry parameters.
  const o = value as Record<string, unknown>;
  const namedSecret = typeof o.name === 'string' && typeof o.value === 'string' && isSecretName(o.name);
  for (const [k, v] of Object.entries(value)) {
    const redacted =
      (namedSecret && k === 'value') ||
      (isSecretKey(k) && v !== null && v !== undefined && typeof v !== 'object' && typeof v !== 'boolean');
    // defineProperty, not assignment: a `__proto__` key is data here, not a prototype.
    Object.defineProperty(out, k, { value: redacted ? REDACTED : walk(v, seen), enumerable: true, writable: true, configurable: true });
  }
  seen.delete(value);
  return out;
}
