import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { opCommands, opIndexSource } from '../../src/cli/op-commands.ts';
import { mainHelp } from '../../src/cli/help.ts';
import { OP_INDEX } from '../../src/cli/op-index.ts';
import { COMMANDS } from '../../src/cli/registry.ts';

const ROOT = join(import.meta.dirname, '../..');

test('src/cli/op-index.json is what the catalogue generates (run npm run gen:api when this fails)', () => {
  assert.equal(readFileSync(join(ROOT, 'src/cli/op-index.json'), 'utf8'), opIndexSource());
  assert.deepEqual(
    OP_INDEX.map((c) => c.words.join(' ')),
    opCommands().map((c) => c.words.join(' ')),
  );
});

test('hasf help from the index is the help from the catalogue', () => {
  assert.equal(mainHelp(OP_INDEX), mainHelp(opCommands()));
});

test('no operation command starts with a word of another command (hasf start is the demo, resource start an operation)', () => {
  const names = new Set(COMMANDS.map((c) => c.name));
  for (const c of OP_INDEX) assert.ok(!names.has(c.words[0]!), `${c.words.join(' ')} would shadow hasf ${c.words[0]}`);
});
