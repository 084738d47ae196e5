import { mkdirSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { demoConfig, demoPaths, freeLoopbackPort, loadOrCreateCredentials, startDemoRedis, startSlackSink, writeDemoConfig, type DemoCredentials } from '../../demo/index.ts';
import { isRoot, LAB_ROLLING, labDown, labUp } from '../../lab/index.ts';
import { startWorker } from '../../app/worker.ts';
import { UsageError } from '../errors.ts';
import { EXIT } from '../exit-codes.ts';
import type { CliIo } from '../io.ts';
import { formatDuration, table } from '../output.ts';
import { parseCommand, str } from '../parse.ts';
import { exitIfStillAlive, waitForStopSignal } from '../signals.ts';
import { createProcessServices } from '../services.ts';
import { startApiStack } from '../stack.ts';

const USAGE = 'hasf start [--dir DIR] [--listen HOST:PORT] [--lab-prefix P] [--lab-subnet A.B.C]';

/** Help of `hasf start`. */
export const START_HELP = `The all-in-one demo (what npm start runs; needs root): its own Redis (AOF), the lab
(a real 3-node Pacemaker cluster + iSCSI target in namespaces), the API, a worker and
the callback notifier in this process, and demo people with tokens.

Usage: ${USAGE}
  --dir DIR              demo state (default var/demo): hasf.yaml, credentials.json,
                         audit.jsonl, redis/, lab/
  --listen HOST:PORT     API address (default 127.0.0.1:8080; keep it on loopback)
  --lab-prefix P         lab namespace/interface prefix (default hasf)
  --lab-subnet A.B.C     lab /24 (default 10.231.7)

Credentials are kept in DIR/credentials.json and reused on the next start. Ctrl-C stops
everything, the lab and Redis included.`;

/** What `hasf start` says when not run as root: the lab needs it; real clusters don't. */
export function notRootMessage(): string {
  return `hasf start (npm start) runs the demo lab, and the lab needs root: it creates network
namespaces, a bridge, mounts and cluster daemons. Run it as root, e.g.:
  sudo npm start

To use HASF against a real cluster instead (no root needed), describe the cluster in a
configuration (see deploy/hasf.example.yaml) and run the two processes:
  node bin/hasf.js config check --config FILE
  node bin/hasf.js serve --config FILE
  node bin/hasf.js worker --config FILE`;
}

/** The banner printed once everything runs. */
export function startBanner(o: { cwd: string; apiUrl: string; paths: ReturnType<typeof demoPaths>; redisUrl: string; credentials: DemoCredentials; slack: boolean; slackProblem?: string; reusedCredentials: boolean; elapsedMs: number; clusters: string[] }): string {
  const rel = (p: string) => relative(o.cwd, p) || '.';
  const token = (name: string) => o.credentials.people.find((p) => p.name === name)?.token ?? '<token>';
  const byRole = (role: string) => o.credentials.people.find((p) => p.roles.includes(role as never))?.name ?? '?';
  const approvers = o.credentials.people.filter((p) => p.roles.includes('approver')).map((p) => p.name);
  const hasf = 'node bin/hasf.js';
  return [
    `HASF Ops demo is up (${formatDuration(o.elapsedMs)}). Cluster(s): ${o.clusters.join(', ')}.`,
    '',
    `  API          ${o.apiUrl}   (docs ${o.apiUrl}/docs, health ${o.apiUrl}/readyz)`,
    `  Console      ${o.apiUrl}/ui/   (web console; sign in with a token below, or pick a demo person)`,
    `  Slack        ${o.slack ? `${o.apiUrl}/slack/events (HTTP mode; signing secret in ${rel(o.paths.credentialsFile)})` : `off${o.slackProblem ? ` (${o.slackProblem})` : ''}`}`,
    ...(o.slack ? [`               no workspace: what the bot would post goes to ${rel(o.paths.slackLog)}`] : []),
    `  Config       ${rel(o.paths.configFile)}`,
    `  Credentials  ${rel(o.paths.credentialsFile)}${o.reusedCredentials ? ' (reused)' : ' (new)'}`,
    `  Audit file   ${rel(o.paths.auditFile)}`,
    `  Redis        ${o.redisUrl} (AOF in ${rel(o.paths.redisDir)})`,
    '',
    'People (send the token as "Authorization: Bearer TOKEN", or use --as NAME with the CLI):',
    table(['NAME', 'ROLES', 'SLACK USER', 'TOKEN'], o.credentials.people.map((p) => [p.name, p.roles.join(','), p.slackUserId, p.token])),
    '',
    'Try:',
    `  ${hasf} status --as ${byRole('viewer')}`,
    `  ${hasf} migrate vm1 node2 --reason "first try" --as ${byRole('operator')}      (or pick a node vm1 is not on)`,
    `  ${hasf} approve JOB_ID --as ${approvers[0] ?? '?'} && ${hasf} job JOB_ID --follow --as ${byRole('viewer')}`,
    `  curl -s -H "Authorization: Bearer ${token(byRole('viewer'))}" ${o.apiUrl}/v1/clusters`,
    `A second worker: ${hasf} worker --config ${rel(o.paths.configFile)}`,
    'Ctrl-C stops everything (API, worker, lab, Redis).',
  ].join('\n');
}

/** Stop-in-reverse list of what has been started so far. */
class Teardown {
  private readonly steps: Array<[string, () => Promise<void>]> = [];
  constructor(private readonly log: (l: string) => void) {}
  add(name: string, fn: () => Promise<void>) {
    this.steps.unshift([name, fn]);
  }
  async run() {
    for (const [name, fn] of this.steps.splice(0)) {
      const t = performance.now();
      try {
        await fn();
        this.log(`[start] stopped ${name} (${formatDuration(performance.now() - t)})`);
      } catch (err) {
        this.log(`[start] stopping ${name} failed: ${(err as Error).message}`);
      }
    }
  }
}

/**
 * `hasf start`: everything of the demo in this process, until Ctrl-C. Exit 1 without
 * root (with how to run against a real cluster), or when a part fails to start (what
 * was started is stopped again).
 */
export async function startCommand(argv: string[], io: CliIo, opts: { isRoot?: () => boolean } = {}): Promise<number> {
  const { values, positionals } = parseCommand(
    argv,
    { dir: { type: 'string' }, listen: { type: 'string' }, 'lab-prefix': { type: 'string' }, 'lab-subnet': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    USAGE,
  );
  if (values.help) return io.out(START_HELP), EXIT.OK;
  if (positionals.length) throw new UsageError(`Unexpected argument ${positionals[0]}. Usage: ${USAGE}`);
  if (!(opts.isRoot ?? isRoot)()) {
    io.err(notRootMessage());
    return EXIT.FAILED;
  }
  const listen = str(values, 'listen') ?? '127.0.0.1:8080';
  const m = /^([^\s:]+):(\d{1,5})$/.exec(listen);
  if (!m) throw new UsageError(`--listen ${listen}: write HOST:PORT, e.g. 127.0.0.1:8080.`);
  const [, host, port] = m;
  if ((await freeLoopbackPort(Number(port))) !== Number(port) && host === '127.0.0.1') {
    io.err(`Port ${port} on 127.0.0.1 is in use (another hasf start?). Stop it or pass --listen 127.0.0.1:PORT.`);
    return EXIT.FAILED;
  }
  const started = performance.now();
  const paths = demoPaths(resolve(io.cwd, str(values, 'dir') ?? 'var/demo'));
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  const apiUrl = `http://${host}:${port}`;
  const log = (l: string) => io.err(l);
  const teardown = new Teardown(log);
  try {
    const { credentials, created } = loadOrCreateCredentials(paths.credentialsFile, apiUrl);
    log(`[start] ${created ? 'new demo credentials' : 'reusing demo credentials'} in ${relative(io.cwd, paths.credentialsFile)}`);
    const redis = await startDemoRedis({ dir: paths.redisDir });
    teardown.add('redis', () => redis.stop());
    log(`[start] redis-server on ${redis.url} (AOF, appendfsync always)`);
    const labOpts = { dir: paths.labDir, prefix: str(values, 'lab-prefix'), subnet: str(values, 'lab-subnet') };
    // Registered before labUp so a half-built lab is taken down too.
    teardown.add('lab', () => labDown(labOpts));
    const lab = await labUp({ ...labOpts, log: (l) => log(`[lab] ${l}`) });
    log(`[start] lab ${lab.reused ? 'reused' : 'up'} in ${formatDuration(lab.elapsedMs)}: ${lab.nodes.map((n) => `${n.name} ${n.address}`).join(', ')}, ${lab.storage.name} ${lab.storage.address}`);
    const sink = await startSlackSink(paths.slackLog);
    teardown.add('Slack sink', () => sink.close());
    const config = writeDemoConfig(paths.configFile, demoConfig({ paths, inventoryFile: lab.inventoryPath, redisUrl: redis.url, listen, credentials, slackApiUrl: sink.apiUrl, rolling: LAB_ROLLING }));
    const svc = await createProcessServices(config);
    teardown.add('connections', () => svc.close());
    // The console's sign-in page offers the demo people (this process holds their tokens).
    const stack = await startApiStack(svc, { listen, log, ui: { demoPeople: credentials.people } });
    teardown.add('api', () => stack.close());
    const worker = await startWorker(svc);
    teardown.add('worker (running jobs finish first)', () => worker.close());
    io.out(startBanner({ cwd: io.cwd, apiUrl: stack.url, paths, redisUrl: redis.url, credentials, slack: stack.slack, slackProblem: stack.slackProblem, reusedCredentials: !created, elapsedMs: performance.now() - started, clusters: worker.clusters }));
  } catch (err) {
    log(`[start] failed: ${(err as Error).message}`);
    log('[start] stopping what was started…');
    await teardown.run();
    exitIfStillAlive(EXIT.FAILED);
    return EXIT.FAILED;
  }
  const sig = await waitForStopSignal(() => log('[start] still stopping (the lab is being taken down); once more to abort at once'));
  log(`[start] ${sig}: stopping everything`);
  await teardown.run();
  log('[start] stopped.');
  exitIfStillAlive(EXIT.OK);
  return EXIT.OK;
}
