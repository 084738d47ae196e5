import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS, type StackDialect } from '../../src/cluster/index.ts';
import {
  banArgv,
  cibCreateArgv,
  cibDeleteArgv,
  clearExpiredArgv,
  maintenanceModeArgv,
  metaArgv,
  nodeMaintenanceArgv,
  propertyArgv,
  resourceMaintenanceArgv,
  restartArgv,
  targetRoleArgv,
  verifyArgv,
} from '../../src/cluster/index.ts';

const d = (id: StackDialect) => DIALECTS[id];
const ALL = Object.keys(DIALECTS) as StackDialect[];

test('cluster properties: crm_attribute -t crm_config before 1.1, long options after', () => {
  assert.deepEqual(propertyArgv(d('heartbeat-2.1'), 'stonith-enabled', 'true'), ['crm_attribute', '-t', 'crm_config', '-n', 'stonith-enabled', '-v', 'true']);
  assert.deepEqual(propertyArgv(d('pacemaker-1.0'), 'maintenance-mode', null), ['crm_attribute', '-t', 'crm_config', '-n', 'maintenance-mode', '-D']);
  assert.deepEqual(propertyArgv(d('pacemaker-2'), 'stonith-enabled', 'true'), ['crm_attribute', '--type', 'crm_config', '--name', 'stonith-enabled', '--update', 'true']);
});

test('maintenance-mode: refused on Heartbeat 2.1 (0.6 has none), on = true, off = deleted', () => {
  assert.throws(() => maintenanceModeArgv(d('heartbeat-2.1'), true), { code: 'UNSUPPORTED_STACK' });
  assert.deepEqual(maintenanceModeArgv(d('pacemaker-1.0'), true), ['crm_attribute', '-t', 'crm_config', '-n', 'maintenance-mode', '-v', 'true']);
  assert.deepEqual(maintenanceModeArgv(d('pacemaker-2'), false), ['crm_attribute', '--type', 'crm_config', '--name', 'maintenance-mode', '--delete']);
});

test('node maintenance: 1.1.10+ only; a permanent attribute, deleted when off', () => {
  for (const id of ['heartbeat-2.1', 'pacemaker-1.0'] as const) assert.throws(() => nodeMaintenanceArgv(d(id), 'n1', true), { code: 'UNSUPPORTED_STACK' });
  for (const id of ['pacemaker-1.1', 'pacemaker-2'] as const) {
    assert.deepEqual(nodeMaintenanceArgv(d(id), 'n1', true), ['crm_attribute', '--node', 'n1', '--name', 'maintenance', '--update', 'on', '--lifetime', 'forever']);
    assert.deepEqual(nodeMaintenanceArgv(d(id), 'n1', false), ['crm_attribute', '--node', 'n1', '--name', 'maintenance', '--delete', '--lifetime', 'forever']);
  }
});

test('resource meta: underscores on Heartbeat 2.1; maintenance meta on 2.x, is-managed before', () => {
  assert.deepEqual(targetRoleArgv(d('heartbeat-2.1'), 'vm1', 'Stopped'), ['crm_resource', '-m', '-r', 'vm1', '-p', 'target_role', '-v', 'Stopped']);
  assert.deepEqual(targetRoleArgv(d('pacemaker-2'), 'vm1', null), ['crm_resource', '--meta', '--resource', 'vm1', '--delete-parameter', 'target-role']);
  assert.deepEqual(resourceMaintenanceArgv(d('pacemaker-2'), 'vm1', true), ['crm_resource', '--meta', '--resource', 'vm1', '--set-parameter', 'maintenance', '--parameter-value', 'true']);
  assert.deepEqual(resourceMaintenanceArgv(d('pacemaker-1.1'), 'vm1', true), ['crm_resource', '--meta', '--resource', 'vm1', '--set-parameter', 'is-managed', '--parameter-value', 'false']);
  assert.deepEqual(resourceMaintenanceArgv(d('heartbeat-2.1'), 'vm1', false), ['crm_resource', '-m', '-r', 'vm1', '-d', 'is_managed']);
  assert.deepEqual(metaArgv(d('pacemaker-1.0'), 'vm1', 'allow-migrate', 'true'), ['crm_resource', '-m', '-r', 'vm1', '-p', 'allow-migrate', '-v', 'true']);
});

test('restart: --restart on 2.x; undefined (stop, wait, start) before', () => {
  assert.deepEqual(restartArgv(d('pacemaker-2'), 'vm1'), ['crm_resource', '--restart', '--resource', 'vm1']);
  for (const id of ['heartbeat-2.1', 'pacemaker-1.0', 'pacemaker-1.1'] as const) assert.equal(restartArgv(d(id), 'vm1'), undefined);
});

test('ban with lifetime from 1.1; clear --expired only on 2.x', () => {
  for (const id of ['heartbeat-2.1', 'pacemaker-1.0'] as const) assert.throws(() => banArgv(d(id), 'vm1', 'n2'), { code: 'UNSUPPORTED_STACK' });
  assert.deepEqual(banArgv(d('pacemaker-2'), 'vm1', 'n2', 'PT1H'), ['crm_resource', '--ban', '--resource', 'vm1', '--node', 'n2', '--lifetime', 'PT1H']);
  assert.deepEqual(banArgv(d('pacemaker-1.1'), 'vm1', 'n2'), ['crm_resource', '--ban', '--resource', 'vm1', '--node', 'n2']);
  assert.deepEqual(clearExpiredArgv(d('pacemaker-2'), 'vm1'), ['crm_resource', '--clear', '--resource', 'vm1', '--expired']);
  assert.throws(() => clearExpiredArgv(d('pacemaker-1.1'), 'vm1'), { code: 'UNSUPPORTED_STACK' });
});

test('cibadmin create/delete: short options before 1.1, long after; crm_verify everywhere', () => {
  const x = '<primitive id="vm7"/>';
  assert.deepEqual(cibCreateArgv(d('heartbeat-2.1'), 'resources', x), ['cibadmin', '-C', '-o', 'resources', '-X', x]);
  assert.deepEqual(cibCreateArgv(d('pacemaker-2'), 'constraints', x), ['cibadmin', '--create', '--scope', 'constraints', '--xml-text', x]);
  assert.deepEqual(cibDeleteArgv(d('pacemaker-1.0'), x), ['cibadmin', '-D', '-X', x]);
  assert.deepEqual(cibDeleteArgv(d('pacemaker-1.1'), x), ['cibadmin', '--delete', '--xml-text', x]);
  for (const id of ALL) assert.equal(verifyArgv(d(id))[0], 'crm_verify');
});
