import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

// Dependencies point one way: doors (api, slack, cli, callbacks, workers) → app (the
// composition root) → jobs (the job state machine) → the rest of core (operations,
// queue, approvals, auth, audit) → drivers (cluster, storage) → ssh. Shared basics
// (errors, util, config) may be imported from anywhere.
const SRC = resolve(import.meta.dirname, '../../src');
const DOORS = ['api', 'slack', 'cli', 'callbacks', 'demo', 'ui'];
const FORBIDDEN: Record<string, string[]> = {
  ssh: ['cluster', 'storage', 'operations', 'jobs', 'queue', 'approvals', 'auth', 'audit', 'app', 'lab', ...DOORS],
  cluster: ['storage', 'operations', 'jobs', 'queue', 'approvals', 'auth', 'audit', 'app', 'lab', ...DOORS],
  storage: ['cluster', 'operations', 'jobs', 'queue', 'approvals', 'auth', 'audit', 'app', 'lab', ...DOORS],
  // Operations know nothing of jobs, queues or approvals: they say what to do to a cluster.
  operations: ['jobs', 'queue', 'approvals', 'auth', 'audit', 'app', 'lab', ...DOORS],
  // The queue is BullMQ transport and the lines: it knows nothing of job records.
  queue: ['jobs', 'operations', 'cluster', 'storage', 'ssh', 'approvals', 'auth', 'audit', 'app', 'lab', ...DOORS],
  jobs: ['app', 'lab', ...DOORS],
  approvals: ['jobs', 'queue', 'operations', 'app', 'lab', ...DOORS],
  auth: ['jobs', 'queue', 'operations', 'app', 'lab', ...DOORS],
  audit: ['jobs', 'queue', 'operations', 'app', 'lab', ...DOORS],
  app: ['lab', ...DOORS],
  // The two doors never import each other.
  api: ['slack', 'lab'],
  slack: ['api', 'lab'],
};

function* files(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else if (e.name.endsWith('.ts')) yield p;
  }
}

/** The src/ folder each relative import of `file` lands in. */
function importedFolders(file: string): { spec: string; folder: string }[] {
  const text = readFileSync(file, 'utf8');
  const out: { spec: string; folder: string }[] = [];
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) {
    const target = relative(SRC, resolve(dirname(file), m[1]!));
    if (target.startsWith('..')) continue;
    out.push({ spec: m[1]!, folder: target.split('/')[0]! });
  }
  return out;
}

test('nothing in src/ imports upward', () => {
  const wrong: string[] = [];
  for (const file of files(SRC)) {
    const folder = relative(SRC, file).split('/')[0]!;
    const banned = FORBIDDEN[folder] ?? [];
    for (const { spec, folder: to } of importedFolders(file)) {
      if (banned.includes(to)) wrong.push(`${relative(SRC, file)} imports ${spec} (${folder} → ${to})`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('the scan sees imports (a forbidden one is reported)', () => {
  // The job service imports the queue: allowed for jobs, forbidden if it were in queue/.
  const seen = importedFolders(join(SRC, 'jobs/service.ts')).map((i) => i.folder);
  assert.ok(seen.includes('queue') && seen.includes('operations'), JSON.stringify(seen));
  assert.ok(FORBIDDEN.queue!.includes('jobs'));
});
