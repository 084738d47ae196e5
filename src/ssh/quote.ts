/**
 * Quote one argument for a POSIX shell. Everything goes inside single quotes, and a
 * single quote becomes '\''. The remote side (sshd runs `$SHELL -c`) therefore sees
 * exactly the argv we meant, whatever bytes the argument holds.
 */
export function shellQuote(arg: string): string {
  if (arg.includes('\0')) throw new Error('argument contains a NUL byte');
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** Join an argv (with optional leading environment assignments) into one shell command line. */
export function buildCommandLine(argv: string[], env: Record<string, string> = {}): string {
  if (argv.length === 0) throw new Error('empty argv');
  const assignments = Object.entries(env).map(([k, v]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`invalid environment name: ${k}`);
    return `${k}=${shellQuote(v)}`;
  });
  return [...assignments, ...argv.map(shellQuote)].join(' ');
}
