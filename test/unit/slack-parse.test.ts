import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isHasfError } from '../../src/errors/index.ts';
import { OPERATIONS } from '../../src/operations/index.ts';
import { OPERATION_COMMANDS, parseUsage } from '../../src/slack/command-spec.ts';
import { parseCommand, parseSizeMiB } from '../../src/slack/parse-command.ts';

const code = (c: string, re?: RegExp) => (e: unknown) => isHasfError(e, c as never) && (!re || re.test(e.message));

test('every catalogue operation has a /hasf command, read from its usage line', () => {
  // Each operation's words (others' operations may be added beside these).
  const words = new Map(OPERATION_COMMANDS.map((c) => [c.operation as string, c.words.join(' ')]));
  for (const [op, w] of [
    ['vm.migrate', 'migrate'],
    ['node.standby', 'standby'],
    ['node.online', 'online'],
    ['node.fence', 'fence'],
    ['lun.add', 'lun add'],
    ['resource.cleanup', 'cleanup'],
    ['cluster.maintenance', 'maintenance'],
    ['node.maintenance', 'node maintenance'],
    ['resource.maintenance', 'resource maintenance'],
    ['resource.stop', 'resource stop'],
    ['resource.start', 'resource start'],
    ['resource.restart', 'resource restart'],
    ['resource.ban', 'resource ban'],
    ['resource.clear', 'resource clear'],
    ['vm.add', 'vm add'],
    ['vm.remove', 'vm remove'],
    ['cluster.rolling', 'rolling'],
  ]) {
    assert.equal(words.get(op!), w, op);
  }
  assert.equal(OPERATION_COMMANDS.length, Object.keys(OPERATIONS).length);
  const lun = parseUsage(OPERATIONS['lun.add']);
  assert.deepEqual(lun.positionals, ['target', 'path|sizeMiB']);
  assert.deepEqual(lun.flags, [{ name: 'lun', value: 'N' }]);
  assert.deepEqual(parseUsage(OPERATIONS['node.fence']).flags, [{ name: 'off', value: undefined }]);
});

test('migrate with every request flag', () => {
  assert.deepEqual(parseCommand('migrate vm1 node2 --reason "kernel update on node1" --ticket CHG0042 --dry-run --allow-restart --cluster lab'), {
    kind: 'request',
    operation: 'vm.migrate',
    params: { vm: 'vm1', node: 'node2', allowRestart: true },
    reason: 'kernel update on node1',
    ticket: 'CHG0042',
    cluster: 'lab',
    dryRun: true,
    emergency: false,
    usage: OPERATIONS['vm.migrate'].usage,
  });
});

test('flags may come anywhere, and as --name=value', () => {
  const c = parseCommand('migrate --reason=swap vm1 --ticket=CHG1 node2');
  assert.equal(c.kind, 'request');
  if (c.kind !== 'request') return;
  assert.deepEqual(c.params, { vm: 'vm1', node: 'node2' });
  assert.equal(c.reason, 'swap');
  assert.equal(c.ticket, 'CHG1');
});

test('fence --off sets the action enum; plain fence leaves the default to the schema', () => {
  const off = parseCommand('fence node3 --off --reason hung');
  assert.ok(off.kind === 'request' && off.operation === 'node.fence');
  assert.deepEqual(off.kind === 'request' && off.params, { node: 'node3', action: 'off' });
  const reboot = parseCommand('fence node3');
  assert.deepEqual(reboot.kind === 'request' && reboot.params, { node: 'node3' });
});

test('standby, online, cleanup; --emergency', () => {
  assert.deepEqual((parseCommand('standby node2') as any).params, { node: 'node2' });
  assert.equal((parseCommand('online node2') as any).operation, 'node.online');
  const c = parseCommand('cleanup vm4 --emergency --reason "vm4 failed, customers down"') as any;
  assert.equal(c.operation, 'resource.cleanup');
  assert.equal(c.emergency, true);
  assert.deepEqual(c.params, { resource: 'vm4' });
});

test('lun add takes a path or a size (MiB, or with a unit) and --lun N', () => {
  assert.deepEqual((parseCommand('lun add store1 /srv/iscsi/disk1.img --lun 3') as any).params, { target: 'store1', path: '/srv/iscsi/disk1.img', lun: 3 });
  assert.deepEqual((parseCommand('lun add store1 512') as any).params, { target: 'store1', sizeMiB: 512 });
  assert.deepEqual((parseCommand('LUN ADD store1 2G') as any).params, { target: 'store1', sizeMiB: 2048 });
  assert.equal(parseSizeMiB('1t'), 1024 * 1024);
  assert.equal(parseSizeMiB('12 MiB'), 12);
  assert.equal(parseSizeMiB('x'), undefined);
  assert.throws(() => parseCommand('lun add store1 /a --lun three'), code('INVALID_INPUT', /whole number/));
});

test('reading and deciding commands', () => {
  assert.deepEqual(parseCommand(''), { kind: 'help', topic: undefined });
  assert.deepEqual(parseCommand('help lun add'), { kind: 'help', topic: 'lun add' });
  assert.deepEqual(parseCommand('status'), { kind: 'status', cluster: undefined });
  assert.deepEqual(parseCommand('status lab'), { kind: 'status', cluster: 'lab' });
  assert.deepEqual(parseCommand('jobs'), { kind: 'jobs', filter: 'recent' });
  assert.deepEqual(parseCommand('jobs mine'), { kind: 'jobs', filter: 'mine' });
  assert.deepEqual(parseCommand('jobs pending'), { kind: 'jobs', filter: 'pending' });
  assert.deepEqual(parseCommand('job j5kq1z7c2a9f'), { kind: 'job', id: 'j5kq1z7c2a9f' });
  assert.deepEqual(parseCommand('approve j1'), { kind: 'approve', id: 'j1', comment: undefined });
  assert.deepEqual(parseCommand('reject j1 not during the sale'), { kind: 'reject', id: 'j1', reason: 'not during the sale' });
  assert.deepEqual(parseCommand('reject j1 --reason "wrong node"'), { kind: 'reject', id: 'j1', reason: 'wrong node' });
  assert.deepEqual(parseCommand('cancel j1'), { kind: 'cancel', id: 'j1', reason: undefined });
  assert.deepEqual(parseCommand('pause j1 look at node2'), { kind: 'pause', id: 'j1', comment: 'look at node2' });
  assert.deepEqual(parseCommand('resume j1'), { kind: 'resume', id: 'j1', comment: undefined });
  assert.deepEqual(parseCommand('abort j1 --reason "storage alarm"'), { kind: 'abort', id: 'j1', comment: 'storage alarm' });
  assert.deepEqual(parseCommand('rolling marker --nodes node1,node3 --reboot none --reason "patch night"').kind, 'request');
});

test('an unknown command gets "did you mean" and the code UNKNOWN_OPERATION', () => {
  assert.throws(() => parseCommand('migrat vm1 node2'), (e) => isHasfError(e, 'UNKNOWN_OPERATION') && /did you mean \/hasf migrate\?/.test(e.message) && (e.details.closest as string[])[0] === 'migrate');
  assert.throws(() => parseCommand('stauts'), code('UNKNOWN_OPERATION', /\/hasf status/));
  assert.throws(() => parseCommand('lun ad store1 1G'), code('UNKNOWN_OPERATION', /\/hasf lun add/));
  assert.throws(() => parseCommand('reboot-everything'), code('UNKNOWN_OPERATION', /\/hasf help/));
});

test('an unknown option names the closest one and the usage', () => {
  assert.throws(
    () => parseCommand('migrate vm1 node2 --allow-restrat'),
    (e) => isHasfError(e, 'INVALID_INPUT') && /did you mean --allow-restart\?/.test(e.message) && e.details.usage === OPERATIONS['vm.migrate'].usage,
  );
  assert.throws(() => parseCommand('fence node3 --lun 2'), code('INVALID_INPUT', /Unknown option --lun/));
});

test('missing and extra words say what and show the usage', () => {
  assert.throws(() => parseCommand('migrate vm1'), code('INVALID_INPUT', /Missing <node>\. Usage: \/hasf migrate/));
  assert.throws(() => parseCommand('migrate vm1 node2 disk swap'), code('INVALID_INPUT', /Unexpected "disk swap"; quote text/));
  assert.throws(() => parseCommand('fence'), code('INVALID_INPUT', /Missing <node>/));
  assert.throws(() => parseCommand('job'), code('INVALID_INPUT', /job id/));
  assert.throws(() => parseCommand('jobs everything'), code('INVALID_INPUT', /mine or pending/));
});

test('flag values: required, no value for switches, no repeats, ticket shape, reason length', () => {
  assert.throws(() => parseCommand('migrate vm1 node2 --reason'), code('INVALID_INPUT', /--reason needs a value/));
  assert.throws(() => parseCommand('migrate vm1 node2 --ticket --dry-run'), code('INVALID_INPUT', /--ticket needs a value/));
  assert.throws(() => parseCommand('migrate vm1 node2 --dry-run=yes'), code('INVALID_INPUT', /switch/));
  assert.throws(() => parseCommand('migrate vm1 node2 --reason a --reason b'), code('INVALID_INPUT', /twice/));
  assert.throws(() => parseCommand('migrate vm1 node2 --ticket "CHG 1; rm -rf /"'), code('INVALID_INPUT', /not a ticket reference/));
  assert.throws(() => parseCommand(`migrate vm1 node2 --reason "${'x'.repeat(501)}"`), code('INVALID_INPUT', /under 500/));
});

test('a quoted word starting with -- is text, not a flag', () => {
  const c = parseCommand('reject j1 "--force is wrong here"');
  assert.deepEqual(c, { kind: 'reject', id: 'j1', reason: '--force is wrong here' });
});
