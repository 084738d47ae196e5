import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CSV_COLUMNS,
  csvCell,
  csvHeader,
  csvLine,
  jsonlLine,
  type AuditRecord,
} from '../../src/audit/index.ts';

/** A small RFC 4180 reader, to prove the writer's output parses back to the same cells. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (q) {
      if (c === '"' && text[i + 1] === '"') ((cell += '"'), i++);
      else if (c === '"') q = false;
      else cell += c;
    } else if (c === '"') q = true;
    else if (c === ',') (row.push(cell), (cell = ''));
    else if (c === '\r' && text[i + 1] === '\n')
      (row.push(cell), rows.push(row), (row = []), (cell = ''), i++);
    else cell += c;
  }
  return rows;
}

const rec: AuditRecord = {
  seq: 7,
  time: '2024-05-01T10:00:00.000Z',
  actor: 'alice, "the admin"',
  channel: 'slack',
  jobId: null,
  event: 'command.result',
  details: { out: 'line1\r\nline2, "quoted"', exit: 1 },
  prev: 'a'.repeat(64),
  mac: 'b'.repeat(64),
  streamId: '1714557600000-0',
};

describe('audit CSV and JSONL', () => {
  it('quotes cells with commas, quotes and newlines, and doubles quotes', () => {
    assert.equal(csvCell('plain'), 'plain');
    assert.equal(csvCell('a,b'), '"a,b"');
    assert.equal(csvCell('say "hi"'), '"say ""hi"""');
    assert.equal(csvCell('l1\nl2'), '"l1\nl2"');
    assert.equal(csvCell(null), '');
    assert.equal(csvCell(42), '42');
  });

  it('defuses spreadsheet formulas in text cells', () => {
    assert.equal(csvCell('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
    assert.equal(csvCell('+1'), "'+1");
    assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
  });

  it('writes a header and one line per record that parse back to the same fields, details as JSON', () => {
    const rows = parseCsv(csvHeader() + csvLine(rec));
    assert.deepEqual(rows[0], [...CSV_COLUMNS]);
    assert.equal(rows.length, 2);
    const r = rows[1]!;
    assert.equal(r[0], '7');
    assert.equal(r[2], rec.actor);
    assert.equal(r[4], '');
    assert.deepEqual(JSON.parse(r[6]!), rec.details);
    assert.equal(r[9], rec.streamId);
  });

  it('writes JSONL as one canonical line per record', () => {
    const line = jsonlLine(rec);
    assert.ok(line.endsWith('\n') && !line.slice(0, -1).includes('\n'));
    assert.deepEqual(JSON.parse(line), rec);
    assert.ok(line.startsWith('{"actor":'));
  });
});
