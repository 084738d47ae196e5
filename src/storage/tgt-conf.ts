import type { TgtTarget } from './parse-tgtadm.ts';
import type { ChapLine } from './tgt-files.ts';

/** The file name of the generated configuration of one target: `hasf-<iqn with : as _>.conf`. */
export function tgtConfFileName(iqn: string): string {
  return `hasf-${iqn.replace(/[^A-Za-z0-9._-]/g, '_')}.conf`;
}

/**
 * Render a target as a tgt-admin configuration block. Unlike `tgt-admin --dump`, every
 * backing store carries its `lun` number, because tgt-admin otherwise numbers LUNs 1, 2, …
 * in file order and a restart would renumber a target with gaps. ACL addresses are kept,
 * and so are the CHAP lines `chap` (see tgt-chap.ts: tgtd never tells a password, so they
 * come from the file's previous version).
 */
export function renderTgtConf(
  t: TgtTarget,
  chap: readonly ChapLine[] = [],
  elsewhere: { acl: ReadonlySet<string>; stores: ReadonlySet<string> } = { acl: new Set(), stores: new Set() },
): string {
  const out = [
    '# Written by HASF Ops from the live target (tgtadm --op show) on every lun.add;',
    '# edits here are overwritten, except incominguser/outgoinguser lines of accounts still bound.',
    '# Loaded at boot by tgt-admin (targets.conf includes conf.d/*.conf).',
    `<target ${t.iqn}>`,
  ];
  // What another file of the configuration already sets for this target is left to it:
  // tgt-admin merges the blocks, and a repeated ACL or store fails the whole target at boot.
  for (const l of [...t.luns].sort((a, b) => a.lun - b.lun)) {
    if (l.lun === 0 || l.path === undefined || elsewhere.stores.has(l.path)) continue;
    out.push(`    <backing-store ${l.path}>`, `        lun ${l.lun}`);
    if (l.bsType && l.bsType !== 'rdwr') out.push(`        bs-type ${l.bsType}`);
    out.push('    </backing-store>');
  }
  // tgt-admin binds ALL when a target has no initiator-address at all.
  for (const a of t.acl) if (!elsewhere.acl.has(a)) out.push(`    initiator-address ${a}`);
  if (t.acl.length === 0) out.push('    # no ACL on the live target: tgt-admin will allow ALL initiators');
  else if (t.acl.every((a) => elsewhere.acl.has(a))) out.push('    # initiator-address: set in another file of the configuration');
  // CHAP accounts survive a restart: lines kept from this file (others are in other files).
  for (const c of chap) out.push(`    ${c.line}`);
  out.push('</target>', '');
  return out.join('\n');
}
