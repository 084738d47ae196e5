// Prints the SSH pool figures against a throwaway local sshd: node --import tsx bench/ssh-pool.main.ts [n]
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSshd } from '../test/helpers/sshd.ts';
import { benchSshPool } from './ssh-pool.ts';

const n = Number(process.argv[2] ?? 100);
const sshd = await startSshd();
try {
  // A ~30 KB file, about the size of a small cluster's crm_mon XML.
  const file = join(sshd.dir, 'status.xml');
  writeFileSync(file, '<node name="node1" online="true"/>\n'.repeat(850));
  const host = {
    name: 'bench',
    host: sshd.host,
    port: sshd.port,
    hostKeys: [sshd.hostKeyFingerprint],
    identityFile: sshd.identityFile,
  };
  const r = await benchSshPool(host, ['cat', file], n);
  console.log(
    `ssh pool: ${r.n} x cat 30 KB: pooled ${r.pooledMs} ms (${(r.pooledMs / r.n).toFixed(1)} ms each, ${r.connects} connect), ` +
      `system ssh ${r.systemSshMs} ms (${(r.systemSshMs / r.n).toFixed(1)} ms each): ${r.ratio}x faster`,
  );
} finally {
  await sshd.stop();
}
