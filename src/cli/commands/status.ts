import type { ClusterStatus } from '../../cluster/model.ts';
import { clientFor } from '../connection.ts';
import { UsageError } from '../errors.ts';
import { EXIT } from '../exit-codes.ts';
import { formatClusterStatus } from '../format/status.ts';
import type { CliIo } from '../io.ts';
import { table, toJson } from '../output.ts';
import { API_OPTIONS, API_OPTIONS_HELP, parseCommand } from '../parse.ts';
import { asPage } from '../shapes.ts';

const USAGE = 'hasf status [CLUSTER]';

/** Help of `hasf status`. */
export const STATUS_HELP = `Live status of a cluster (read from the cluster now): quorum, nodes, resources,
leftover move constraints. Without CLUSTER: the only cluster, or the list of clusters.

Usage: ${USAGE}

${API_OPTIONS_HELP}`;

/** One configured cluster as GET /v1/clusters lists it. */
interface ClusterSummary {
  name: string;
  nodes: string[];
  dialect: string;
  storageTargets: string[];
}

/** `hasf status [CLUSTER]`. */
export async function statusCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(argv, API_OPTIONS, USAGE);
  if (values.help) return io.out(STATUS_HELP), EXIT.OK;
  if (positionals.length > 1) throw new UsageError(`One cluster at a time. Usage: ${USAGE}`);
  const api = clientFor(values, io);
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
