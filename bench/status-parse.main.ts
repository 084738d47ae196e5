// Prints the status-parse figures: node --expose-gc --import tsx bench/status-parse.main.ts
import { benchStatusParse } from './status-parse.ts';

const r = await benchStatusParse();
console.log(
  `status parse: ${r.nodes} nodes x ${r.resources} resources (${r.xmlMB} MB of crm_mon XML): ` +
    `median ${r.medianMs} ms, heap growth ${r.heapGrowthMB} MB (targets: <= 50 ms, <= 100 MB)`,
);

const b = await benchStatusParse({ shape: 'bundles-remote' });
console.log(
  `status parse, bundles and remote nodes: ${b.nodes} nodes (32 cluster, 16 remote, 400 bundle guests) x 5,000 resource elements (100 bundles of 4 replicas, a promotable clone, VMs; ${b.xmlMB} MB): ` +
    `median ${b.medianMs} ms, heap growth ${b.heapGrowthMB} MB (targets: <= 50 ms, <= 100 MB)`,
);
