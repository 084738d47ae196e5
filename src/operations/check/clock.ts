import type { ClockReading } from '../../cluster/index.ts';

/** A node's clock against the others': how far it is from their median, and how sure that is. */
export interface ClockSkew {
  node: string;
  /** Positive: ahead of the others. */
  skewMs: number;
  uncertaintyMs: number;
  against: string[];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * Each node's clock against the cluster's median clock (all read from one host, so the
 * host's own clock cancels out): with three nodes and one off, only that one is named. A
 * node is skewed when the difference exceeds `limitMs` even after the measurement's
 * uncertainty is taken off. With two nodes both are named: no majority says which is wrong.
 */
export function clockSkews(readings: Record<string, ClockReading>, limitMs: number): ClockSkew[] {
  const nodes = Object.keys(readings);
  const out: ClockSkew[] = [];
  if (nodes.length < 2) return out;
  const ref = median(nodes.map((o) => readings[o]!.offsetMs));
  const refUnc = Math.max(...nodes.map((o) => readings[o]!.uncertaintyMs));
  for (const n of nodes) {
    const others = nodes.filter((o) => o !== n);
    const skewMs = readings[n]!.offsetMs - ref;
    const uncertaintyMs = readings[n]!.uncertaintyMs + refUnc;
    if (Math.abs(skewMs) - uncertaintyMs > limitMs) out.push({ node: n, skewMs, uncertaintyMs, against: others });
  }
  return out;
}
