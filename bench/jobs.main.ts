// Job engine overhead and queue pickup on the lab:
//   HASF_TEST_LAB_DIR=var/bench-lab node --import tsx bench/jobs.main.ts [jobs]
import { benchJobs } from './jobs.ts';
import { labDirOrSkip } from './common.ts';

const dir = labDirOrSkip('job engine');
const r = await benchJobs(dir, Number(process.argv[2] ?? 20));
console.log(
  `job engine: ${r.jobs} jobs (cleanup and migrate, one at a time): service overhead median ${r.overheadMedianMs} ms, p90 ${r.overheadP90Ms} ms (target median <= 50 ms); ` +
    `queue pickup median ${r.pickupMedianMs} ms, p90 ${r.pickupP90Ms} ms (target median <= 10 ms); SSH commands median ${r.commandsMedianMs} ms per job`,
);
