/** Where and how to reach one host over SSH, as the inventory describes it. */
export interface HostSpec {
  /** The name used everywhere else (a Pacemaker node name, `store1`, …). */
  name: string;
  /** Address to connect to. */
  host: string;
  /** Default 22. */
  port?: number;
  /** Login user; default root. */
  user?: string;
  /**
   * Pinned host key: one or more `SHA256:<base64>` fingerprints (as `ssh-keygen -lf`
   * prints them). Either this or `knownHostsFile` must be set: unpinned hosts are refused.
   */
  hostKeys?: string[];
  /** An OpenSSH known_hosts file holding the host's key(s), as an alternative to hostKeys. */
  knownHostsFile?: string;
  /** Private key file to log in with. */
  identityFile?: string;
  /** ssh-agent socket; default $SSH_AUTH_SOCK when no identityFile is given. */
  agent?: string;
}

/** One finished command. A non-zero exit code is a result, not an exception. */
export interface CommandResult {
  host: string;
  argv: string[];
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** True when stdout or stderr were cut at the output cap. */
  truncated: boolean;
}

export interface RunOptions {
  /** Kill the command after this long (COMMAND_TIMEOUT). Default 60 s. */
  timeoutMs?: number;
  /** Cap on captured stdout+stderr bytes each; beyond it output is dropped. Default 4 MiB. */
  maxOutputBytes?: number;
  /** Environment assignments placed before the command (`CIB_file=… crm_mon …`), quoted. */
  env?: Record<string, string>;
  /** Bytes written to the command's stdin, then closed. */
  stdin?: string;
  /**
   * The command changes nothing (a status read, a simulation on a copy), so it may run
   * again elsewhere when its outcome is unknown. Default false: a command is a write, and
   * a write whose connection dropped is never repeated on another host
   * (COMMAND_OUTCOME_UNKNOWN instead).
   */
  readOnly?: boolean;
  /**
   * Stop the command: a running one is killed (its remote process group), one not yet
   * started never starts. Rejects with COMMAND_ABORTED.
   */
  signal?: AbortSignal;
  /** Hosts that must not run this command (a fence never runs on its own victim). */
  avoidHosts?: string[];
}

/**
 * Runs an argv on one host. Arguments are quoted for a POSIX shell by the implementation;
 * callers never build command strings.
 */
export interface CommandExecutor {
  /** The host's name (inventory name). */
  readonly name: string;
  run(argv: string[], options?: RunOptions): Promise<CommandResult>;
}
