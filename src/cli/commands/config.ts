import { checkConfigFile } from '../check/index.ts';
import { configPath } from '../config-path.ts';
import { UsageError } from '../errors.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { toJson } from '../output.ts';
import { parseCommand, str } from '../parse.ts';

const USAGE = 'hasf config check [--config FILE] [--offline] [--timeout MS] [--json]';

/** Help of `hasf config`. */
export const CONFIG_HELP = `Check a configuration before starting anything with it.

Usage: ${USAGE}
  --config FILE   the configuration (default $HASF_CONFIG, ./hasf.yaml, var/demo/hasf.yaml)
  --offline       only the file: no Redis PING, no SSH login
  --timeout MS    per live check (default 3000)
  --json          the report as JSON

Reports unknown keys (with the closest known one), wrong types, missing secrets, hosts
without a pinned host key, missing key files, then tries Redis (PING) and an SSH login
to every pinned host. Each problem names its key and the fix. Exit 1 when any error is
found (warnings alone exit 0). Environment overrides (HASF_REDIS_URL, HASF_AUDIT_KEY, …)
apply as they do at start-up.`;

/** `hasf config check`. */
export async function configCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(argv, { config: { type: 'string', short: 'c' }, offline: { type: 'boolean' }, timeout: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, USAGE);
  if (values.help) return io.out(CONFIG_HELP), EXIT.OK;
  if (positionals[0] !== 'check' || positionals.length !== 1) throw new UsageError(`Usage: ${USAGE}`);
  const timeout = str(values, 'timeout');
  if (timeout !== undefined && !/^\d+$/.test(timeout)) throw new UsageError(`--timeout ${timeout}: a number of milliseconds.`);
  const file = configPath(str(values, 'config'), io);
  const report = await checkConfigFile(file, { env: io.env, offline: !!values.offline, timeoutMs: timeout ? Number(timeout) : undefined });
  if (values.json) {
    io.out(toJson(report));
    return report.ok ? EXIT.OK : EXIT.FAILED;
  }
  for (const c of report.passed) io.out(`ok       ${c.what}: ${c.detail}`);
  for (const p of report.problems) {
    const where = p.file === file ? '' : `${p.file}: `;
    io.out(`${p.severity === 'error' ? 'ERROR  ' : 'warning'}  ${where}${p.key}: ${p.problem}\n         fix: ${p.fix}`);
  }
  const errors = report.problems.filter((p) => p.severity === 'error').length;
  const warnings = report.problems.length - errors;
  io.out(report.ok ? `${file}: OK${warnings ? ` (${warnings} warning(s))` : ''}${values.offline ? ' (offline: nothing contacted)' : ''}.` : `${file}: ${errors} error(s), ${warnings} warning(s).`);
  return report.ok ? EXIT.OK : EXIT.FAILED;
}
