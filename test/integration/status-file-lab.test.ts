import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { flattenResources, parseCrmMonXml, type ClusterStatus } from '../../src/cluster/index.ts';
import { labExec } from '../../src/lab/index.ts';
import { hasf } from '../helpers/cli.ts';
import { labDir, NO_LAB } from '../helpers/harness.ts';

// A crm_report-like tarball made by hand on the lab: each node's own CIB (cibadmin -Q on
// that node, as crm_report collects it), its crm_mon text, one node's copy made older.
// `hasf status --file` on it must show what crm_mon shows on the live cluster.
const dir = labDir();
const work = mkdtempSync(join(tmpdir(), 'hasf-report-lab-'));
after(() => rmSync(work, { recursive: true, force: true }));

const placements = (s: ClusterStatus) =>
  flattenResources(s.resources)
    .filter((r) => r.kind === 'primitive')
    .map((r) => `${r.id}@${[...r.nodes].sort().join('+')}`)
    .sort();

describe('hasf status --file on a crm_report tarball made in the lab', { skip: dir ? false : NO_LAB, timeout: 120_000 }, () => {
  test('the newest cib.xml is read, and its nodes and placements are what crm_mon shows', async () => {
    const live = parseCrmMonXml((await labExec({ dir: dir! }, 'node1', ['crm_mon', '--output-as=xml'])).stdout);
    const report = join(work, 'pcmk-lab-2026-12-01');
    for (const node of ['node1', 'node2', 'node3']) {
      mkdirSync(join(report, node), { recursive: true });
      let cib = (await labExec({ dir: dir! }, node, ['cibadmin', '-Q'])).stdout;
      // node3's copy stands in for a node that saw an older CIB: its epoch is lower.
      if (node === 'node3') cib = cib.replace(/(<cib\b[^>]*\bepoch=")(\d+)"/, (_m, a: string, e: string) => `${a}${Math.max(0, Number(e) - 1)}"`);
      writeFileSync(join(report, node, 'cib.xml'), cib);
      writeFileSync(join(report, node, 'crm_mon.txt'), (await labExec({ dir: dir! }, node, ['crm_mon', '-1'])).stdout);
    }
    writeFileSync(join(report, 'description.txt'), 'Made by hand on the HASF lab for the status --file test.\n');
    const tarball = join(work, 'pcmk-lab-2026-12-01.tar.bz2');
    execFileSync('tar', ['-cjf', tarball, '-C', work, 'pcmk-lab-2026-12-01']);

    const text = await hasf(['status', '--file', tarball], {});
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /\(pcmk-lab-2026-12-01\/node[12]\/cib\.xml\): CIB, pacemaker-/);
    const json = await hasf(['status', '--file', tarball, '--json'], {});
    assert.equal(json.code, 0, json.stderr);
    const s = JSON.parse(json.stdout) as ClusterStatus;
    assert.deepEqual(
      s.nodes.map((n) => [n.name, n.online, n.standby, n.unclean]).sort(),
      live.nodes.map((n) => [n.name, n.online, n.standby, n.unclean]).sort(),
    );
    assert.deepEqual(placements(s), placements(live));
    assert.equal(s.dcNode, live.dcNode);
  });
});
