import type { FenceEvent } from './model.ts';
import { attr, kid, kids, parseXml } from './xml.ts';

/**
 * Parse `stonith_admin --history N` in XML (2.x `--output-as=xml`: `<fence_event>`) or
 * text form (1.1's "X was able to reboot node N on behalf of C from O at T", and 2.x's
 * "reboot of N successful: delegate=X, client=C, origin=O, completed='T'").
 */
export function parseFenceHistory(output: string): FenceEvent[] {
  const trimmed = output.trimStart();
  if (trimmed.startsWith('<')) return parseXmlHistory(trimmed);
  const events: FenceEvent[] = [];
  for (const line of output.split('\n')) {
    const e = parseTextLine(line.trim().replace(/^\*\s*/, ''));
    if (e) events.push(e);
  }
  return events;
}

function parseXmlHistory(xml: string): FenceEvent[] {
  const doc = parseXml(xml, 'stonith_admin --history');
  const root = kid(doc, 'pacemaker-result') ?? doc;
  // 2.1 prints <list name="fencing history">; other versions <fence_history>.
  const container = kid(root, 'fence_history') ?? kids(root, 'list').find((l) => attr(l, 'name') === 'fencing history') ?? root;
  return kids(container, 'fence_event').map((e) => {
    const s = attr(e, 'status');
    const ev: FenceEvent = {
      target: attr(e, 'target') ?? '',
      action: attr(e, 'action') ?? '',
      status: s === 'success' ? 'success' : s === 'failed' ? 'failed' : 'pending',
    };
    const delegate = attr(e, 'delegate');
    const origin = attr(e, 'origin');
    const client = attr(e, 'client');
    const completed = attr(e, 'completed');
    if (delegate) ev.delegate = delegate;
    if (origin) ev.origin = origin;
    if (client) ev.client = client;
    if (completed) ev.completed = completed;
    return ev;
  });
}

// 2.x technical form (stonith_admin shows failed details).
const MODERN = /^(\S+) of (\S+) (successful|failed|pending)(?: \([^)]*\))?(?::\s*(.*))?$/;
// 2.x human form: "reboot of node2 by node3 for pacemaker-controld.123@node1 successful at T".
const MODERN_HUMAN = /^(\S+) of (\S+)(?: by (\S+))? for (\S+)@(\S+)(?: last)? (successful|failed|pending)(?: \([^)]*\))?(?: at (.+?))?(?: \(a later attempt.*\))?$/;
// 1.1: "node3 was able to reboot node node2 on behalf of crmd.123 from node1 at Wed …".
const OLD_DONE = /^(\S+) (was able to|failed to) (\S+) node (\S+) on behalf of (\S+) from (\S+) at (.+)$/;
// 1.1: "reboot of node2 pending: client=crmd.123, origin=node1".
function parseTextLine(line: string): FenceEvent | null {
  let m = MODERN_HUMAN.exec(line);
  if (m) {
    const ev: FenceEvent = { action: m[1]!, target: m[2]!, status: statusWord(m[6]!), client: m[4]!, origin: m[5]! };
    if (m[3]) ev.delegate = m[3];
    if (m[7]) ev.completed = m[7];
    return ev;
  }
  m = MODERN.exec(line);
  if (m) {
    const ev: FenceEvent = { action: m[1]!, target: m[2]!, status: statusWord(m[3]!) };
    for (const part of (m[4] ?? '').split(/,\s*(?=[a-z-]+=)/)) {
      const kv = /^([a-z-]+)=(.*)$/.exec(part.trim());
      if (!kv) continue;
      const v = kv[2]!.replace(/^'(.*)'$/, '$1');
      if (kv[1] === 'delegate') ev.delegate = v;
      else if (kv[1] === 'client') ev.client = v;
      else if (kv[1] === 'origin') ev.origin = v;
      else if (kv[1] === 'completed' || kv[1] === 'last-failed' || kv[1] === 'last-successful') ev.completed = v;
    }
    return ev;
  }
  m = OLD_DONE.exec(line);
  if (m) {
    const ev: FenceEvent = {
      action: m[3]!,
      target: m[4]!,
      status: m[2] === 'was able to' ? 'success' : 'failed',
      client: m[5]!,
      origin: m[6]!,
      completed: m[7]!.trim(),
    };
    if (m[1] !== 'We') ev.delegate = m[1]!;
    return ev;
  }
  return null;
}

function statusWord(w: string): FenceEvent['status'] {
  return w === 'successful' ? 'success' : w === 'failed' ? 'failed' : 'pending';
}

/**
 * The successful fence of `node` completed at or after `since`, if the history has one.
 * Completion times the tools print are parsed with Date; an unparseable time counts as
 * "after" only when `since` is not given.
 */
export function findCompletedFence(events: FenceEvent[], node: string, since?: Date): FenceEvent | undefined {
  return events.find((e) => {
    if (e.target !== node || e.status !== 'success') return false;
    if (!since) return true;
    const t = e.completed ? parseFenceTime(e.completed) : NaN;
    return Number.isFinite(t) && t >= since.getTime() - 1000;
  });
}

/** Fence times: "2026-11-25 14:00:00 +01:00", "2026-11-25 14:00:00Z", or ctime. */
export function parseFenceTime(s: string): number {
  const iso = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(s.trim());
  if (iso) return Date.parse(`${iso[1]}T${iso[2]}${iso[3] ?? 'Z'}`);
  return Date.parse(s);
}
