// What the benchmarks share: percentiles, and the lab a bench needs.

/** The p-th quantile (0..1) of `xs`, nearest rank below: median = percentile(xs, 0.5). */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length - 1) * p))]!;
}

/** The bench lab's dir (npm run bench brings one up as root); without one, say so and exit. */
export function labDirOrSkip(bench: string): string {
  const dir = process.env.HASF_TEST_LAB_DIR;
  if (!dir) {
    console.log(`${bench}: skipped (needs a lab: run through npm run bench as root)`);
    process.exit(0);
  }
  return dir;
}
