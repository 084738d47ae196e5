import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { buildCommandLine, shellQuote } from '../../src/ssh/index.ts';

const nasty = [
  'plain',
  'with space',
  "it's",
  "''",
  '"double"',
  '$(touch /tmp/hasf-pwned)',
  '`id`',
  '$HOME ${PATH}',
  'a\nb\tc',
  '-rf',
  '--help',
  '*',
  '~root',
  'a;b&&c||d|e',
  '<in >out 2>&1',
  '\\backslash\\',
  '!bang',
  '',
  'ümlaut ✓',
  '#comment',
];

test('shellQuote round-trips every argument through a real POSIX shell (sh and bash)', () => {
  for (const shell of ['/bin/sh', '/bin/bash']) {
    const line = buildCommandLine(['printf', '%s\\0', ...nasty]);
    const out = execFileSync(shell, ['-c', line]).toString('utf8');
    assert.deepEqual(out.split('\0').slice(0, -1), nasty, shell);
  }
});

test('safe words stay bare, others are single-quoted', () => {
  assert.equal(shellQuote('crm_mon'), 'crm_mon');
  assert.equal(shellQuote('--output-as=xml'), '--output-as=xml');
  assert.equal(shellQuote('a b'), "'a b'");
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
  assert.equal(shellQuote(''), "''");
  assert.throws(() => shellQuote('a\0b'));
});

test('env becomes leading assignments; bad names are refused', () => {
  const line = buildCommandLine(['sh', '-c', 'printf %s "$CIB_file|$X"'], { CIB_file: "/tmp/a b'c", X: '$(id)' });
  assert.equal(line.startsWith(`CIB_file='/tmp/a b'\\''c' X='$(id)' sh`), true);
  assert.equal(execFileSync('/bin/sh', ['-c', line]).toString(), "/tmp/a b'c|$(id)");
  assert.throws(() => buildCommandLine(['true'], { 'A;rm': 'x' }));
  assert.throws(() => buildCommandLine([]));
});

test('the command word is never read as an assignment or keyword', () => {
  assert.equal(buildCommandLine(['X=1', 'a']), "'X=1' a");
  assert.equal(buildCommandLine(['if', 'a']), "'if' a");
  // Run through a shell: `'X=1'` must be looked up as a command (127), not assigned.
  const r = (() => {
    try {
      execFileSync('/bin/sh', ['-c', buildCommandLine(['X=1', 'true'])], { stdio: 'pipe' });
      return 0;
    } catch (e) {
      return (e as { status: number }).status;
    }
  })();
  assert.equal(r, 127);
});

test('exec option replaces the shell and keeps env assignments exported', () => {
  const line = buildCommandLine(['sh', '-c', 'echo "$K"'], { K: 'v w' }, { exec: true });
  assert.equal(line, `K='v w' exec sh -c 'echo "$K"'`);
  assert.equal(execFileSync('/bin/sh', ['-c', line]).toString(), 'v w\n');
});
