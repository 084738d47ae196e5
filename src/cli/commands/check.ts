import type { CheckReport } from '../../operations/check/index.ts';
import { clientFor } from '../connection.ts';
import { EXIT } from '../exit-codes.ts';
import { formatCheck } from '../format/check.ts';
import type { CliIo } from '../io.ts';
import { toJson } from '../output.ts';
import { API_OPTIONS, API_OPTIONS_HELP, parseCommand } from '../parse.ts';
import { asPage } from '../shapes.ts';

const USAGE = 'hasf check [CLUSTER]';

/** Help of `hasf check`. */
export const CHECK_HELP = `Health check of a cluster, read now (nothing is changed, nothing queued): crm_verify,
quorum and fencing, every node's clock against the others', every node resolving every
other node's name, corosync links, failed actions and fail counts, leftover move/ban
constraints, maintenance flags, unmanaged and stopped resources. Each finding comes with
its fix. Without CLUSTER: every configured cluster. --json prints the report (several: {reports}).

Exit code 0 when nothing critical or warning was found, 1 when something was.

Usage: ${USAGE}

${API_OPTIONS_HELP}`;

/** `hasf check [CLUSTER]`. */
export async function checkCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(argv, API_OPTIONS, USAGE);
  if (values.help) return io.out(CHECK_HELP), EXIT.OK;
  const api = await clientFor(values, io);
  const names = positionals.length ? positionals : asPage<{ name: string }>(await api.json('GET', '/v1/clusters'), 'clusters').items.map((c) => c.name);
  if (!names.length) {
    io.out('No clusters configured (add clusters or an inventoryFile to the configuration).');
    return EXIT.OK;
  }
  const reports: CheckReport[] = [];
  for (const c of names) reports.push(await api.json<CheckReport>('GET', `/v1/clusters/${encodeURIComponent(c)}/check`));
  io.out(values.json ? toJson(reports.length === 1 ? reports[0] : { reports }) : reports.map(formatCheck).join('\n\n'));
  return reports.some((r) => r.counts.critical + r.counts.warning > 0) ? EXIT.FAILED : EXIT.OK;
}
