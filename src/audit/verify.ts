import type { Redis } from 'ioredis';
import { HasfError } from '../errors/index.ts';
import type { Anchor, AnchorDir } from './anchors.ts';
import { readFileHead, type FileHead } from './file-sink.ts';
import { parseHead } from './committer.ts';
import { GENESIS, macMatches } from './mac.ts';
import { entryJson, parseEntry } from './parse-entry.ts';
import type { VerifyProblem, VerifyReport } from './types.ts';

/** What verify needs to know. */
export interface VerifyInput {
  redis: Redis;
  key: Buffer;
  streamKey: string;
  headKey: string;
  fileSink: string | null;
  /** The shared anchors (every writer's newest commit), or null. */
  anchors?: AnchorDir | null;
  /** XRANGE page size; default 5000. */
  pageSize?: number;
}

const MAX_PROBLEMS = 1000;

/**
 * Walk the whole chain once, in stream order, and name every bad record. Memory stays
 * small whatever the stream length: only the highest seq seen, its MAC, and the ranges
 * of seqs not seen yet are kept.
 *
 * The file sink's head and the Redis head pointer are read BEFORE the walk. Appends
 * reach Redis before the file, so at that instant every record in the file is in Redis:
 * a file seq the stream does not hold means records were deleted, never a race.
 */
export async function verifyChain(v: VerifyInput): Promise<VerifyReport> {
  const started = performance.now();
  const problems: VerifyProblem[] = [];
  const add = (p: VerifyProblem) => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };

  let fileHead: FileHead | null | undefined;
  if (v.fileSink) {
    try {
      fileHead = (await readFileHead(v.fileSink)).head;
    } catch (err) {
      throw new HasfError(
        'AUDIT_UNAVAILABLE',
        `The audit file sink ${v.fileSink} cannot be read (${(err as Error).message}); fix its path or permissions and verify again.`,
        { sink: 'file', path: v.fileSink },
        { cause: err },
      );
    }
  }
  let anchor: Anchor | null = null;
  if (v.anchors) {
    try {
      anchor = await v.anchors.max();
    } catch (err) {
      throw new HasfError(
        'AUDIT_UNAVAILABLE',
        `The audit anchors in ${v.anchors.dir} cannot be read (${(err as Error).message}); fix the shared volume and verify again.`,
        { sink: 'anchors', path: v.anchors.dir },
        { cause: err },
      );
    }
  }
  const headRaw = await v.redis.get(v.headKey);
  const headPtr = headRaw === null ? null : parseHead(headRaw);

  let count = 0;
  let maxSeq = 0;
  let maxMac = GENESIS;
  let maxId = '';
  let prevId = '';
  // Ranges [lo, hi] of seqs below maxSeq not seen yet; reordered records fill them.
  const gaps: Array<[number, number, string, string]> = [];
  const macAt = new Map<number, string>();
  const watch = new Set<number>();
  if (headPtr) watch.add(headPtr.seq);
  if (fileHead) watch.add(fileHead.seq);
  if (anchor) watch.add(anchor.seq);

  const page = v.pageSize ?? 5000;
  let next: Promise<[string, string[]][]> | null = v.redis.xrange(
    v.streamKey,
    '-',
    '+',
    'COUNT',
    page,
  );
  while (next) {
    const entries: [string, string[]][] = await next;
    // Fetch the next page while this one is checked.
    next =
      entries.length === page
        ? v.redis.xrange(v.streamKey, '(' + entries[entries.length - 1]![0], '+', 'COUNT', page)
        : null;
    for (const [id, fields] of entries) {
      count++;
      const rec = parseEntry(id, fields);
      if (typeof rec === 'string') {
        add({
          seq: maxSeq + 1,
          streamId: id,
          kind: 'malformed',
          message: `Stream entry ${id} is not an audit record: ${rec}.`,
        });
        prevId = id;
        continue;
      }
      const seq = rec.seq;
      if (!macMatches(v.key, entryJson(fields)!, rec)) {
        add({
          seq,
          streamId: id,
          kind: 'edited',
          message: `Record ${seq} (${id}) was altered: its MAC does not match its content.`,
        });
      }
      if (watch.has(seq)) macAt.set(seq, rec.mac);
      if (seq > maxSeq) {
        if (seq > maxSeq + 1) {
          gaps.push([maxSeq + 1, seq - 1, prevId, id]);
        } else if (rec.prev !== maxMac) {
          add({
            seq,
            streamId: id,
            kind: 'relinked',
            message: `Record ${seq} (${id}) does not follow record ${maxSeq}: its prev is not that record's MAC (a forged or replaced predecessor).`,
          });
        }
        maxSeq = seq;
        maxMac = rec.mac;
        maxId = id;
      } else if (fillGap(gaps, seq)) {
        add({
          seq,
          streamId: id,
          kind: 'reordered',
          message: `Record ${seq} (${id}) is out of order: it comes after record ${maxSeq}.`,
        });
      } else {
        add({
          seq,
          streamId: id,
          kind: 'duplicate',
          message: `Record ${seq} (${id}) repeats a seq already in the chain (a forked chain).`,
        });
      }
      prevId = id;
    }
  }

  for (const [lo, hi, before, after] of gaps) {
    const what = lo === hi ? `Record ${lo} is` : `Records ${lo}–${hi} are`;
    add({
      seq: lo,
      kind: 'removed',
      message: `${what} missing from the stream (between entries ${before || 'start'} and ${after}).`,
    });
  }

  // The newest records: the head pointer and the file sink know what should be there.
  const claims: Array<[string, { seq: number; mac: string }]> = [];
  if (headPtr) claims.push(['the Redis head pointer', headPtr]);
  else if (count > 0)
    add({
      seq: maxSeq,
      kind: 'head-mismatch',
      message: `The Redis head pointer ${v.headKey} is missing although the stream holds records.`,
    });
  if (fileHead) claims.push([`the file sink ${v.fileSink}`, fileHead]);
  if (anchor) claims.push([`the anchor of writer ${anchor.writer}`, anchor]);
  const beyond = claims.filter(([, h]) => h.seq > maxSeq).sort((a, b) => b[1].seq - a[1].seq);
  if (beyond.length) {
    const top = beyond[0]![1].seq;
    const n = top - maxSeq;
    add({
      seq: maxSeq + 1,
      kind: 'head-missing',
      message: `The newest ${n === 1 ? 'record is' : `${n} records are`} missing: ${beyond.map(([w, h]) => `${w} names record ${h.seq}`).join(' and ')}, but the stream ends at record ${maxSeq}.`,
    });
  }
  for (const [who, h] of claims) {
    if (h.seq > maxSeq || h.seq === 0) continue;
    const mac = macAt.get(h.seq);
    if (mac !== undefined && mac !== h.mac) {
      add({
        seq: h.seq,
        kind: 'head-mismatch',
        message: `Record ${h.seq} in the stream is not the record ${who} names (different MAC).`,
      });
    }
  }

  problems.sort((a, b) => a.seq - b.seq);
  return {
    ok: problems.length === 0,
    count,
    head: count && maxId ? { seq: maxSeq, mac: maxMac, streamId: maxId } : null,
    ...(v.fileSink ? { fileHead: fileHead ? { seq: fileHead.seq, mac: fileHead.mac } : null } : {}),
    ...(v.anchors ? { anchor: anchor ? { seq: anchor.seq, mac: anchor.mac, writer: anchor.writer } : null } : {}),
    problems,
    ms: Math.round(performance.now() - started),
  };
}

/** Remove `seq` from the gap ranges; true when it was in one. */
function fillGap(gaps: Array<[number, number, string, string]>, seq: number): boolean {
  for (let i = 0; i < gaps.length; i++) {
    const g = gaps[i]!;
    const [lo, hi, before, after] = g;
    if (seq < lo || seq > hi) continue;
    const parts: Array<[number, number, string, string]> = [];
    if (lo < seq) parts.push([lo, seq - 1, before, after]);
    if (seq < hi) parts.push([seq + 1, hi, before, after]);
    gaps.splice(i, 1, ...parts);
    return true;
  }
  return false;
}
