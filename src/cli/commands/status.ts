import type { ClusterStatus } from '../../cluster/model.ts';
import { clientFor } from '../connection.ts';
import { UsageError } from '../errors.ts';
import { EXIT } from '../exit-codes.ts';
import { formatClusterStatus } from '../format/status.ts';
import type { CliIo } from '../io.ts';
import { table, toJson } from '../output.ts';
import { API_OPTIONS, API_OPTIONS_HELP, parseCommand } from '../parse.ts';
import { asPage } from '../shapes.ts';
import { basename, resolve } from 'node:path';

const FORMAT_LABEL = { 'crm_mon-output-as-xml': 'crm_mon --output-as=xml', 'crm_mon-as-xml': 'crm_mon --as-xml', cib: 'CIB' } as const;

const USAGE = 'hasf status [CLUSTER] | hasf status --file PATH [--json]';

/** Help of `hasf status`. */
export const STATUS_HELP = `Live status of a cluster (read from the cluster now): quorum, nodes, resources,
leftover move constraints. Without CLUSTER: the only cluster, or the list of clusters.

Offline, from a saved file (no API, no cluster): --file PATH reads crm_mon --output-as=xml
output (2.0.3+), crm_mon -1 --as-xml (1.1), a CIB with its status section from any stack
(Heartbeat 2.1 crm-1.0 to pacemaker-4.0; cibadmin -Q, a cib.xml), or a crm_report /
hb_report tarball (its newest cib.xml), and prints the same status.

Usage: ${USAGE}

  --file PATH        read the status from PATH instead of a cluster

${API_OPTIONS_HELP}`;

const OPTIONS = { ...API_OPTIONS, file: { type: 'string' } } as const;

/** One configured cluster as GET /v1/clusters lists it. */
interface ClusterSummary {
  name: string;
  nodes: string[];
  dialect: string;
  storageTargets: string[];
}

/** `hasf status [CLUSTER]`. */
export async function statusCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(argv, OPTIONS, USAGE);
  if (values.help) return io.out(STATUS_HELP), EXIT.OK;
  if (typeof values.file === 'string') {
    if (positionals.length) throw new UsageError(`--file reads one saved status; no cluster name with it. Usage: ${USAGE}`);
    const path = resolve(io.cwd, values.file);
    // Loaded only for --file: it brings the XML and CIB parsers a live status doesn't need.
    const { readStatusFile } = await import('../status-file.ts');
    const r = await readStatusFile(path);
    if (values.json) io.out(toJson(r.status));
    else {
      io.out(`From ${values.file}${r.member ? ` (${r.member})` : ''}: ${FORMAT_LABEL[r.format]}, ${r.schema}`);
      io.out(formatClusterStatus(basename(values.file), r.status));
    }
    return EXIT.OK;
  }
  if (positionals.length > 1) throw new UsageError(`One cluster at a time. Usage: ${USAGE}`);
  const api = await clientFor(values, io);
  let cluster = positionals[0];
  if (!cluster) {
    const clusters = asPage<ClusterSummary>(await api.json('GET', '/v1/clusters'), 'clusters').items;
    if (clusters.length !== 1) {
      if (values.json) io.out(toJson({ clusters }));
      else if (clusters.length === 0) io.out('No clusters configured (add clusters or an inventoryFile to the configuration).');
      else {
        io.out(table(['CLUSTER', 'NODES', 'DIALECT', 'STORAGE'], clusters.map((c) => [c.name, c.nodes.join(','), c.dialect, c.storageTargets.join(',') || '-'])));
        io.out(`\nStatus of one: hasf status ${clusters[0]!.name}`);
      }
      return EXIT.OK;
    }
    cluster = clusters[0]!.name;
  }
  const status = await api.json<ClusterStatus>('GET', `/v1/clusters/${encodeURIComponent(cluster)}/status`);
  io.out(values.json ? toJson(status) : formatClusterStatus(cluster, status));
  return EXIT.OK;
}
