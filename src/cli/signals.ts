/**
 * Resolves with the signal's name at the first SIGINT or SIGTERM. Later signals while
 * the caller shuts down print `onRepeat` (a third one exits at once, status 130), so an
 * impatient Ctrl-C does not leave namespaces or Redis behind silently.
 */
export function waitForStopSignal(onRepeat: (count: number) => void = () => undefined): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let count = 0;
    const handler = (sig: NodeJS.Signals) => {
      count++;
      if (count === 1) resolve(sig);
      else if (count === 2) onRepeat(count);
      else process.exit(130);
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
}

/**
 * After a clean shutdown, make sure the process really ends: a client some library
 * failed to close (seen: a reconnecting ioredis connection) must not keep a stopped
 * server alive. The timer is unref'd, so a process that ends on its own is not delayed.
 */
export function exitIfStillAlive(code: number, afterMs = 2000): void {
  setTimeout(() => {
    console.error('[hasf] stopped, but a leftover connection kept the process alive; exiting.');
    process.exit(code);
  }, afterMs).unref();
}
