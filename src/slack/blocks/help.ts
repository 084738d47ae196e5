import { commandWords, OPERATION_COMMANDS, OTHER_COMMANDS, REQUEST_FLAGS } from '../command-spec.ts';
import { closest } from '../../util/closest.ts';
import { context, esc, header, section, type SlackMessage } from './format.ts';

/**
 * `/hasf help [command]`: every command, built from the operation catalogue (the same
 * definitions REST and the worker use), or the usage of one command.
 */
export function helpMessage(topic?: string): SlackMessage {
  if (topic) {
    const t = topic.toLowerCase().replace(/^\/hasf\s+/, '');
    const op = OPERATION_COMMANDS.find((c) => c.words.join(' ') === t || c.words[0] === t || c.operation === t);
    if (op) {
      const d = op.def;
      const text = [
        `*${esc(op.words.join(' '))}* — ${esc(d.summary)}`,
        `\`${esc(op.usage)}\``,
        `Risk: ${d.risk}${d.disruptive ? ' (disruptive: one at a time per cluster, refused in change freezes)' : ''} · approvals by default: ${d.defaultApprovals}`,
        `Replaces: \`${esc(d.replaces)}\``,
      ].join('\n');
      return { text: `${op.usage}: ${d.summary}`, blocks: [section(text), context(commonFlags())] };
    }
    const other = OTHER_COMMANDS.find((c) => c.word === t);
    if (other) return { text: `${other.usage}: ${other.summary}`, blocks: [section(`\`${other.usage}\`\n${esc(other.summary)}`)] };
    const near = closest(t, [...OTHER_COMMANDS.map((c) => c.word), ...OPERATION_COMMANDS.map((c) => c.words.join(' '))]);
    const text = `No command "${esc(t)}"${near.length ? `; did you mean ${near.map((n) => `\`${n}\``).join(', ')}?` : '.'} Here is everything:`;
    const all = helpMessage();
    return { text: all.text, blocks: [section(text), ...all.blocks] };
  }
  const ops = OPERATION_COMMANDS.map((c) => `\`${esc(c.usage)}\`\n      ${esc(c.def.summary)}${c.def.defaultApprovals ? ` _(${c.def.defaultApprovals} approval${c.def.defaultApprovals > 1 ? 's' : ''} by default)_` : ''}`);
  const others = OTHER_COMMANDS.map((c) => `\`${esc(c.usage)}\` — ${esc(c.summary)}`);
  return {
    text: `HASF Ops commands: /hasf ${commandWords().join(', ')}`,
    blocks: [header('HASF Ops'), ...sections('*Change the cluster*', ops), section(`*Look and decide*\n${others.join('\n')}`), context(commonFlags())],
  };
}

/** Lines in as many sections as Slack's 3000-character section text needs (the catalogue grows). */
function sections(title: string, lines: string[]) {
  const out = [];
  let cur = title;
  for (const l of lines) {
    if (cur.length + l.length + 1 > 2900) {
      out.push(section(cur));
      cur = '';
    }
    cur += (cur ? '\n' : '') + l;
  }
  if (cur) out.push(section(cur));
  return out;
}

function commonFlags(): string {
  return `Every change also takes ${REQUEST_FLAGS.map((f) => `\`--${f.name}${f.value ? ` ${f.value}` : ''}\``).join(' ')}. --dry-run shows the plan and the predicted transition only; --cluster settles a name that exists in several clusters; --emergency (admins, with a reason) skips approvals and is reviewed afterwards.`;
}
