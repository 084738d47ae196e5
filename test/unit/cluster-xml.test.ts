import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseXml, parseXmlReference } from '../../src/cluster/xml.ts';
import { scanXml } from '../../src/cluster/xml-scan.ts';
import { generateCrmMonXml } from '../../bench/status-parse.ts';
import { parseCrmMonXml } from '../../src/cluster/index.ts';

const root = join(import.meta.dirname, '../fixtures/pacemaker');
const files = readdirSync(root, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.xml') && !f.startsWith('seeds'));

/** fast-xml-parser keeps empty text; the scanner drops text entirely. Compare elements and attributes. */
function strip(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(strip);
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (k !== '#text') o[k] = strip(x);
    return o;
  }
  return v;
}

test('the scanner builds the same tree as fast-xml-parser on every fixture', () => {
  assert.ok(files.length >= 25);
  for (const f of files) {
    const xml = readFileSync(join(root, f), 'utf8');
    assert.deepEqual(strip(scanXml(xml)), strip(parseXmlReference(xml)), f);
  }
});

test('entities in attributes are decoded like fast-xml-parser does', () => {
  const xml = `<a v="&lt;3.15.1 &amp; &quot;x&quot; &#65;&#x42;" w='it&apos;s'/>`;
  assert.deepEqual(scanXml(xml), { a: [{ $: { v: '<3.15.1 & "x" AB', w: "it's" } }] });
});

test('malformed XML is rejected', () => {
  for (const bad of ['<a><b></a>', '<a>', '<a b="1></a>', '<a></b>', '<a x=1/>', '<!DOCTYPE a [<!ENTITY e "x">]><a/>', '<__proto__/>']) {
    assert.throws(() => parseXml(bad, 'test'), { code: 'PARSE_ERROR' }, bad);
  }
});

test('status parse of 32 nodes x 5,000 resources reads every node and resource (its time is in npm run bench)', () => {
  const s = parseCrmMonXml(generateCrmMonXml(32, 5000));
  assert.equal(s.nodes.length, 32);
  assert.equal(s.resources.length, 5000);
  assert.deepEqual(s.resources[4999]!.nodes, ['node8']);
});
