import { EXIT_HELP } from './exit-codes.ts';
import type { OpIndexEntry } from './op-index.ts';
import { API_OPTIONS_HELP } from './parse.ts';
import { COMMANDS, type CommandEntry } from './registry.ts';

/** `hasf help`: every command by group, the connection options, the exit codes. */
export function mainHelp(ops: readonly OpIndexEntry[]): string {
  const rows: Array<[string, string, string]> = [
    ...ops.map((o): [string, string, string] => ['Operations', o.usage.replace(/^hasf /, '').replace(/ --reason TEXT.*$/, ' --reason TEXT'), `${o.summary} (${o.operation})`]),
    ...COMMANDS.map((c: CommandEntry): [string, string, string] => [c.group, c.synopsis, c.summary]),
  ];
  const groups = ['Operations', 'Jobs', 'Read', 'Admin', 'Processes'];
  const out = ['hasf — HASF Ops: safe, approved, audited operations on Pacemaker clusters.', '', 'Usage: hasf COMMAND [ARGS] [OPTIONS]    (hasf COMMAND --help for details)'];
  for (const g of groups) {
    out.push('', `${g}:`);
    for (const [, syn, sum] of rows.filter((r) => r[0] === g)) out.push(`  hasf ${syn}`, `      ${sum}`);
  }
  out.push(
    '',
    'Operation requests also take: --ticket ID, --cluster C, --dry-run (plan only), --emergency (admin break-glass), --follow',
    '',
    API_OPTIONS_HELP,
    '',
    'Environment: HASF_API_URL, HASF_TOKEN, HASF_CREDENTIALS (client); HASF_CONFIG and the config overrides',
    '  HASF_REDIS_URL, HASF_AUDIT_KEY, HASF_API_LISTEN, HASF_SLACK_*, HASF_CALLBACK_SECRET (processes).',
    '',
    EXIT_HELP,
  );
  return out.join('\n');
}
