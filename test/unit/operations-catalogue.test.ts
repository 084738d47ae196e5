import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_REQUIRED, DISRUPTIVE_OPERATIONS, POLICY_OPERATIONS } from '../../src/approvals/index.ts';
import { CODE_INFO } from '../../src/errors/index.ts';
import { READ_OPERATIONS, REQUEST_REFUSALS } from '../../src/operations/describe.ts';
import { OPERATIONS, OPERATION_NAMES } from '../../src/operations/index.ts';

const OPS_DIR = join(import.meta.dirname, '../../src/operations');
// Codes an operation throws while running, not as a refusal before approval.
const RUNTIME = new Set(['COMMAND_FAILED', 'VERIFY_FAILED', 'INTERNAL', 'JOB_TIMEOUT', 'PARSE_ERROR', 'TASK_FAILED', 'NODE_NOT_BACK', 'JOB_ABORTED']);

test('every refusal an operation file throws is listed in its refusals, and every listed code exists', () => {
  for (const file of readdirSync(OPS_DIR).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(join(OPS_DIR, file), 'utf8');
    const defs = Object.values(OPERATIONS).filter((o) => text.includes(`name: '${o.name}'`));
    if (!defs.length) continue;
    const thrown = new Set([...text.matchAll(/HasfError\(\s*'([A-Z_]+)'/g)].map((m) => m[1]!).filter((c) => !RUNTIME.has(c)));
    const listed = new Set(defs.flatMap((d) => [...d.refusals]));
    for (const c of thrown) assert.ok(listed.has(c as never), `${file} throws ${c} but no operation in it lists it in refusals`);
  }
  for (const o of Object.values(OPERATIONS)) for (const c of o.refusals) assert.ok(CODE_INFO[c], `${o.name}: ${c}`);
  for (const c of REQUEST_REFUSALS) assert.ok(CODE_INFO[c], c);
});

test("approval policies know every operation, with the catalogue's default approvals; freezes cover the disruptive ones", () => {
  for (const name of OPERATION_NAMES) {
    assert.ok((POLICY_OPERATIONS as string[]).includes(name), `${name} missing from src/approvals/operations.ts`);
    assert.equal(DEFAULT_REQUIRED[name as keyof typeof DEFAULT_REQUIRED], OPERATIONS[name].defaultApprovals, name);
    // Whatever a freeze refuses by default changes a cluster; cleanup is left out on purpose (on-call needs it).
    if (OPERATIONS[name].disruptive) assert.ok((DISRUPTIVE_OPERATIONS as string[]).includes(name), `${name} is disruptive but not frozen by default`);
  }
  for (const r of READ_OPERATIONS) assert.ok(!(DISRUPTIVE_OPERATIONS as string[]).includes(r.name));
});
