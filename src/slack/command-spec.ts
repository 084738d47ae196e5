import { OPERATIONS } from '../operations/index.ts';
import type { AnyOperation } from '../operations/index.ts';
import type { OperationName } from '../jobs/types.ts';

/** A flag an operation's usage line declares, e.g. `[--lun N]` or `[--off]`. */
export interface FlagSpec {
  name: string;
  /** Placeholder of its value (`N`), or undefined for a switch. */
  value?: string;
}

/** How `/hasf …` spells one operation, read from its `usage` line in the catalogue. */
export interface OperationCommand {
  operation: OperationName;
  /** Words after /hasf: ['migrate'] or ['lun', 'add']. */
  words: string[];
  /** Positional placeholders: ['vm', 'node'], ['target', 'path|sizeMiB']. */
  positionals: string[];
  /** Operation-specific flags (request flags like --reason are common to all). */
  flags: FlagSpec[];
  usage: string;
  def: AnyOperation;
}

/** Flags every request takes, whatever the operation. */
export const REQUEST_FLAGS: readonly FlagSpec[] = [
  { name: 'reason', value: '"..."' },
  { name: 'ticket', value: 'CHG123' },
  { name: 'cluster', value: 'NAME' },
  { name: 'dry-run' },
  { name: 'emergency' },
];

/** Parse one usage line, e.g. `/hasf lun add <target> <path|sizeMiB> [--lun N] [--dry-run]`. */
export function parseUsage(def: AnyOperation): OperationCommand {
  const parts = def.usage.replace(/^\/\S+\s*/, '').match(/\[[^\]]*\]|<[^>]*>|\S+/g) ?? [];
  const words: string[] = [];
  const positionals: string[] = [];
  const flags: FlagSpec[] = [];
  for (const p of parts) {
    if (p.startsWith('<')) positionals.push(p.slice(1, -1));
    else if (p.startsWith('[')) {
      const m = /^\[--([a-z0-9-]+)(?:[ =](.+))?\]$/.exec(p);
      if (m && !REQUEST_FLAGS.some((f) => f.name === m[1])) flags.push({ name: m[1]!, value: m[2] });
    } else if (positionals.length === 0) words.push(p);
  }
  return { operation: def.name, words, positionals, flags, usage: def.usage, def };
}

/** Every operation's command, from the one catalogue (never a second hand-written list). */
export const OPERATION_COMMANDS: readonly OperationCommand[] = Object.values(OPERATIONS).map(parseUsage);

/** Commands that are not operations: reading and deciding. */
export const OTHER_COMMANDS = [
  { word: 'help', usage: '/hasf help [command]', summary: 'This help, or the usage of one command.' },
  { word: 'status', usage: '/hasf status [cluster]', summary: 'Nodes and resources; failed resources, standby nodes and leftover move constraints highlighted.' },
  { word: 'check', usage: '/hasf check [cluster]', summary: 'Health check: crm_verify, quorum, fencing, clocks, names, links, failures, leftovers, maintenance — each finding with its fix.' },
  { word: 'jobs', usage: '/hasf jobs [mine|pending]', summary: 'Recent jobs, yours, or those awaiting approval.' },
  { word: 'job', usage: '/hasf job <id>', summary: 'One job: plan, approvals, steps and result.' },
  { word: 'approve', usage: '/hasf approve <id> [comment]', summary: 'Approve a job (approvers; never your own).' },
  { word: 'reject', usage: '/hasf reject <id> [reason]', summary: 'Reject a job; one rejection ends the request.' },
  { word: 'cancel', usage: '/hasf cancel <id>', summary: 'Cancel a job that has not started (requester, approvers, admins).' },
  { word: 'pause', usage: '/hasf pause <id> [comment]', summary: 'Pause a rolling job once the node in progress is done (requester, approvers, admins).' },
  { word: 'resume', usage: '/hasf resume <id>', summary: 'Resume a paused rolling job: it goes on with its next node.' },
  { word: 'abort', usage: '/hasf abort <id> [comment]', summary: 'Abort a rolling job once the node in progress is done; the nodes not done stay untouched.' },
] as const;

/** The first word of every command, for "did you mean". */
export function commandWords(): string[] {
  return [...new Set([...OTHER_COMMANDS.map((c) => c.word), ...OPERATION_COMMANDS.map((c) => c.words.join(' '))])];
}
