/**
 * The `hasf` command line (bin/hasf.js calls `main`). Operation commands come from the
 * operation catalogue; the rest from the registry. Each command returns its exit code;
 * errors are printed here, once, as one sentence with the error code.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isHasfError } from '../errors/index.ts';
import { closest } from '../util/closest.ts';
import { PACKAGE_ROOT } from './connection.ts';
import { ApiError, CliError, UsageError } from './errors.ts';
import { EXIT } from './exit-codes.ts';
import { processIo, type CliIo } from './io.ts';
import { OP_INDEX } from './op-index.ts';
import { COMMANDS } from './registry.ts';

/** Exit codes of HasfErrors that escape a command (server-side commands mostly). */
function exitForHasfCode(code: string): number {
  if (code === 'INVALID_INPUT' || code === 'INVALID_NAME' || code === 'UNKNOWN_OPERATION') return EXIT.USAGE;
  if (code === 'UNAUTHENTICATED' || code === 'FORBIDDEN') return EXIT.AUTH;
  if (code === 'REDIS_UNAVAILABLE' || code === 'SSH_CONNECT_FAILED' || code === 'NO_REACHABLE_NODE') return EXIT.UNREACHABLE;
  return EXIT.FAILED;
}

/** Print an error the way every command does; returns its exit code. */
export function reportError(err: unknown, io: CliIo, json: boolean): number {
  if (err instanceof CliError) {
    if (json) io.out(JSON.stringify({ error: { code: err.code, message: err.message, ...(err instanceof ApiError ? { status: err.status } : {}) } }, null, 2));
    else if (err instanceof UsageError) io.err(`hasf: ${err.message}`);
    else io.err(`hasf: ${err.message}${/^[A-Z_]+$/.test(err.code) && err.code !== 'UNREACHABLE' ? ` [${err.code}]` : ''}`);
    return err.exitCode;
  }
  if (isHasfError(err)) {
    if (json) io.out(JSON.stringify({ error: { code: err.code, message: err.message } }, null, 2));
    else io.err(`hasf: ${err.message} [${err.code}]`);
    return exitForHasfCode(err.code);
  }
  io.err(`hasf: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return EXIT.FAILED;
}

function version(): string {
  return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Run `hasf ARGV…` and return the exit code (see `hasf help`). */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const json = argv.includes('--json');
  try {
    const [first, ...rest] = argv;
    if (first === '--version' || first === 'version') {
      io.out(`hasf ${version()}`);
      return EXIT.OK;
    }
    if (!first || first === 'help' || first === '--help' || first === '-h') {
      if (rest.length) return await main([...rest, '--help'], io);
      io.out((await import('./help.ts')).mainHelp(OP_INDEX));
      return first ? EXIT.OK : EXIT.USAGE;
    }
    // Operation commands need the catalogue (zod, the cluster readers): it is loaded only
    // for them; the index of their words, generated from it, tells them apart.
    if (OP_INDEX.some((c) => c.words.every((w, i) => argv[i] === w))) {
      const { findOpCommand } = await import('./op-commands.ts');
      const op = findOpCommand(argv);
      if (op) return await (await import('./commands/op.ts')).runOpCommand(op.cmd, argv.slice(op.used), io);
    }
    const entry = COMMANDS.find((c) => c.name === first);
    if (entry) return await (await entry.load())(rest, io);
    const partial = OP_INDEX.filter((c) => c.words[0] === first);
    if (partial.length) throw new UsageError(`${first} what? ${partial.map((c) => `hasf ${c.words.join(' ')}`).join(', ')}.`);
    const known = [...OP_INDEX.map((c) => c.words[0]!), ...COMMANDS.map((c) => c.name)];
    const near = closest(first, known, 2);
    throw new UsageError(`Unknown command "${first}"${near.length ? `; did you mean ${near.join(' or ')}?` : ''}. See: hasf help`);
  } catch (err) {
    return reportError(err, io, json);
  }
}
