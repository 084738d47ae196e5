import { CODE_INFO, isHasfError, type ErrorCode } from '../../errors/index.ts';
import { context, esc, section, type SlackMessage } from './format.ts';

/**
 * A refusal or failure as a message: what went wrong, how to write it right (usage,
 * closest names), and the stable error code. Unexpected errors say nothing internal.
 */
export function errorMessage(err: unknown): SlackMessage {
  if (!isHasfError(err)) {
    const text = ':warning: Something went wrong on the HASF side (`INTERNAL`); nothing was changed by this request. The error is logged; try again or ask an admin.';
    return { text, blocks: [section(text)] };
  }
  const info = CODE_INFO[err.code as ErrorCode];
  const lines = [`:no_entry: *${info?.title ?? 'Refused'}* — ${esc(err.message)}`];
  const near = err.details.closest;
  if (Array.isArray(near) && near.length && !/did you mean/i.test(err.message)) lines.push(`Did you mean: ${near.map((n) => `\`${esc(String(n))}\``).join(', ')}?`);
  const usage = typeof err.details.usage === 'string' ? err.details.usage : undefined;
  if (usage && !err.message.includes(usage)) lines.push(`Usage: \`${esc(usage)}\``);
  const text = `${info?.title ?? 'Refused'} (${err.code}): ${err.message}`;
  return { text, blocks: [section(lines.join('\n')), context(`error code \`${err.code}\``)] };
}
