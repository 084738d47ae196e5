// vm.migrate: HASF's time above the cluster's own, on the lab (migration time 2 s):
//   HASF_TEST_LAB_DIR=var/bench-lab node --import tsx bench/migrate.main.ts [rounds]
import { benchMigrate } from './migrate.ts';
import { labDirOrSkip } from './common.ts';

const dir = labDirOrSkip('vm.migrate overhead');
const r = await benchMigrate(dir, Number(process.argv[2] ?? 20));
console.log(
  `vm.migrate: ${r.rounds} rounds on the lab: job median ${r.jobMedianMs} ms; the same move+clear by hand (settle read in a tight loop) median ${r.byHandMedianMs} ms; ` +
    `HASF above the cluster's own time: median ${r.overheadMedianMs} ms, p90 ${r.overheadP90Ms} ms (target median <= 150 ms; ratio ${(r.jobMedianMs / r.byHandMedianMs).toFixed(3)}); ` +
    `agents' own time (migrate_to + migrate_from + stop exec-time) median ${r.agentsMedianMs} ms; reads while waiting median ${r.pollsMedian}`,
);
