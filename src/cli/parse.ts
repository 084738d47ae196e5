import type { ParseArgsConfig } from 'node:util';
import { util } from '../util/node-builtins.ts';
import { UsageError } from './errors.ts';

/** parseArgs option declarations. */
export type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every command that talks to the API accepts. */
export const API_OPTIONS = {
  'api-url': { type: 'string' },
  token: { type: 'string' },
  as: { type: 'string' },
  credentials: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

/** Help text of API_OPTIONS, appended to each API command's help. */
export const API_OPTIONS_HELP = `Connection (every API command):
  --api-url URL      API base URL (default $HASF_API_URL, else http://127.0.0.1:8080)
  --token TOKEN      Bearer token (default $HASF_TOKEN)
  --as NAME          use NAME's token from the demo credentials (var/demo/credentials.json)
  --credentials FILE demo credentials file for --as (default $HASF_CREDENTIALS, else var/demo/credentials.json)
  --json             machine-readable JSON output
  -h, --help         this help`;

/** Parsed values: strings, booleans or string lists, by option name. */
export type Values = Record<string, string | boolean | string[] | undefined>;

/**
 * node:util parseArgs, strict, with positionals; a mistake becomes a UsageError that
 * carries the command's usage line.
 */
export function parseCommand(argv: string[], options: Options, usage: string): { values: Values; positionals: string[] } {
  try {
    const r = util.parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: r.values as Values, positionals: r.positionals };
  } catch (err) {
    const msg = (err as Error).message.replace(/\. To specify a positional argument.*$/s, '.');
    throw new UsageError(`${msg}\nUsage: ${usage}`);
  }
}

/** A string option's value (undefined when absent). */
export function str(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}
