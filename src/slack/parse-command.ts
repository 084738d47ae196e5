import { HasfError } from '../errors/index.ts';
import type { OperationName } from '../jobs/types.ts';
import { closest, editDistance } from '../util/closest.ts';
import { commandWords, OPERATION_COMMANDS, OTHER_COMMANDS, REQUEST_FLAGS, type FlagSpec, type OperationCommand } from './command-spec.ts';
import { tokenize, type Token } from './tokenize.ts';

/** A job request as typed in Slack, ready for JobService.submit. */
export interface RequestCommand {
  kind: 'request';
  operation: OperationName;
  params: Record<string, unknown>;
  reason: string;
  ticket?: string;
  cluster?: string;
  dryRun: boolean;
  emergency: boolean;
  usage: string;
}

/** What `/hasf <text>` asks for. */
export type SlackCommand =
  | { kind: 'help'; topic?: string }
  | { kind: 'status'; cluster?: string }
  | { kind: 'check'; cluster?: string }
  | RequestCommand
  | { kind: 'jobs'; filter: 'mine' | 'pending' | 'recent' }
  | { kind: 'job'; id: string }
  | { kind: 'approve'; id: string; comment?: string }
  | { kind: 'reject'; id: string; reason?: string }
  | { kind: 'cancel'; id: string; reason?: string }
  | { kind: 'pause' | 'resume' | 'abort'; id: string; comment?: string };

const TICKET = /^[A-Za-z0-9][A-Za-z0-9._:#/-]{0,63}$/;
const MAX_REASON = 500;

const bad = (message: string, usage: string, extra: Record<string, unknown> = {}) => new HasfError('INVALID_INPUT', `${message} Usage: ${usage}`, { usage, ...extra });

const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Split flags (`--name value`, `--name=value`, switches) from positional words. */
function splitFlags(tokens: Token[], known: readonly FlagSpec[], usage: string): { positionals: string[]; flags: Map<string, string | true> } {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.quoted || !t.value.startsWith('--') || t.value === '--') {
      positionals.push(t.value);
      continue;
    }
    const eq = t.value.indexOf('=');
    const name = (eq > 0 ? t.value.slice(2, eq) : t.value.slice(2)).toLowerCase();
    const spec = known.find((f) => f.name === name);
    if (!spec) {
      const near = closest(name, known.map((f) => f.name));
      throw bad(`Unknown option --${name}${near.length ? `; did you mean ${near.map((n) => `--${n}`).join(', ')}?` : '.'}`, usage, { field: name, closest: near.map((n) => `--${n}`) });
    }
    if (flags.has(name)) throw bad(`--${name} is given twice.`, usage, { field: name });
    if (!spec.value) {
      if (eq > 0) throw bad(`--${name} is a switch and takes no value.`, usage, { field: name });
      flags.set(name, true);
      continue;
    }
    let value: string | undefined = eq > 0 ? t.value.slice(eq + 1) : undefined;
    if (value === undefined) {
      const next = tokens[i + 1];
      if (!next || (!next.quoted && next.value.startsWith('--'))) throw bad(`--${name} needs a value (--${name} ${spec.value}).`, usage, { field: name });
      value = next.value;
      i++;
    }
    flags.set(name, value);
  }
  return { positionals, flags };
}

const SIZE = /^(\d+)\s*(m|mb|mib|g|gb|gib|t|tb|tib)?$/i;

/** "10G" → 10240 (MiB); plain numbers are MiB. */
export function parseSizeMiB(text: string): number | undefined {
  const m = SIZE.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? 'm')[0]!.toLowerCase();
  return unit === 't' ? n * 1024 * 1024 : unit === 'g' ? n * 1024 : n;
}

type Prop = { type?: string; enum?: string[]; items?: Prop };

/** A positional word into the param its placeholder names (`path|sizeMiB` picks by type). */
function assignPositional(cmd: OperationCommand, placeholder: string, word: string, params: Record<string, unknown>): void {
  const props = ((cmd.def.paramsSchema as { properties?: Record<string, Prop> }).properties ?? {}) as Record<string, Prop>;
  // Typed alternatives first: in <path|sizeMiB>, "512" is a size, "/srv/a.img" a path.
  const numeric = (a: string) => props[a]?.type === 'integer' || props[a]?.type === 'number';
  const alternatives = placeholder.split('|').sort((a, b) => Number(numeric(b)) - Number(numeric(a)));
  for (const alt of alternatives) {
    const type = props[alt]?.type;
    if (type === 'integer' || type === 'number') {
      const n = /mib$/i.test(alt) ? parseSizeMiB(word) : /^\d+$/.test(word) ? Number(word) : undefined;
      if (n !== undefined) {
        params[alt] = n;
        return;
      }
      continue;
    }
    params[alt] = word;
    return;
  }
  throw bad(`"${word}" is not a valid <${placeholder}>.`, cmd.usage, { field: placeholder });
}

/** An operation flag into params: `--allow-restart` → allowRestart: true, `--off` → action: 'off', `--lun 3` → lun: 3. */
function assignFlag(cmd: OperationCommand, name: string, value: string | true, params: Record<string, unknown>): void {
  const props = ((cmd.def.paramsSchema as { properties?: Record<string, Prop> }).properties ?? {}) as Record<string, Prop>;
  const key = camel(name);
  const prop = props[key];
  if (prop) {
    if (prop.type === 'integer' || prop.type === 'number') {
      if (value === true || !/^-?\d+$/.test(value)) throw bad(`--${name} needs a whole number.`, cmd.usage, { field: name });
      params[key] = Number(value);
    } else if (prop.type === 'array') {
      // A list as one word: --nodes node1,node2 (the schema checks each item).
      if (value === true) throw bad(`--${name} needs a comma-separated list.`, cmd.usage, { field: name });
      params[key] = value.split(',').map((v) => v.trim()).filter(Boolean);
    } else params[key] = value;
    return;
  }
  // A switch naming an enum value of some property: --off sets action: 'off'.
  const owner = Object.entries(props).find(([, p]) => p.enum?.includes(name));
  if (owner && value === true) {
    params[owner[0]] = name;
    return;
  }
  throw bad(`--${name} is not understood by this command.`, cmd.usage, { field: name });
}

function parseRequest(cmd: OperationCommand, rest: Token[]): RequestCommand {
  const { positionals, flags } = splitFlags(rest, [...cmd.flags, ...REQUEST_FLAGS], cmd.usage);
  if (positionals.length < cmd.positionals.length) {
    const missing = cmd.positionals.slice(positionals.length).map((p) => `<${p}>`).join(' ');
    throw bad(`Missing ${missing}.`, cmd.usage, { missing });
  }
  if (positionals.length > cmd.positionals.length) {
    const extra = positionals.slice(cmd.positionals.length);
    throw bad(`Unexpected "${extra.join(' ')}"; quote text with spaces, e.g. --reason "disk swap".`, cmd.usage, { extra });
  }
  const params: Record<string, unknown> = {};
  cmd.positionals.forEach((p, i) => assignPositional(cmd, p, positionals[i]!, params));
  for (const [name, value] of flags) {
    if (REQUEST_FLAGS.some((f) => f.name === name)) continue;
    assignFlag(cmd, name, value, params);
  }
  const reason = typeof flags.get('reason') === 'string' ? String(flags.get('reason')).trim() : '';
  if (reason.length > MAX_REASON) throw bad(`The reason is ${reason.length} characters; keep it under ${MAX_REASON}.`, cmd.usage, { field: 'reason' });
  const ticket = flags.get('ticket');
  if (typeof ticket === 'string' && !TICKET.test(ticket)) {
    throw bad(`"${ticket.slice(0, 40)}" is not a ticket reference; use letters, digits and . _ : # / - (e.g. CHG0012345).`, cmd.usage, { field: 'ticket' });
  }
  const cluster = flags.get('cluster');
  return {
    kind: 'request',
    operation: cmd.operation,
    params,
    reason,
    ticket: typeof ticket === 'string' ? ticket : undefined,
    cluster: typeof cluster === 'string' ? cluster : undefined,
    dryRun: flags.get('dry-run') === true,
    emergency: flags.get('emergency') === true,
    usage: cmd.usage,
  };
}

function jobId(word: string | undefined, usage: string): string {
  if (!word) throw bad('Missing the job id (it looks like j5kq1z7c2a9f).', usage);
  return word;
}

/**
 * Parse the text of `/hasf …` into a command. Pure: throws HasfError (INVALID_INPUT or
 * UNKNOWN_OPERATION) whose message says what is wrong and how to write it.
 *
 * @example parseCommand('fence node3 --off --reason "hung"') // { kind: 'request', operation: 'node.fence', params: { node: 'node3', action: 'off' }, … }
 */
export function parseCommand(text: string): SlackCommand {
  const tokens = tokenize(text);
  const first = tokens[0]?.value.toLowerCase();
  if (first === undefined || first === 'help' || first === '-h' || first === '--help') return { kind: 'help', topic: tokens.slice(1).map((t) => t.value).join(' ') || undefined };
  const usageOf = (w: string) => OTHER_COMMANDS.find((c) => c.word === w)!.usage;
  const words = tokens.map((t) => t.value);
  switch (first) {
    case 'status':
    case 'check': {
      const { positionals, flags } = splitFlags(tokens.slice(1), [{ name: 'cluster', value: 'NAME' }], usageOf(first));
      if (positionals.length > 1) throw bad(`Unexpected "${positionals.slice(1).join(' ')}".`, usageOf(first));
      const c = positionals[0] ?? (flags.get('cluster') as string | undefined);
      return { kind: first, cluster: c };
    }
    case 'jobs': {
      const f = (words[1] ?? 'recent').toLowerCase();
      if (f !== 'mine' && f !== 'pending' && f !== 'recent') throw bad(`"${words[1]}" is not a job filter; use mine or pending.`, usageOf('jobs'));
      return { kind: 'jobs', filter: f };
    }
    case 'job':
      if (words.length > 2) throw bad(`Unexpected "${words.slice(2).join(' ')}".`, usageOf('job'));
      return { kind: 'job', id: jobId(words[1], usageOf('job')) };
    case 'approve':
    case 'reject':
    case 'cancel':
    case 'pause':
    case 'resume':
    case 'abort': {
      const { positionals, flags } = splitFlags(tokens.slice(1), [{ name: 'reason', value: '"..."' }], usageOf(first));
      const id = jobId(positionals[0], usageOf(first));
      const note = (typeof flags.get('reason') === 'string' ? String(flags.get('reason')) : positionals.slice(1).join(' ')).trim() || undefined;
      if (note && note.length > MAX_REASON) throw bad(`The text is ${note.length} characters; keep it under ${MAX_REASON}.`, usageOf(first));
      if (first === 'approve') return { kind: 'approve', id, comment: note };
      if (first === 'reject') return { kind: 'reject', id, reason: note };
      if (first === 'pause' || first === 'resume' || first === 'abort') return { kind: first, id, comment: note };
      return { kind: 'cancel', id, reason: note };
    }
  }
  // Operations: longest word sequence first (`lun add` before a hypothetical `lun`).
  const byLength = [...OPERATION_COMMANDS].sort((a, b) => b.words.length - a.words.length);
  for (const cmd of byLength) {
    const n = cmd.words.length;
    if (words.length >= n && cmd.words.every((w, i) => words[i]!.toLowerCase() === w)) return parseRequest(cmd, tokens.slice(n));
  }
  // A known first word with a wrong second (`lun ad`): suggest the full command.
  const partial = OPERATION_COMMANDS.filter((c) => c.words.length > 1 && c.words[0] === first);
  const typed = partial.length ? words.slice(0, partial[0]!.words.length).join(' ').toLowerCase() : first;
  // Only the best matches: "migrat" means migrate, not every short word within reach (abort).
  const all = closest(typed, commandWords());
  const best = all.length ? editDistance(typed.toLowerCase(), all[0]!) : 0;
  const near = all.filter((n) => editDistance(typed.toLowerCase(), n) <= best + 1);
  throw new HasfError(
    'UNKNOWN_OPERATION',
    `Unknown command "${typed}"${near.length ? `; did you mean ${near.map((n) => `/hasf ${n}`).join(' or ')}?` : ''} See /hasf help for every command.`,
    { command: typed, closest: near, usage: '/hasf help' },
  );
}
