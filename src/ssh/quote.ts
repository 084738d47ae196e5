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

// Words the shell would read as syntax, not as a command name, in command position.
const RESERVED = new Set([
  '!', '{', '}', 'case', 'do', 'done', 'elif', 'else', 'esac', 'fi', 'for', 'function',
  'if', 'in', 'select', 'then', 'time', 'until', 'while', '[[', ']]', 'coproc',
]);

/** Quote the command word: a bare `X=1` would be an assignment and `if` a keyword, so force quotes. */
function quoteCommandWord(arg: string): string {
  const q = shellQuote(arg);
  return q === arg && (arg.includes('=') || RESERVED.has(arg)) ? `'${arg}'` : q;
}

/** Options of buildCommandLine. */
export interface CommandLineOptions {
  /**
   * Prefix the command with `exec`, so the remote shell is replaced by the command:
   * a signal sent to the session (timeout kill) then reaches the command itself.
   * Default false.
   */
  exec?: boolean;
}

/** Join an argv (with optional leading environment assignments) into one shell command line. */
export function buildCommandLine(
  argv: string[],
  env: Record<string, string> = {},
  options: CommandLineOptions = {},
): string {
  const [cmd, ...args] = argv;
  if (cmd === undefined) throw new Error('empty argv');
  const assignments = Object.entries(env).map(([k, v]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`invalid environment name: ${k}`);
    return `${k}=${shellQuote(v)}`;
  });
  const words = [quoteCommandWord(cmd), ...args.map(shellQuote)];
  return [...assignments, ...(options.exec ? ['exec'] : []), ...words].join(' ');
}
