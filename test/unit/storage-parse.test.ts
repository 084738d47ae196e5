import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  parseIetVolume,
  parseLioSize,
  parseTargetcliLs,
  parseTgtadmShow,
  renderTgtConf,
  tgtConfFileName,
} from '../../src/storage/index.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/storage/${name}`, import.meta.url), 'utf8');

describe('parseTgtadmShow (captured from tgt 1.0.85)', () => {
  const targets = parseTgtadmShow(fixture('tgtadm-show-1.0.85.txt'));

  it('reads targets, LUNs, backing stores, sizes and ACLs', () => {
    assert.deepEqual(
      targets.map((t) => ({ tid: t.tid, iqn: t.iqn, acl: t.acl, luns: t.luns.map((l) => [l.lun, l.type, l.path, l.bsType, l.sizeBytes]) })),
      [
        {
          tid: 1,
          iqn: 'iqn.2026-11.test.hasf:store1.shared',
          acl: ['ALL'],
          luns: [
            [0, 'controller', undefined, 'null', 0],
            [1, 'disk', '/var/lib/hasf/luns/vm1.img', 'rdwr', 67_000_000],
            [3, 'disk', '/var/lib/hasf/luns/vm3.img', 'aio', 8_000_000],
          ],
        },
        {
          tid: 2,
          iqn: 'iqn.2026-11.test.hasf:store1.other',
          acl: ['10.231.7.0/24', '192.168.1.10'],
          luns: [
            [0, 'controller', undefined, 'null', 0],
            [2, 'disk', '/var/lib/hasf/luns/other.img', 'rdwr', 1_074_000_000],
          ],
        },
      ],
    );
  });

  it('ignores connected initiators (I_T nexus) and reads bound accounts', () => {
    const text = [
      'Target 1: iqn.2026-11.test.hasf:t1',
      '    System information:',
      '        Driver: iscsi',
      '        State: ready',
      '    I_T nexus information:',
      '        I_T nexus: 1',
      '            Initiator: iqn.1996-04.de.suse:01:node1 alias: node1',
      '            Connection: 0',
      '                IP Address: 10.231.7.11',
      '    LUN information:',
      '        LUN: 1',
      '            Type: disk',
      '            Size: 2147 MB, Block size: 512',
      '            Backing store path: /dev/vg0/lv1',
      '    Account information:',
      '        chapuser',
      '    ACL information:',
      '        10.231.7.0/24',
      '',
    ].join('\n');
    const [t] = parseTgtadmShow(text);
    assert.deepEqual(t!.luns, [{ lun: 1, type: 'disk', path: '/dev/vg0/lv1', sizeBytes: 2_147_000_000 }]);
    assert.deepEqual(t!.accounts, ['chapuser']);
    assert.deepEqual(t!.acl, ['10.231.7.0/24']);
  });

  it('reads an empty target list and rejects foreign output', () => {
    assert.deepEqual(parseTgtadmShow(''), []);
    assert.throws(() => parseTgtadmShow('tgtadm: failed to send request hdr to tgt daemon, Transport endpoint is not connected\n'), {
      code: 'PARSE_ERROR',
    });
  });

  it('renders a tgt-admin block with explicit LUN numbers, bs-type and ACLs', () => {
    const conf = renderTgtConf(targets[0]!);
    assert.ok(
      conf.includes(
        [
          '<target iqn.2026-11.test.hasf:store1.shared>',
          '    <backing-store /var/lib/hasf/luns/vm1.img>',
          '        lun 1',
          '    </backing-store>',
          '    <backing-store /var/lib/hasf/luns/vm3.img>',
          '        lun 3',
          '        bs-type aio',
          '    </backing-store>',
          '    initiator-address ALL',
          '</target>',
        ].join('\n'),
      ),
      conf,
    );
    assert.match(renderTgtConf(targets[1]!), /initiator-address 10\.231\.7\.0\/24\n {4}initiator-address 192\.168\.1\.10\n/);
    assert.equal(tgtConfFileName('iqn.2026-11.test.hasf:store1.shared'), 'hasf-iqn.2026-11.test.hasf_store1.shared.conf');
  });
});

describe('parseTargetcliLs (hand-written from targetcli documentation)', () => {
  it('reads targetcli-fb backstores and the LUNs of every TPG', () => {
    const tree = parseTargetcliLs(fixture('targetcli-ls-fb.txt'));
    assert.deepEqual(tree.backstores, [
      { type: 'block', name: 'disk1', path: '/dev/vg0/disk1', sizeBytes: 10 * 2 ** 30 },
      { type: 'block', name: 'other1', path: '/dev/vg0/other1', sizeBytes: 2 * 2 ** 30 },
      { type: 'fileio', name: 'vm2disk', path: '/var/lib/hasf/luns/vm2disk.img', sizeBytes: 64 * 2 ** 20 },
      { type: 'fileio', name: 'spare', path: '/var/lib/hasf/luns/spare.img', sizeBytes: 1.5 * 2 ** 30 },
    ]);
    const iqn = 'iqn.2003-01.org.linux-iscsi.store1.x8664:sn.4b2a9e1c7d0f';
    assert.deepEqual(tree.luns, [
      { iqn, tpg: 1, lun: 0, backstore: 'block/disk1', path: '/dev/vg0/disk1' },
      { iqn, tpg: 1, lun: 2, backstore: 'fileio/vm2disk', path: '/var/lib/hasf/luns/vm2disk.img' },
      { iqn: 'iqn.2003-01.org.linux-iscsi.store1.x8664:sn.other', tpg: 1, lun: 0, backstore: 'block/other1', path: '/dev/vg0/other1' },
    ]);
    assert.deepEqual(tree.tpgs.map((t) => t.iqn), [iqn, 'iqn.2003-01.org.linux-iscsi.store1.x8664:sn.other']);
  });

  it('reads the older targetcli 2.0 layout', () => {
    const tree = parseTargetcliLs(fixture('targetcli-ls-legacy.txt'));
    assert.deepEqual(tree.backstores, [{ type: 'fileio', name: 'lun1file', path: '/srv/iscsi/lun1.img', sizeBytes: 100 * 2 ** 20 }]);
    assert.deepEqual(tree.luns, [
      { iqn: 'iqn.2003-01.org.linux-iscsi.store2.x8664:sn.legacy', tpg: 1, lun: 1, backstore: 'fileio/lun1file', path: '/srv/iscsi/lun1.img' },
    ]);
  });

  it('sizes and foreign output', () => {
    assert.equal(parseLioSize('10.0GiB'), 10 * 2 ** 30);
    assert.equal(parseLioSize('100.0M'), 100 * 2 ** 20);
    assert.equal(parseLioSize('512.0KiB'), 512 * 1024);
    assert.equal(parseLioSize('lots'), undefined);
    assert.throws(() => parseTargetcliLs('No such path /iscsi\n'), { code: 'PARSE_ERROR' });
  });
});

describe('parseIetVolume (hand-written from the IET README)', () => {
  it('reads IET 1.4 volumes with sizes', () => {
    assert.deepEqual(parseIetVolume(fixture('iet-volume-1.4.txt')), [
      {
        tid: 2,
        iqn: 'iqn.2001-04.com.example:store1.shared',
        luns: [
          { lun: 0, iotype: 'blockio', path: '/dev/vg0/shared0', sizeBytes: 41943040 * 512 },
          { lun: 3, iotype: 'fileio', path: '/var/lib/hasf/luns/vm3disk.img', sizeBytes: 64 * 2 ** 20 },
        ],
      },
      { tid: 1, iqn: 'iqn.2001-04.com.example:store1.other', luns: [{ lun: 0, iotype: 'fileio', path: '/var/lib/iet/other.img', sizeBytes: 2048 * 512 }] },
    ]);
  });

  it('reads the SLES 10 (IET 0.4) layout without sizes', () => {
    const [t] = parseIetVolume(fixture('iet-volume-0.4.txt'));
    assert.deepEqual(t!.luns, [
      { lun: 0, iotype: 'fileio', path: '/dev/sdb1', sizeBytes: undefined },
      { lun: 1, iotype: 'fileio', path: '/srv/xen/vm1.img', sizeBytes: undefined },
    ]);
  });

  it('leaves to other files what they already set for the target (a repeated ACL fails tgt-admin at boot)', async () => {
    const { targetInFiles, definedElsewhere, FILE_MARK } = await import('../../src/storage/tgt-files.ts');
    const t = { tid: 1, iqn: 'iqn.2026-11.lab.hasf:store1', luns: [{ lun: 0, type: 'controller' }, { lun: 1, type: 'disk', path: '/srv/a.img' }, { lun: 2, type: 'disk', path: '/srv/site.img' }], acl: ['ALL'], accounts: [] };
    const own = '/etc/tgt/conf.d/hasf-iqn.2026-11.lab.hasf_store1.conf';
    const dump = [`${FILE_MARK}/etc/tgt/conf.d/lab.conf`, '<target iqn.2026-11.lab.hasf:store1>', '    initiator-address ALL', '    backing-store /srv/site.img', '</target>', `${FILE_MARK}${own}`, '<target iqn.2026-11.lab.hasf:store1>', '    initiator-address ALL', '</target>'].join('\n');
    const conf = renderTgtConf(t, [], definedElsewhere(targetInFiles(dump, t.iqn), own));
    assert.doesNotMatch(conf, /^\s+initiator-address/m);
    assert.doesNotMatch(conf, /site\.img/);
    assert.match(conf, /<backing-store \/srv\/a\.img>\n {8}lun 1\n/);
  });
});
