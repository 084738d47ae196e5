/** One problem crm_verify reported. */
export interface VerifyMessage {
  level: 'error' | 'warning';
  message: string;
}

/** What `crm_verify -L -V` found in the live configuration. */
export interface VerifyResult {
  /** 0: valid. Non-zero with errors: the cluster cannot work as configured. */
  exitCode: number;
  messages: VerifyMessage[];
}

// The tool's closing summary lines repeat what the messages said.
const SUMMARY = /(Errors|Warnings) found during check|-V may provide more details/i;

/**
 * Parse crm_verify's messages (stderr): 2.x `(func) \terror: text`, 1.x
 * `crm_verify[123]: … ERROR: func: text` / `WARN: …`, plain `warning: text`. Duplicates,
 * which the scheduler prints once per pass, are kept once.
 */
export function parseCrmVerify(exitCode: number, stdout: string, stderr: string): VerifyResult {
  const seen = new Set<string>();
  const messages: VerifyMessage[] = [];
  for (const line of `${stderr}\n${stdout}`.split('\n')) {
    if (SUMMARY.test(line)) continue;
    const m = /\b(error|warning|warn|crit)\s*:\s*(?:[a-z_]+:\s+)?(.+)$/i.exec(line);
    if (!m) continue;
    const level = /^(error|crit)$/i.test(m[1]!) ? 'error' : 'warning';
    const message = m[2]!.trim();
    const key = `${level}:${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    messages.push({ level, message });
  }
  return { exitCode, messages };
}
