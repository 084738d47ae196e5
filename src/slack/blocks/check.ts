import type { CheckReport, Finding } from '../../operations/check/index.ts';
import { context, esc, header, section, shellLine, slackDate, type Block, type SlackMessage } from './format.ts';

const ICON = { critical: ':rotating_light:', warning: ':warning:', info: ':information_source:' } as const;

function findingText(f: Finding): string {
  const lines = [`${ICON[f.severity]} *${esc(f.code)}* · ${esc(f.subject)} — ${esc(f.message)}`, `      _fix:_ ${esc(f.fix.summary)}`];
  if (f.fix.hasf) lines.push(`      \`/hasf ${esc(f.fix.hasf)}\``);
  if (f.fix.argv) lines.push(`      \`${esc(shellLine(f.fix.argv))}\`${f.fix.on ? ` (on ${esc(f.fix.on)})` : ''}`);
  return lines.join('\n');
}

/** `/hasf check [cluster]`: the findings, critical first, each with its fix; at most 40 shown. */
export function checkMessage(r: CheckReport): SlackMessage {
  const { critical, warning, info } = r.counts;
  const summary = `${critical} critical · ${warning} warning(s) · ${info} note(s) · ${r.nodes.length} node(s) checked`;
  const blocks: Block[] = [header(`Health of cluster ${r.cluster}`), section(summary)];
  if (!r.findings.length) {
    blocks.push(section(':white_check_mark: Nothing found: quorum, fencing, configuration, clocks, names, links, failures, constraints and maintenance flags are in order.'));
  }
  const shown = r.findings.slice(0, 40);
  // One section per finding keeps each under Slack's 3000 characters; 50 blocks at most.
  for (const f of shown) blocks.push(section(findingText(f)));
  if (r.findings.length > shown.length) blocks.push(context(`… and ${r.findings.length - shown.length} more: \`hasf check ${esc(r.cluster)}\` or GET /v1/clusters/${esc(r.cluster)}/check lists them all.`));
  blocks.push(context(`Checked ${slackDate(r.checkedAt)} in ${(r.durationMs / 1000).toFixed(1)} s`));
  const text = `Cluster ${r.cluster}: ${summary}${r.findings.length ? `; first: ${r.findings[0]!.code} ${r.findings[0]!.subject}` : '; nothing found'}`;
  return { text, blocks: blocks.slice(0, 50) };
}
