// SSH pool vs the system ssh client, 100 status reads (crm_mon --output-as=xml) on lab node1:
//   HASF_TEST_LAB_DIR=var/bench-lab node --import tsx bench/ssh-lab.main.ts [n]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { inventorySchema } from '../src/config/inventory.ts';
import { benchSshPool } from './ssh-pool.ts';
import { labDirOrSkip } from './common.ts';

const dir = labDirOrSkip('ssh pool vs system ssh');
const inv = inventorySchema.parse(parse(readFileSync(join(dir, 'inventory.yaml'), 'utf8')));
const node1 = inv.clusters[0]!.nodes[0]!;
const n = Number(process.argv[2] ?? 100);
const r = await benchSshPool(node1, ['crm_mon', '--output-as=xml'], n);
console.log(
  `ssh pool vs system ssh: ${r.n} x crm_mon --output-as=xml on ${node1.name}: pooled ${r.pooledMs} ms (${(r.pooledMs / r.n).toFixed(1)} ms each, ${r.connects} connect), ` +
    `system ssh ${r.systemSshMs} ms (${(r.systemSshMs / r.n).toFixed(1)} ms each): ${r.ratio}x faster (target >= 5x)`,
);
