import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DIALECTS,
  PacemakerDriver,
  cleanupArgv,
  clearArgv,
  dialectFromVersion,
  fenceArgv,
  fenceHistoryArgv,
  moveArgv,
  simulateArgv,
  standbyArgv,
  statusArgv,
  validateName,
  type StackDialect,
} from '../../src/cluster/index.ts';
import type { CommandExecutor, CommandResult, RunOptions } from '../../src/ssh/types.ts';

const d = (id: StackDialect) => DIALECTS[id];

test('move argv per dialect', () => {
  assert.deepEqual(moveArgv(d('heartbeat-2.1'), 'vm1', 'n2'), ['crm_resource', '-M', '-r', 'vm1', '-H', 'n2']);
  assert.deepEqual(moveArgv(d('heartbeat-2.1'), 'vm1', 'n2', 'PT1H'), ['crm_resource', '-M', '-r', 'vm1', '-H', 'n2', '-u', 'PT1H']);
  assert.deepEqual(moveArgv(d('pacemaker-1.0'), 'vm1', 'n2', 'PT1H'), ['crm_resource', '-M', '-r', 'vm1', '-N', 'n2', '-u', 'PT1H']);
  assert.deepEqual(moveArgv(d('pacemaker-1.1'), 'vm1', 'n2'), ['crm_resource', '--move', '--resource', 'vm1', '--node', 'n2']);
  assert.deepEqual(moveArgv(d('pacemaker-2'), 'vm1', 'n2', 'P1D'), ['crm_resource', '--move', '--resource', 'vm1', '--node', 'n2', '--lifetime', 'P1D']);
});

test('clear argv per dialect', () => {
  assert.deepEqual(clearArgv(d('heartbeat-2.1'), 'vm1'), ['crm_resource', '-U', '-r', 'vm1']);
  assert.deepEqual(clearArgv(d('pacemaker-1.0'), 'vm1'), ['crm_resource', '-U', '-r', 'vm1']);
  assert.deepEqual(clearArgv(d('pacemaker-1.1'), 'vm1'), ['crm_resource', '-U', '--resource', 'vm1']);
  assert.deepEqual(clearArgv(d('pacemaker-2'), 'vm1'), ['crm_resource', '--clear', '--resource', 'vm1']);
});

test('standby argv per dialect', () => {
  assert.deepEqual(standbyArgv(d('heartbeat-2.1'), 'n1', true), ['crm_standby', '-U', 'n1', '-v', 'on', '-l', 'forever']);
  assert.deepEqual(standbyArgv(d('pacemaker-1.0'), 'n1', false), ['crm_attribute', '-N', 'n1', '-n', 'standby', '-v', 'off', '-l', 'forever']);
  for (const id of ['pacemaker-1.1', 'pacemaker-2'] as const) {
    assert.deepEqual(standbyArgv(d(id), 'n1', true), ['crm_attribute', '--node', 'n1', '--name', 'standby', '--update', 'on', '--lifetime', 'forever']);
  }
});

test('fence and fence history argv per dialect; none before 1.1', () => {
  for (const id of ['heartbeat-2.1', 'pacemaker-1.0'] as const) {
    assert.throws(() => fenceArgv(d(id), 'n1', 'reboot'), { code: 'UNSUPPORTED_STACK' });
    assert.throws(() => fenceHistoryArgv(d(id), 'n1'), { code: 'UNSUPPORTED_STACK' });
  }
  for (const id of ['pacemaker-1.1', 'pacemaker-2'] as const) {
    assert.deepEqual(fenceArgv(d(id), 'n1', 'reboot'), ['stonith_admin', '--reboot', 'n1']);
    assert.deepEqual(fenceArgv(d(id), 'n1', 'off'), ['stonith_admin', '--fence', 'n1']);
  }
  assert.deepEqual(fenceHistoryArgv(d('pacemaker-1.1'), 'n1'), ['stonith_admin', '--history', 'n1', '--verbose']);
  assert.deepEqual(fenceHistoryArgv(d('pacemaker-2')), ['stonith_admin', '--history', '*', '--verbose', '--output-as=xml']);
});

test('cleanup argv per dialect; Heartbeat needs the node', () => {
  assert.throws(() => cleanupArgv(d('heartbeat-2.1'), 'vm1'), { code: 'INVALID_INPUT' });
  assert.deepEqual(cleanupArgv(d('heartbeat-2.1'), 'vm1', 'n1'), ['crm_resource', '-C', '-r', 'vm1', '-H', 'n1']);
  assert.deepEqual(cleanupArgv(d('pacemaker-1.0'), 'vm1'), ['crm_resource', '-C', '-r', 'vm1']);
  assert.deepEqual(cleanupArgv(d('pacemaker-2'), 'vm1'), ['crm_resource', '--cleanup', '--resource', 'vm1']);
  assert.deepEqual(cleanupArgv(d('pacemaker-1.1'), 'vm1', 'n2'), ['crm_resource', '--cleanup', '--resource', 'vm1', '--node', 'n2']);
});

test('status sources and crm_simulate per dialect', () => {
  assert.deepEqual(d('heartbeat-2.1').status.map(statusArgv), [['cibadmin', '-Q']]);
  assert.deepEqual(d('pacemaker-1.1').status.map(statusArgv), [['crm_mon', '-1', '--as-xml'], ['cibadmin', '-Q']]);
  assert.deepEqual(d('pacemaker-2').status.map(statusArgv), [['crm_mon', '--output-as=xml'], ['crm_mon', '-1', '--as-xml'], ['cibadmin', '-Q']]);
  assert.throws(() => simulateArgv(d('pacemaker-1.0'), '/t/in', '/t/out', { xml: false }), { code: 'UNSUPPORTED_STACK' });
  assert.deepEqual(simulateArgv(d('pacemaker-2'), '/t/in', '/t/out', { xml: true, failNode: 'n2' }), [
    'crm_simulate', '--xml-file', '/t/in', '--node-fail', 'n2', '--simulate', '--save-output', '/t/out', '--output-as=xml',
  ]);
});

test('dialect from --version text', () => {
  assert.deepEqual(dialectFromVersion('Pacemaker 2.1.5\nWritten by Andrew Beekhof'), { id: 'pacemaker-2', version: '2.1.5' });
  assert.deepEqual(dialectFromVersion('Pacemaker 3.0.0\n'), { id: 'pacemaker-3', version: '3.0.0' });
  assert.deepEqual(dialectFromVersion('Pacemaker 3.0.2\nWritten by Andrew Beekhof and the Pacemaker project contributors'), { id: 'pacemaker-3', version: '3.0.2' });
  assert.deepEqual(dialectFromVersion('Pacemaker 1.1.23-1.el7\n'), { id: 'pacemaker-1.1', version: '1.1.23' });
  assert.deepEqual(dialectFromVersion('Pacemaker 1.0.12 (Build: 066152e)'), { id: 'pacemaker-1.0', version: '1.0.12' });
  assert.deepEqual(dialectFromVersion('Pacemaker 0.6.5 (Build: abc)'), { id: 'heartbeat-2.1', version: '0.6.5' });
  assert.deepEqual(dialectFromVersion('crm_mon 2.1.4 (Build: aa909246edb386137b986c5773344b98c6969999)'), { id: 'heartbeat-2.1', version: '2.1.4' });
  assert.equal(dialectFromVersion('bash: crm_mon: command not found'), null);
});

/** Answers version probes with fixed text and records every argv: a pure-logic test double. */
class ScriptedExecutor implements CommandExecutor {
  readonly name = 'scripted';
  readonly calls: string[][] = [];
  constructor(private readonly answers: Record<string, Partial<CommandResult>>) {}
  async run(argv: string[], _o?: RunOptions): Promise<CommandResult> {
    this.calls.push(argv);
    const a = this.answers[argv.join(' ')] ?? { exitCode: 127, stderr: `${argv[0]}: not found` };
    return { host: this.name, argv, exitCode: 0, stdout: '', stderr: '', durationMs: 1, truncated: false, ...a };
  }
}

test('driver detects the dialect once, falling back across probes; inventory overrides', async () => {
  const exec = new ScriptedExecutor({ 'pacemakerd --version': { stdout: 'Pacemaker 1.1.16\n' } });
  const drv = new PacemakerDriver({ name: 'c1', exec });
  const a = await drv.dialect();
  const b = await drv.dialect();
  assert.equal(a.name, 'pacemaker-1.1');
  assert.equal(a.source, 'detected');
  assert.equal(a.version, '1.1.16');
  assert.equal(b, a);
  assert.deepEqual(exec.calls, [['crm_mon', '--version'], ['pacemakerd', '--version']]);
  assert.deepEqual(await drv.commandsFor({ kind: 'clear', resource: 'vm1' }), [['crm_resource', '-U', '--resource', 'vm1']]);

  const fixed = new PacemakerDriver({ name: 'c2', exec: new ScriptedExecutor({}), dialect: 'heartbeat-2.1' });
  assert.equal((await fixed.dialect()).source, 'inventory');
  assert.deepEqual(await fixed.commandsFor({ kind: 'move', resource: 'vm1', node: 'xen2' }), [['crm_resource', '-M', '-r', 'vm1', '-H', 'xen2']]);
  await assert.rejects(fixed.fence('xen2', 'reboot'), { code: 'UNSUPPORTED_STACK' });

  const unknown = new PacemakerDriver({ name: 'c3', exec: new ScriptedExecutor({}) });
  await assert.rejects(unknown.dialect(), { code: 'UNSUPPORTED_STACK' });
});

test('validateName allows cluster names and rejects everything else', () => {
  for (const ok of ['vm1', 'node-2', 'web_ip', 'ms-drbd0:1', 'a', 'N.example.com', 'x'.repeat(64)]) {
    assert.equal(validateName('resource', ok), ok);
  }
  const bad = [
    '', '-rf', '--force', 'vm1;reboot', 'vm1 vm2', "vm'1", 'vm"1', 'vm1\nnode', 'vm$(id)', 'vm`id`', 'vm|x', 'vm&', 'vm>f',
    'x'.repeat(65), 'vmé', 'vm١', 'ｖｍ1', '.hidden', ':x', 'a/b', 'a\\b', 'a*', '*', 'vm1\0',
  ];
  for (const b of bad) assert.throws(() => validateName('node', b), { code: 'INVALID_NAME' }, JSON.stringify(b));
  assert.throws(() => validateName('node', 42), { code: 'INVALID_NAME' });
});

test('every driver method validates names before running anything', async () => {
  const exec = new ScriptedExecutor({ 'crm_mon --version': { stdout: 'Pacemaker 2.1.5\n' } });
  const drv = new PacemakerDriver({ name: 'c', exec });
  const evil = 'vm1; reboot';
  const calls: Promise<unknown>[] = [
    drv.move(evil, 'node1'),
    drv.move('vm1', '-node1'),
    drv.move('vm1', 'node1', { lifetime: '1 hour' }),
    drv.clear(evil),
    drv.standby('node 1', true),
    drv.fence('$(reboot)', 'reboot'),
    drv.fenceHistory('node1\n'),
    drv.cleanup(evil),
    drv.predict({ kind: 'move', resource: evil, node: 'node1' }),
    drv.commandsFor({ kind: 'fence', node: '--all', action: 'off' }),
  ];
  for (const c of calls) await assert.rejects(c, (e: { code: string }) => ['INVALID_NAME', 'INVALID_INPUT'].includes(e.code));
  assert.deepEqual(exec.calls, [], 'no command ran');
});
