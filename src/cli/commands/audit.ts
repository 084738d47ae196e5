import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { clientFor } from '../connection.ts';
import { describeRequestError } from '../client.ts';
import { CliError, UsageError } from '../errors.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { fields, table, toJson } from '../output.ts';
import { API_OPTIONS, API_OPTIONS_HELP, parseCommand, str } from '../parse.ts';
import { sinceToIso } from './jobs.ts';

const USAGE = 'hasf audit verify | hasf audit export [--format jsonl|csv] [--output FILE] [--job ID] [--actor NAME] [--event E] [--from TIME] [--to TIME]';

/** Help of `hasf audit`. */
export const AUDIT_HELP = `The tamper-evident audit log.

Usage:
  hasf audit verify       prove the HMAC chain is unaltered (exit 1 when any record was
                          edited, removed or reordered, or the file sink disagrees)
  hasf audit export       the whole (filtered) log as JSON lines or CSV, oldest first
    --format jsonl|csv    default jsonl
    --output FILE         write to FILE instead of stdout
    --job ID --actor NAME --event E --from TIME --to TIME   filters (TIME: ISO or 2h, 1d …)

${API_OPTIONS_HELP}`;

/** The report of GET /v1/audit/verify. */
interface VerifyReport {
  ok: boolean;
  count: number;
  head: { seq: number; mac: string; streamId?: string } | null;
  fileHead?: { seq: number; mac: string } | null;
  problems: Array<{ seq: number; kind: string; message: string }>;
  ms: number;
}

/** `hasf audit verify|export`. */
export async function auditCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(
    argv,
    { ...API_OPTIONS, format: { type: 'string' }, output: { type: 'string', short: 'o' }, job: { type: 'string' }, actor: { type: 'string' }, event: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } },
    USAGE,
  );
  if (values.help) return io.out(AUDIT_HELP), EXIT.OK;
  const [action, ...rest] = positionals;
  if (rest.length || (action !== 'verify' && action !== 'export')) throw new UsageError(`Usage: ${USAGE}`);
  const api = await clientFor(values, io);
  if (action === 'verify') {
    const r = await api.json<VerifyReport>('GET', '/v1/audit/verify');
    if (values.json) io.out(toJson(r));
    else {
      io.out(r.ok ? `Audit chain OK: ${r.count} record(s) verified in ${Math.round(r.ms)} ms.` : `AUDIT CHAIN BROKEN: ${r.problems.length} problem(s) in ${r.count} record(s).`);
      io.out(fields([
        ['Head', r.head ? `#${r.head.seq} ${r.head.mac.slice(0, 16)}…` : '(empty)'],
        ['File sink head', r.fileHead ? `#${r.fileHead.seq} ${r.fileHead.mac.slice(0, 16)}…` : undefined],
      ]));
      if (r.problems.length) io.out(table(['SEQ', 'KIND', 'PROBLEM'], r.problems.map((p) => [p.seq, p.kind, p.message])));
    }
    return r.ok ? EXIT.OK : EXIT.FAILED;
  }
  const format = str(values, 'format') ?? 'jsonl';
  const accept = { jsonl: 'application/x-ndjson', ndjson: 'application/x-ndjson', csv: 'text/csv' }[format];
  if (!accept) throw new UsageError(`--format ${format}: use jsonl or csv.`);
  const res = await api.send('GET', '/v1/audit', {
    accept,
    query: { jobId: str(values, 'job'), actor: str(values, 'actor'), event: str(values, 'event'), from: sinceToIso(str(values, 'from')), to: sinceToIso(str(values, 'to')) },
  });
  const output = str(values, 'output');
  // Streamed: an export can be far larger than memory should hold.
  try {
    if (output) {
      await pipeline(res.body, createWriteStream(resolve(io.cwd, output), { mode: 0o600 }));
      io.err(`Audit log exported to ${output} (${format}).`);
    } else {
      for await (const chunk of res.body) io.raw(chunk as Buffer);
    }
  } catch (err) {
    throw new CliError(`The audit export broke off (${describeRequestError(err)})${output ? `; ${output} is incomplete` : '; what was printed is incomplete'}.`, EXIT.UNREACHABLE, 'UNREACHABLE');
  }
  return EXIT.OK;
}
