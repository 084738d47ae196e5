import { validateParams } from '../../operations/index.ts';
import { isHasfError } from '../../errors/index.ts';
import { clientFor } from '../connection.ts';
import { UsageError } from '../errors.ts';
import { EXIT } from '../exit-codes.ts';
import { exitForJob, followJob } from '../follow.ts';
import { formatPlan, formatSubmitted } from '../format/jobs.ts';
import type { CliIo } from '../io.ts';
import { buildParams, flagOptions, type OpCommand } from '../op-commands.ts';
import { indent, toJson } from '../output.ts';
import { API_OPTIONS, API_OPTIONS_HELP, parseCommand, str } from '../parse.ts';
import { asDryRun, asJob } from '../shapes.ts';

const REQUEST_OPTIONS = {
  reason: { type: 'string', short: 'r' },
  ticket: { type: 'string' },
  cluster: { type: 'string' },
  'dry-run': { type: 'boolean' },
  emergency: { type: 'boolean' },
  'callback-url': { type: 'string' },
  follow: { type: 'boolean', short: 'f' },
} as const;

/** The help page of an operation command. */
export function opHelp(cmd: OpCommand): string {
  return `${cmd.summary}
Operation: ${cmd.operation}

Usage: ${cmd.usage}

Request:
  --reason TEXT, -r    why (required by policy; shown to approvers and in the audit log)
  --ticket ID          change ticket, e.g. CHG0012345
  --cluster C          cluster (default: the only one, or the one holding the object)
  --dry-run            show the plan and the predicted transition; change nothing
  --emergency          break-glass (admins): no approvals, reviewed afterwards
  --callback-url URL   POSTed on each state change (ticketing systems)
  --follow, -f         after submitting, follow the job until it ends (exit 0 only if it succeeded)
${cmd.flags.length ? `\nOperation options:\n${cmd.flags.map((f) => `  --${f.flag}${f.kind === 'value' ? ` ${f.placeholder}` : ''}`).join('\n')}\n` : ''}
${API_OPTIONS_HELP}`;
}

/**
 * Run an operation command (`hasf migrate vm1 node2 --reason …`): build the params from
 * the catalogue, check them locally (exit 2 before any request), POST /v1/jobs, print
 * the plan and what happens next; with --follow, follow the job to its end.
 */
export async function runOpCommand(cmd: OpCommand, argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(argv, { ...API_OPTIONS, ...REQUEST_OPTIONS, ...flagOptions(cmd) }, cmd.usage);
  if (values.help) {
    io.out(opHelp(cmd));
    return EXIT.OK;
  }
  const params = buildParams(cmd, positionals, values);
  try {
    validateParams(cmd.operation, params);
  } catch (err) {
    if (isHasfError(err)) throw new UsageError(err.message);
    throw err;
  }
  const reason = str(values, 'reason');
  if (!reason?.trim() && !values['dry-run']) throw new UsageError(`--reason is required: say why, for the approvers and the audit log.\nUsage: ${cmd.usage}`);
  const api = await clientFor(values, io);
  const body = {
    operation: cmd.operation,
    params,
    // The API wants a reason on every request; a dry run changes nothing, so one is implied.
    reason: reason?.trim() ? reason : 'dry run (plan only)',
    ticket: str(values, 'ticket'),
    cluster: str(values, 'cluster'),
    callbackUrl: str(values, 'callback-url'),
    dryRun: values['dry-run'] ? true : undefined,
    emergency: values.emergency ? true : undefined,
  };
  const answer = await api.json<unknown>('POST', '/v1/jobs', { body });
  if (values['dry-run']) {
    const d = asDryRun(answer);
    if (values.json) io.out(toJson(answer));
    else {
      io.out(`Dry run of ${d.operation} on ${d.cluster ?? '?'} — nothing was changed.`);
      io.out(indent(formatPlan(d.plan)));
      if (d.approvalsRequired !== undefined) io.out(`Would need ${d.approvalsRequired} approval(s).`);
    }
    return EXIT.OK;
  }
  const job = asJob(answer);
  if (values.json && !values.follow) io.out(toJson(job));
  else if (!values.json) io.out(formatSubmitted(job, api.baseUrl));
  if (!values.follow) return EXIT.OK;
  const final = await followJob(api, job.id, io, { json: !!values.json });
  return exitForJob(final.state);
}
