/** One thing wrong with a configuration: where, what, and how to fix it. */
export interface ConfigProblem {
  /** error: the process would refuse to start or a job would fail; warning: works, but likely not as meant. */
  severity: 'error' | 'warning';
  /** The file the key is in (the configuration or its inventory file). */
  file: string;
  /** Dotted key path, e.g. `clusters.0.nodes.1.hostKeys` (array positions as numbers). */
  key: string;
  /** What is wrong, naming the object when the path alone doesn't (cluster lab, node node2). */
  problem: string;
  /** What to do about it. */
  fix: string;
}

/** One successful live check (Redis answered, a host logged in). */
export interface PassedCheck {
  what: string;
  detail: string;
}

/** The whole report of `hasf config check`. */
export interface CheckReport {
  file: string;
  problems: ConfigProblem[];
  passed: PassedCheck[];
  /** True when no problem of severity error was found. */
  ok: boolean;
}
