import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  DIALECTS,
  banArgv,
  cibArgv,
  cibCreateArgv,
  cibDeleteArgv,
  cleanupArgv,
  clearArgv,
  clearExpiredArgv,
  fenceArgv,
  fenceHistoryArgv,
  fencingPropertyName,
  maintenanceModeArgv,
  metaArgv,
  moveArgv,
  nodeMaintenanceArgv,
  propertyArgv,
  resourceMaintenanceArgv,
  restartArgv,
  simulateArgv,
  standbyArgv,
  statusArgv,
  targetRoleArgv,
  verifyArgv,
} from '../../src/cluster/index.ts';
import { VERSION_PROBES, deleteXpathArgv } from '../../src/cluster/dialects.ts';
import { vmResourceXml } from '../../src/cluster/vm-xml.ts';
import { vmTemplateSchema } from '../../src/config/inventory.ts';

/**
 * Every command HASF builds for Pacemaker 3.0 uses flags 3.0 has. The flag list is our own
 * fixture, extracted from the Pacemaker-3.0.2 tree's option tables (what --help-all
 * prints) by scripts/tool-flags.ts; hidden entries are the deprecated ones.
 */
const FLAGS = JSON.parse(readFileSync(new URL('../fixtures/pacemaker/3.0.2/tool-flags.json', import.meta.url), 'utf8')) as {
  tools: Record<string, { flags: string[]; hidden: string[] }>;
};
const P3 = DIALECTS['pacemaker-3'];

/** Every argv the pacemaker-3 row produces, one per builder and variant. */
function everyArgv(): string[][] {
  const d = P3;
  return [
    ...d.status.map(statusArgv),
    moveArgv(d, 'vm1', 'n2'),
    moveArgv(d, 'vm1', 'n2', 'PT1H'),
    clearArgv(d, 'vm1'),
    clearExpiredArgv(d, 'vm1'),
    standbyArgv(d, 'n1', true),
    standbyArgv(d, 'n1', false),
    fenceArgv(d, 'n1', 'reboot'),
    fenceArgv(d, 'n1', 'off'),
    fenceHistoryArgv(d),
    fenceHistoryArgv(d, 'n1'),
    cleanupArgv(d, 'vm1'),
    cleanupArgv(d, 'vm1', 'n1'),
    cibArgv(d),
    simulateArgv(d, '/t/in', '/t/out', { xml: true }),
    simulateArgv(d, '/t/in', '/t/out', { xml: false, failNode: 'n2' }),
    deleteXpathArgv("//node_state[@uname='n1']//lrm_rsc_op[contains(@id,'_last_failure_')]"),
    propertyArgv(d, fencingPropertyName(d, '3.0.2'), 'true'),
    propertyArgv(d, 'maintenance-mode', null),
    maintenanceModeArgv(d, true),
    maintenanceModeArgv(d, false),
    nodeMaintenanceArgv(d, 'n1', true),
    nodeMaintenanceArgv(d, 'n1', false),
    metaArgv(d, 'vm1', 'allow-migrate', 'true'),
    metaArgv(d, 'vm1', 'allow-migrate', null),
    resourceMaintenanceArgv(d, 'vm1', true),
    targetRoleArgv(d, 'vm1', 'Stopped'),
    targetRoleArgv(d, 'vm1', null),
    restartArgv(d, 'vm1')!,
    banArgv(d, 'vm1', 'n2', 'PT1H'),
    cibCreateArgv(d, 'resources', '<primitive id="vm7"/>'),
    cibDeleteArgv(d, '<primitive id="vm7"/>'),
    verifyArgv(d),
    ...VERSION_PROBES,
  ];
}

/** The flags of an argv: its dash words, `--flag=value` cut at `=`. */
function flagsOf(argv: string[]): string[] {
  return argv.slice(1).filter((a) => a.startsWith('-')).map((a) => a.split('=')[0]!);
}

test('every command built for Pacemaker 3.0 uses flags the 3.0.2 tools have, none of them deprecated', () => {
  const argvs = everyArgv();
  assert.ok(argvs.length > 30);
  for (const argv of argvs) {
    const tool = FLAGS.tools[argv[0]!];
    assert.ok(tool, `${argv[0]} is a 3.0.2 tool (${argv.join(' ')})`);
    for (const f of flagsOf(argv)) {
      assert.ok(tool.flags.includes(f), `${argv[0]} ${f} exists in 3.0.2 (${argv.join(' ')})`);
      assert.ok(!tool.hidden.includes(f), `${argv[0]} ${f} is not hidden/deprecated in 3.0.2 (${argv.join(' ')})`);
    }
  }
});

test('the 3.0.2 flag fixture lacks what the 3.0.0 ChangeLog removed (the fixture is read right)', () => {
  const has = (tool: string, f: string) => FLAGS.tools[tool]!.flags.includes(f);
  for (const f of ['--get-property', '--set-property', '--xml-file']) assert.ok(!has('crm_resource', f), f);
  for (const f of ['--as-html', '--simple-status', '--web-cgi', '--disable-ncurses']) assert.ok(!has('crm_mon', f), f);
  for (const f of ['--host', '--no-bcast']) assert.ok(!has('cibadmin', f), f);
  assert.ok(has('crm_mon', '--as-xml') && FLAGS.tools.crm_mon!.hidden.includes('--as-xml'), '--as-xml is still there, hidden');
  assert.ok(has('crm_simulate', '--xml-file') && has('crm_resource', '--move') && has('stonith_admin', '--history'));
});

test('Pacemaker 3.0 dialect: no --as-xml fallback, fencing-enabled from 3.0.2, VM XML without master/lifetime', () => {
  assert.deepEqual(P3.status.map(statusArgv), [['crm_mon', '--output-as=xml'], ['cibadmin', '-Q']]);
  assert.equal(fencingPropertyName(P3, '3.0.2'), 'fencing-enabled');
  assert.equal(fencingPropertyName(P3, '3.1.0'), 'fencing-enabled');
  assert.equal(fencingPropertyName(P3, '3.0.1'), 'stonith-enabled');
  assert.equal(fencingPropertyName(P3, undefined), 'stonith-enabled');
  assert.equal(fencingPropertyName(DIALECTS['pacemaker-2'], '3.0.2'), 'stonith-enabled');
  const template = vmTemplateSchema.parse({ agent: 'ocf:heartbeat:Xen', sharedStorage: 'fs-clone' });
  const xml = vmResourceXml(P3, { vm: 'vm7', template, config: '/etc/xen/vm7.cfg', prefer: { node: 'n1', score: 100 } });
  const text = JSON.stringify(xml);
  assert.ok(!/<master\b|<lifetime\b|poweroff/.test(text), text);
});
