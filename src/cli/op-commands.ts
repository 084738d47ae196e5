import type { OperationName } from '../jobs/types.ts';
import { OPERATIONS } from '../operations/index.ts';
import type { AnyOperation } from '../operations/index.ts';
import { UsageError } from './errors.ts';

/** How one `<positional>` of an operation's usage maps to params: the first candidate that accepts the value wins. */
export interface OpPositional {
  /** The usage word, e.g. `path|sizeMiB`. */
  label: string;
  /** Param names it may fill, in order of preference. */
  params: string[];
}

/** How one `--flag` of an operation's usage maps to params. */
export interface OpFlag {
  /** Option name without dashes, e.g. `allow-restart`. */
  flag: string;
  /** The param it sets. */
  param: string;
  /** boolean: the flag alone sets true; value: takes an argument; enum: sets `param` to `value`. */
  kind: 'boolean' | 'value' | 'enum';
  value?: string;
  /** The value's placeholder in help, from the usage line (`N` of `[--lun N]`). */
  placeholder?: string;
}

/** A CLI command generated from one catalogue operation (`hasf migrate …`, `hasf lun add …`). */
export interface OpCommand {
  /** Command words, e.g. ['migrate'] or ['lun', 'add']. */
  words: string[];
  operation: OperationName;
  summary: string;
  positionals: OpPositional[];
  flags: OpFlag[];
  /** The CLI usage line. */
  usage: string;
}

// Every request takes these; the operation's usage lists some of them too.
const REQUEST_FLAGS = new Set(['reason', 'ticket', 'dry-run', 'cluster', 'emergency', 'callback-url']);

type Prop = { type?: string; enum?: string[]; pattern?: string; minimum?: number; maximum?: number; items?: Prop };

const camel = (kebab: string) => kebab.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Derive the CLI command of an operation from its catalogue entry: the words and the
 * `<positionals>` and `[--flags]` of its usage line, matched against its params schema.
 * Throws when the usage names something the schema lacks (caught by a unit test).
 */
export function opCommandOf(op: AnyOperation): OpCommand {
  const tokens = op.usage.replace(/^\/hasf\s+/, '').match(/<[^>]+>|\[[^\]]+\]|\S+/g) ?? [];
  const props = ((op.paramsSchema as { properties?: Record<string, Prop> }).properties ?? {}) as Record<string, Prop>;
  const words: string[] = [];
  const positionals: OpPositional[] = [];
  const flags: OpFlag[] = [];
  for (const t of tokens) {
    if (t.startsWith('<')) {
      const label = t.slice(1, -1);
      const params = label.split('|');
      for (const p of params) if (!props[p]) throw new Error(`${op.name}: usage positional <${label}> names no param "${p}"`);
      positionals.push({ label, params });
    } else if (t.startsWith('[')) {
      const m = /^\[--([a-z][a-z0-9-]*)(?:\s+(.+))?\]$/.exec(t);
      if (!m) continue;
      const flag = m[1]!;
      if (REQUEST_FLAGS.has(flag)) continue;
      const param = camel(flag);
      if (props[param]) {
        flags.push({ flag, param, kind: props[param].type === 'boolean' ? 'boolean' : 'value', placeholder: m[2] ?? param.toUpperCase() });
        continue;
      }
      // `--off` sets action: 'off' — a flag named after an enum value of one param.
      const owner = Object.entries(props).find(([, p]) => p.enum?.includes(flag));
      if (!owner) throw new Error(`${op.name}: usage flag --${flag} matches no param`);
      flags.push({ flag, param: owner[0], kind: 'enum', value: flag });
    } else if (positionals.length === 0) {
      words.push(t);
    }
  }
  const usage = [
    'hasf',
    ...words,
    ...positionals.map((p) => p.label.toUpperCase().replace('SIZEMIB', 'SIZE')),
    ...flags.map((f) => (f.kind === 'value' ? `[--${f.flag} ${f.placeholder}]` : `[--${f.flag}]`)),
    '--reason TEXT [--ticket ID] [--cluster C] [--dry-run] [--emergency] [--follow]',
  ].join(' ');
  return { words, operation: op.name, summary: op.summary, positionals, flags, usage };
}

/** The CLI commands of every catalogue operation. */
export function opCommands(): OpCommand[] {
  return Object.values(OPERATIONS).map(opCommandOf);
}

/**
 * The text of src/cli/op-index.json: each command's words, operation, usage and summary, in
 * catalogue order. `npm run gen:api` writes it; test/unit/cli-op-index.test.ts compares.
 */
export function opIndexSource(): string {
  const rows = opCommands().map(({ words, operation, usage, summary }) => `  ${JSON.stringify({ words, operation, usage, summary })}`);
  return `[\n${rows.join(',\n')}\n]\n`;
}

/** The operation command whose words start `argv`, and how many words it used. */
export function findOpCommand(argv: string[]): { cmd: OpCommand; used: number } | undefined {
  for (const cmd of opCommands()) {
    if (cmd.words.every((w, i) => argv[i] === w)) return { cmd, used: cmd.words.length };
  }
  return undefined;
}

const SIZE_UNITS: Record<string, number> = { '': 1, m: 1, mb: 1, mib: 1, g: 1024, gb: 1024, gib: 1024, t: 1024 * 1024, tb: 1024 * 1024, tib: 1024 * 1024 };

/** MiB of a size like `512`, `512M`, `10G`, `1TiB` (binary units); undefined when not a size. */
export function parseSizeMiB(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(text.trim());
  if (!m) return undefined;
  const unit = SIZE_UNITS[m[2]!.toLowerCase()];
  if (unit === undefined) return undefined;
  const mib = Number(m[1]) * unit;
  return Number.isInteger(mib) && mib > 0 ? mib : undefined;
}

/** The value of `text` for a param, or undefined when this param can't take it. */
function coerce(param: string, prop: Prop, text: string): unknown {
  if (prop.type === 'integer' || prop.type === 'number') {
    const n = /MiB$/.test(param) ? parseSizeMiB(text) : /^-?\d+$/.test(text) ? Number(text) : undefined;
    if (n === undefined) return undefined;
    return n;
  }
  if (prop.type === 'boolean') return text === 'true' ? true : text === 'false' ? false : undefined;
  // A list as one argument: --nodes node1,node2.
  if (prop.type === 'array') {
    const items = text.split(',').map((v) => v.trim()).filter(Boolean);
    return items.length && items.every((v) => coerce(param, prop.items ?? {}, v) !== undefined) ? items : undefined;
  }
  if (prop.enum && !prop.enum.includes(text)) return undefined;
  if (prop.pattern && !new RegExp(prop.pattern).test(text)) return undefined;
  return text;
}

/**
 * The params of a request from the command's positionals and parsed option values.
 * Throws UsageError for a missing or unusable argument; the full check is the
 * catalogue's own validateParams, run by the caller.
 */
export function buildParams(cmd: OpCommand, positionals: string[], values: Record<string, unknown>): Record<string, unknown> {
  const op = OPERATIONS[cmd.operation];
  const props = ((op.paramsSchema as { properties?: Record<string, Prop> }).properties ?? {}) as Record<string, Prop>;
  if (positionals.length > cmd.positionals.length) {
    throw new UsageError(`Too many arguments: ${positionals.slice(cmd.positionals.length).join(' ')}. Usage: ${cmd.usage}`);
  }
  const params: Record<string, unknown> = {};
  cmd.positionals.forEach((p, i) => {
    const text = positionals[i];
    if (text === undefined) throw new UsageError(`Missing ${p.label.toUpperCase()}. Usage: ${cmd.usage}`);
    for (const name of p.params) {
      const v = coerce(name, props[name]!, text);
      if (v !== undefined) {
        params[name] = v;
        return;
      }
    }
    // None accepted it: hand it to the first so validation names the field and the rule.
    params[p.params[0]!] = text;
  });
  for (const f of cmd.flags) {
    const v = values[f.flag];
    if (v === undefined || v === false) continue;
    if (f.kind === 'boolean') params[f.param] = true;
    else if (f.kind === 'enum') params[f.param] = f.value;
    else {
      const c = coerce(f.param, props[f.param]!, String(v));
      if (c === undefined) throw new UsageError(`--${f.flag} ${String(v)}: not a valid ${f.param} (${props[f.param]!.type ?? 'value'}). Usage: ${cmd.usage}`);
      params[f.param] = c;
    }
  }
  return params;
}

/** parseArgs option declarations for an operation command's own flags. */
export function flagOptions(cmd: OpCommand): Record<string, { type: 'string' | 'boolean' }> {
  return Object.fromEntries(cmd.flags.map((f) => [f.flag, { type: f.kind === 'value' ? 'string' : 'boolean' }]));
}
