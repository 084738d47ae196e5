/** Where a command writes and what it may read of its environment; tests pass their own. */
export interface CliIo {
  /** A line (or block) for stdout: results, tables, JSON. */
  out(text: string): void;
  /** Raw bytes for stdout (streamed exports), written as they are. */
  raw(chunk: string | Uint8Array): void;
  /** A line for stderr: errors, progress, hints. */
  err(text: string): void;
  /** Raw stderr writes for a redrawn progress line (only used when isTTY). */
  progress(text: string): void;
  /** True when stderr is a terminal: progress lines are redrawn in place. */
  isTTY: boolean;
  env: Record<string, string | undefined>;
  cwd: string;
}

/** The real process's io. */
export function processIo(): CliIo {
  // `hasf audit export | head`: a closed pipe ends the output, not in a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  return {
    out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
    raw: (c) => process.stdout.write(c),
    err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
    progress: (t) => process.stderr.write(t),
    isTTY: !!process.stderr.isTTY,
    env: process.env,
    cwd: process.cwd(),
  };
}
