import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isHasfError } from '../../src/errors/index.ts';
import { tokenize, unescapeSlack } from '../../src/slack/tokenize.ts';

const values = (s: string) => tokenize(s).map((t) => t.value);

test('splits on any whitespace and ignores repeats', () => {
  assert.deepEqual(values('  migrate\tvm1   node2 \n'), ['migrate', 'vm1', 'node2']);
  assert.deepEqual(values(''), []);
});

test('double and single quotes group words; quoted words are marked', () => {
  const t = tokenize(`migrate vm1 node2 --reason "disk swap on node1" --ticket 'CHG 1'`);
  assert.deepEqual(t.map((x) => x.value), ['migrate', 'vm1', 'node2', '--reason', 'disk swap on node1', '--ticket', 'CHG 1']);
  assert.equal(t[4]!.quoted, true);
  assert.equal(t[3]!.quoted, false);
});

test('typographic quotes, as Slack clients type them, group too', () => {
  assert.deepEqual(values('reject j1 \u201cnot during business hours\u201d'), ['reject', 'j1', 'not during business hours']);
  assert.deepEqual(values('x \u2018a b\u2019'), ['x', 'a b']);
  // A straight quote may close a typographic one (mixed keyboards).
  assert.deepEqual(values('x \u201ca b"'), ['x', 'a b']);
});

test('an apostrophe inside a word is text, not a quote', () => {
  assert.deepEqual(values("cleanup vm1 --reason don't-panic"), ['cleanup', 'vm1', '--reason', "don't-panic"]);
  assert.deepEqual(values('x it\u2019s'), ['x', 'it\u2019s']);
});

test('--flag="a b" keeps the flag and the grouped value in one word', () => {
  assert.deepEqual(values('migrate --reason="a b" x'), ['migrate', '--reason=a b', 'x']);
  assert.deepEqual(values("migrate --reason='a b'"), ['migrate', '--reason=a b']);
});

test('backslash escapes a quote or a space', () => {
  assert.deepEqual(values('a\\ b "say \\"hi\\""'), ['a b', 'say "hi"']);
});

test('an empty quoted string is a word', () => {
  assert.deepEqual(values('x ""'), ['x', '']);
});

test('Slack HTML escapes are undone before splitting', () => {
  assert.equal(unescapeSlack('a &lt;b&gt; &amp;amp;'), 'a <b> &amp;');
  assert.deepEqual(values('--reason "R&amp;D &lt;urgent&gt;"'), ['--reason', 'R&D <urgent>']);
});

test('an unclosed quote is INVALID_INPUT saying where', () => {
  assert.throws(() => tokenize('migrate vm1 node2 --reason "oops'), (e) => isHasfError(e, 'INVALID_INPUT') && /character 28/.test(e.message));
});
