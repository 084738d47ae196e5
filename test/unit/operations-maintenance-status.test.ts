import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClusterStatus } from '../../src/cluster/model.ts';
import { maintenanceEntries, maintenanceLine, type MaintenanceJob } from '../../src/operations/maintenance-status.ts';

const status = (): ClusterStatus => ({
  source: 'crm_mon-output-as-xml',
  quorum: { hasQuorum: true },
  maintenanceMode: true,
  nodes: [
    { name: 'node1', online: true, standby: false, unclean: false, maintenance: false, isDc: true, resourcesRunning: 1 },
    { name: 'node2', online: true, standby: false, unclean: false, maintenance: true, isDc: false, resourcesRunning: 1 },
  ],
  resources: [
    { id: 'vm1', kind: 'primitive', role: 'Started', active: true, managed: false, failed: false, nodes: ['node1'], isFenceDevice: false },
    { id: 'vm2', kind: 'primitive', role: 'Started', active: true, managed: false, failed: false, nodes: ['node2'], isFenceDevice: false },
    { id: 'vm3', kind: 'primitive', role: 'Started', active: true, managed: true, failed: false, nodes: ['node2'], isFenceDevice: false },
  ],
  constraints: [],
  fenceDevices: [],
  readAt: '2026-12-01T21:00:00.000Z',
});
const job = (id: string, operation: string, params: Record<string, unknown>, finishedAt: string): MaintenanceJob => ({ id, operation, params, requester: 'otto', finishedAt });

test('what is in maintenance, each with the newest HASF job that turned it on; set by hand or turned on again after an off: since unknown', () => {
  const jobs = [
    job('j1', 'cluster.maintenance', { state: 'on' }, '2026-12-01T20:00:00.000Z'),
    job('j0', 'cluster.maintenance', { state: 'off' }, '2026-12-01T19:00:00.000Z'),
    job('j2', 'node.maintenance', { node: 'node2', state: 'on' }, '2026-12-01T20:10:00.000Z'),
    job('j3', 'node.maintenance', { node: 'node2', state: 'off' }, '2026-12-01T20:20:00.000Z'),
    job('j4', 'resource.maintenance', { resource: 'vm1', state: 'on' }, '2026-12-01T20:30:00.000Z'),
  ];
  const detail = { failedActions: [], meta: { vm1: { maintenance: 'true' }, vm2: { isManaged: 'false' }, vm3: {} } };
  const e = maintenanceEntries('lab', status(), detail, jobs);
  assert.deepEqual(e, [
    { kind: 'cluster', name: 'lab', flag: 'maintenance-mode', since: '2026-12-01T20:00:00.000Z', job: 'j1', by: 'otto' },
    // Its newest job turned it off: someone set it again since, by hand.
    { kind: 'node', name: 'node2', flag: 'maintenance' },
    { kind: 'resource', name: 'vm1', flag: 'maintenance', since: '2026-12-01T20:30:00.000Z', job: 'j4', by: 'otto' },
    { kind: 'resource', name: 'vm2', flag: 'is-managed=false' },
  ]);
  assert.equal(maintenanceLine(e[0]!), 'cluster lab (maintenance-mode) since 2026-12-01T20:00:00.000Z, by otto (job j1)');
  assert.equal(maintenanceLine(e[1]!), 'node node2 (maintenance) since: unknown (set outside HASF)');
});
