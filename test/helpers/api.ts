import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import type { Response } from 'supertest';
import { checkResponse } from '../../src/api/index.ts';
import { CibFileExecutor, PacemakerDriver } from '../../src/cluster/index.ts';
import type { HasfConfigInput } from '../../src/config/index.ts';
import { ClusterAccess, type ExecutorWrapper } from '../../src/jobs/cluster-access.ts';
import { JobService } from '../../src/jobs/service.ts';
import { LocalExecutor } from '../../src/ssh/local-executor.ts';
import { startHarness, type Harness } from './harness.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/pacemaker/2.1.5');

/**
 * Cluster access whose Pacemaker driver runs the real tools (crm_mon, crm_simulate,
 * crm_resource) on a CIB file instead of over SSH: preflight and the scheduler's
 * prediction are real, only the live cluster is replaced by its captured CIB.
 */
export class CibFileAccess extends ClusterAccess {
  constructor(
    inventory: ConstructorParameters<typeof ClusterAccess>[0],
    pool: ConstructorParameters<typeof ClusterAccess>[1],
    readonly cibFile: string,
  ) {
    super(inventory, pool);
  }
  override pacemaker(cluster: string, wrap: ExecutorWrapper = (e) => e): PacemakerDriver {
    const c = this.cluster(cluster);
    return new PacemakerDriver({ name: c.name, exec: wrap(new CibFileExecutor(new LocalExecutor(), this.cibFile)), dialect: 'pacemaker-2' });
  }
}

/** A harness whose cluster `cib` (node1..node3, vm1..) is the captured 2.1.5 CIB `shape`. */
export async function startCibHarness(overrides: Partial<HasfConfigInput> = {}, shape = 'healthy'): Promise<Harness & { cibFile: string }> {
  const h = await startHarness(
    {
      clusters: [{ name: 'cib', nodes: ['node1', 'node2', 'node3'].map((n) => ({ name: n, host: `${n}.invalid` })) }],
      ...overrides,
    },
    { lab: false },
  );
  const cibFile = join(h.dir, `${shape}.cib.xml`);
  copyFileSync(join(FIXTURES, `${shape}.cib.xml`), cibFile);
  const s = h.services;
  const access = new CibFileAccess({ clusters: h.config.clusters, storage: h.config.storage }, s.pool, cibFile);
  s.access = access;
  s.jobs = new JobService({ store: s.store, queues: s.queues, lines: s.lines, events: s.events, audit: s.audit, access, approvals: h.config.approvals });
  return { ...h, cibFile };
}

/**
 * Assert an answer is what openapi.yaml promises for this operation and status
 * (problem documents included), and return its body.
 */
export function conforms(operationId: string, res: Response): any {
  const type = String(res.headers['content-type'] ?? '');
  const body = type.startsWith('application/json') || type.startsWith('application/problem+json') ? JSON.parse(res.text) : res.text;
  const errors = checkResponse(operationId, res.status, type, body);
  assert.equal(errors, null, `${operationId} ${res.status} does not match openapi.yaml: ${JSON.stringify(errors)}\n${res.text.slice(0, 500)}`);
  if (res.status >= 400) {
    assert.doesNotMatch(res.text, /\bat .+\.(ts|js):\d+/, 'no stack trace');
  }
  return body;
}

/** Bearer header for a token. */
export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
