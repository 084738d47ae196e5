import type { CheckReport } from '../../operations/check/index.ts';
import { formatDuration, shellLine } from '../output.ts';

const LABEL = { critical: 'CRITICAL', warning: 'WARNING ', info: 'info    ' } as const;

/** `hasf check CLUSTER`: a summary line, then each finding with its fix and the commands that do it. */
export function formatCheck(r: CheckReport): string {
  const { critical, warning, info } = r.counts;
  const head = `Cluster ${r.cluster}: ${critical} critical, ${warning} warning(s), ${info} note(s) — checked ${r.nodes.length} node(s) in ${formatDuration(r.durationMs)}`;
  if (!r.findings.length) return `${head}\nNothing found: quorum, fencing, configuration, clocks, names, links, failures, constraints and maintenance flags are all in order.`;
  const out = [head, ''];
  for (const f of r.findings) {
    out.push(`${LABEL[f.severity]}  ${f.code}  ${f.subject}`, `  ${f.message}`, `  fix:  ${f.fix.summary}`);
    if (f.fix.hasf) out.push(`  hasf: hasf ${f.fix.hasf}`);
    if (f.fix.argv) out.push(`  run:  ${shellLine(f.fix.argv)}${f.fix.on ? `   (on ${f.fix.on})` : ''}`);
    out.push('');
  }
  return out.join('\n').trimEnd();
}
