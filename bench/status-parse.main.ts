// Prints the status-parse figures: node --expose-gc --import tsx bench/status-parse.main.ts
import { benchStatusParse } from './status-parse.ts';

const r = await benchStatusParse();
console.log(
  `status parse: ${r.nodes} nodes x ${r.resources} resources (${r.xmlMB} MB of crm_mon XML): ` +
    `median ${r.medianMs} ms, heap growth ${r.heapGrowthMB} MB (targets: <= 50 ms, <= 100 MB)`,
);
