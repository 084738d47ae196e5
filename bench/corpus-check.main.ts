// The corpus check's wall time over every era: node --import tsx bench/corpus-check.main.ts
// HASF_PACEMAKER_CORPUS names the extracted release trees (space-separated directories, or
// one directory holding them), e.g. the 0.6.6 1.0.8 1.1.24 2.1.5 3.0.2 trees of
// `git archive Pacemaker-X … | tar -x`. The corpus stays outside the repository.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const spec = process.env.HASF_PACEMAKER_CORPUS;
if (!spec) {
  console.log('corpus check: skipped (set HASF_PACEMAKER_CORPUS to the extracted Pacemaker release trees; see README "Corpus check")');
  process.exit(0);
}
let dirs = spec.split(/\s+/).filter(Boolean);
if (dirs.length === 1 && !['cts', 'pengine'].some((d) => existsSync(join(dirs[0]!, d)))) {
  const parent = dirs[0]!;
  dirs = readdirSync(parent)
    .map((d) => join(parent, d))
    .filter((d) => statSync(d).isDirectory())
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
}
const t0 = performance.now();
const r = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '..', 'scripts', 'corpus-check.ts'), ...dirs, '--show', '0'], { encoding: 'utf8' });
const ms = performance.now() - t0;
const lines = (r.stdout ?? '').split('\n').filter((l) => /^\S+\s+\d+\s+\d+\s+\d+\s+[\d.]+ %|blocks,|Wall time/.test(l));
for (const l of lines) console.log(`  ${l}`);
console.log(`corpus check: ${dirs.length} eras in ${(ms / 1000).toFixed(1)} s wall time, process start included (target: < 60 s)`);
process.exit(r.status ?? 1);
