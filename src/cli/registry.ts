import type { CliIo } from './io.ts';

/** A top-level command: its help line, and its implementation loaded on first use (keeps `hasf help` fast). */
export interface CommandEntry {
  name: string;
  /** Usage shown in `hasf help`. */
  synopsis: string;
  summary: string;
  group: 'Operations' | 'Jobs' | 'Read' | 'Admin' | 'Processes';
  load(): Promise<(argv: string[], io: CliIo) => Promise<number>>;
}

/** Every command but the operation commands (those come from the catalogue). */
export const COMMANDS: CommandEntry[] = [
  { name: 'jobs', group: 'Jobs', synopsis: 'jobs [--state S] [--operation OP] [--requester N] [--cluster C] [--since T]', summary: 'list jobs, newest first', load: async () => (await import('./commands/jobs.ts')).jobsCommand },
  { name: 'job', group: 'Jobs', synopsis: 'job ID [--follow] | job pause|resume|abort ID', summary: 'one job: plan, approvals, steps; --follow shows live progress; pause/resume/abort a rolling job', load: async () => (await import('./commands/jobs.ts')).jobCommand },
  { name: 'approve', group: 'Jobs', synopsis: 'approve ID [--comment TEXT]', summary: 'approve a job (approver; never your own)', load: async () => { const m = await import('./commands/jobs.ts'); return (a, io) => m.decideCommand('approve', a, io); } },
  { name: 'reject', group: 'Jobs', synopsis: 'reject ID [--comment TEXT]', summary: 'reject a job (one rejection ends it)', load: async () => { const m = await import('./commands/jobs.ts'); return (a, io) => m.decideCommand('reject', a, io); } },
  { name: 'cancel', group: 'Jobs', synopsis: 'cancel ID [--comment TEXT]', summary: 'cancel a job that has not started', load: async () => { const m = await import('./commands/jobs.ts'); return (a, io) => m.decideCommand('cancel', a, io); } },
  { name: 'review', group: 'Jobs', synopsis: 'review ID [--comment TEXT]', summary: 'review a break-glass job after the fact', load: async () => { const m = await import('./commands/jobs.ts'); return (a, io) => m.decideCommand('review', a, io); } },
  { name: 'status', group: 'Read', synopsis: 'status [CLUSTER]', summary: 'live cluster status: quorum, nodes, resources', load: async () => (await import('./commands/status.ts')).statusCommand },
  { name: 'check', group: 'Read', synopsis: 'check [CLUSTER]', summary: 'health check: crm_verify, quorum, fencing, clocks, names, links, failures, leftovers, maintenance — each with its fix', load: async () => (await import('./commands/check.ts')).checkCommand },
  { name: 'audit', group: 'Read', synopsis: 'audit verify | audit export [--format jsonl|csv]', summary: 'prove the audit chain; export the log', load: async () => (await import('./commands/audit.ts')).auditCommand },
  { name: 'token', group: 'Admin', synopsis: 'token create PERSON [--ttl 30d] [--label L] | revoke ID | list | hash | generate', summary: 'API tokens', load: async () => (await import('./commands/token.ts')).tokenCommand },
  { name: 'config', group: 'Admin', synopsis: 'config check [--config FILE] [--offline]', summary: 'check a configuration: keys, types, pinned host keys, Redis and SSH reachability', load: async () => (await import('./commands/config.ts')).configCommand },
  { name: 'start', group: 'Processes', synopsis: 'start', summary: 'the demo (npm start; root): Redis + lab + API + worker, people with tokens', load: async () => (await import('./commands/start.ts')).startCommand },
  { name: 'serve', group: 'Processes', synopsis: 'serve --config FILE', summary: 'the API process: REST, Slack door, callback notifier', load: async () => (await import('./commands/serve.ts')).serveCommand },
  { name: 'worker', group: 'Processes', synopsis: 'worker --config FILE [--cluster C]', summary: 'a worker process: runs approved jobs over SSH', load: async () => (await import('./commands/worker.ts')).workerCommand },
  { name: 'lab', group: 'Processes', synopsis: 'lab up|down|status', summary: 'the lab cluster on its own (root)', load: async () => (await import('./commands/lab.ts')).labCommand },
];
