/** The ietd.conf line that defines one LUN. */
export function ietLunLine(lun: number, path: string, type: 'fileio' | 'blockio'): string {
  return `Lun ${lun} Path=${path},Type=${type}`;
}

/**
 * Return ietd.conf with `Lun <lun> Path=…,Type=…` present in the `Target <iqn>` section:
 * an existing line for that LUN number is replaced (the live target is the truth), a new
 * one goes after the section's last Lun line (or right after `Target`), and a missing
 * section is appended. Comments and every other line are kept as they are; an
 * up-to-date file comes back unchanged.
 */
export function upsertIetLun(conf: string, iqn: string, lun: number, path: string, type: 'fileio' | 'blockio'): string {
  const lines = conf === '' ? [] : conf.replace(/\n$/, '').split('\n');
  const want = ietLunLine(lun, path, type);
  const isTarget = (l: string) => /^\s*Target\s+\S+/.test(l);
  const start = lines.findIndex((l) => isTarget(l) && l.trim().split(/\s+/)[1] === iqn);
  if (start < 0) {
    if (lines.length > 0 && lines[lines.length - 1]!.trim() !== '') lines.push('');
    lines.push(`Target ${iqn}`, `\t${want}`);
    return `${lines.join('\n')}\n`;
  }
  let end = lines.length;
  for (let i = start + 1; i < lines.length; i++) if (isTarget(lines[i]!)) { end = i; break; }
  let lastLun = -1;
  for (let i = start + 1; i < end; i++) {
    const m = /^(\s*)Lun\s+(\d+)\s/.exec(lines[i]!);
    if (!m) continue;
    if (Number(m[2]) === lun) {
      lines[i] = `${m[1]}${want}`;
      return `${lines.join('\n')}\n`;
    }
    lastLun = i;
  }
  const indent = lastLun >= 0 ? /^(\s*)/.exec(lines[lastLun]!)![1] : '\t';
  lines.splice(lastLun >= 0 ? lastLun + 1 : start + 1, 0, `${indent}${want}`);
  return `${lines.join('\n')}\n`;
}
