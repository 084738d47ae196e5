/**
 * The lab's power switch: a small detached process (one per lab) that owns the power of
 * every lab machine. The fence agent and labUp talk to it through a spool directory:
 * a client drops ID.req (key=value lines: action, node, from) and waits for ID.res
 * ("ok", "on", "off", or "error <why>"). Powering off kills every process in the
 * machine's network namespace (the only faithful way to pull a plug when machines share
 * the host's kernel); powering on runs the same boot as labUp. Being the parent of every
 * machine it boots, it also reaps them.
 *
 * Run: node --import tsx src/lab/power-switch.ts --dir LAB_DIR --prefix PREFIX
 * (--prefix only labels the process, so a crashed lab's switch can be found by it).
 */
import {
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  watch,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LabLayout, LabMachine } from './layout.ts';
import { bootMachine, runInMachine } from './machine.ts';
import { killNetns, machineInitPid } from './processes.ts';
import { layoutFromState, readLabState } from './state.ts';

interface Outlet {
  machine: LabMachine;
  power: 'on' | 'off';
  /** The boot process we started (to reap it). */
  exited?: Promise<number | null>;
  /** Requests for one outlet run one after another. */
  queue: Promise<void>;
}

/** A running power switch. */
export class PowerSwitch {
  private readonly outlets = new Map<string, Outlet>();
  private stopping = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly layout: LabLayout,
    private readonly rebootDelayMs: number,
    private readonly log: (line: string) => void = (l) =>
      console.log(`${new Date().toISOString()} ${l}`),
  ) {
    for (const m of layout.machines) {
      // A machine already running (a restarted switch) counts as on.
      this.outlets.set(m.name, {
        machine: m,
        power: machineInitPid(m.netns) ? 'on' : 'off',
        queue: Promise.resolve(),
      });
    }
  }

  /** Starts serving the spool; writes the pid file last, so its presence means ready. */
  start(): void {
    mkdirSync(this.layout.powerSpool, { recursive: true });
    const scan = (): void => this.scan();
    const w = watch(this.layout.powerSpool, scan);
    w.on('error', () => {}); // polling below still serves
    const t = setInterval(scan, 200);
    this.timers.add(t);
    writeFileSync(this.layout.powerPidFile, `${process.pid}\n`);
    this.log(`power switch ${process.pid} serving ${this.layout.powerSpool}`);
    scan();
  }

  /** Powers every machine off and stops serving. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    await Promise.all(
      [...this.outlets.values()].map((o) =>
        this.powerOff(o).catch((e) => this.log(`off ${o.machine.name}: ${String(e)}`)),
      ),
    );
    rmSync(this.layout.powerPidFile, { force: true });
    this.log('power switch stopped');
  }

  private scan(): void {
    if (this.stopping) return;
    let names: string[];
    try {
      names = readdirSync(this.layout.powerSpool);
    } catch {
      return;
    }
    for (const name of names) {
      if (!name.endsWith('.req')) continue;
      const id = name.slice(0, -4);
      const work = join(this.layout.powerSpool, `${id}.work`);
      try {
        renameSync(join(this.layout.powerSpool, name), work); // claim it exactly once
      } catch {
        continue;
      }
      void this.serve(id, work);
    }
  }

  private async serve(id: string, work: string): Promise<void> {
    let answer: string;
    const req = Object.fromEntries(
      readFileSync(work, 'utf8')
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    ) as Record<string, string>;
    const action = req.action ?? '';
    const node = req.node ?? '';
    this.log(`request ${id}: ${action} ${node} (from ${req.from ?? '?'})`);
    try {
      answer = await this.handle(action, node);
    } catch (e) {
      answer = `error ${e instanceof Error ? e.message : String(e)}`;
    }
    this.log(`answer ${id}: ${answer.split('\n')[0]}`);
    const res = join(this.layout.powerSpool, `${id}.res`);
    writeFileSync(`${res}.tmp`, `${answer}\n`);
    renameSync(`${res}.tmp`, res);
    rmSync(work, { force: true });
  }

  private async handle(action: string, node: string): Promise<string> {
    if (action === 'monitor') return 'ok';
    if (action === 'list') return ['ok', ...this.layout.nodes.map((n) => n.name)].join('\n');
    const o = this.outlets.get(node);
    if (!o) return `error unknown machine "${node}"`;
    switch (action) {
      case 'status':
        return this.isOn(o) ? 'on' : 'off';
      case 'off':
        await this.serial(o, () => this.powerOff(o));
        return 'ok';
      case 'on':
        await this.serial(o, () => this.powerOn(o));
        return 'ok';
      case 'reboot':
        await this.serial(o, async () => {
          await this.powerOff(o);
          await this.delay(this.rebootDelayMs);
          await this.untilGoneFromMembership(o);
          await this.powerOn(o);
        });
        return 'ok';
      default:
        return `error unsupported action "${action}"`;
    }
  }

  private isOn(o: Outlet): boolean {
    return o.power === 'on' && machineInitPid(o.machine.netns) !== undefined;
  }

  private serial(o: Outlet, fn: () => Promise<void>): Promise<void> {
    const next = o.queue.then(fn);
    o.queue = next.catch(() => {});
    return next;
  }

  private async delay(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  /**
   * A real machine takes longer to boot than corosync on the survivors takes to see it
   * gone. A lab node can be back sooner: it would rejoin the old membership, be told it
   * was fenced, and stop its cluster stack for good. So power-on waits (bounded) until
   * no running node still lists it as a corosync member.
   */
  private async untilGoneFromMembership(o: Outlet, timeoutMs = 30_000): Promise<void> {
    const index = this.layout.nodes.findIndex((n) => n.name === o.machine.name);
    if (index < 0) return;
    const key = `runtime.members.${index + 1}.status`;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !this.stopping) {
      const others = this.layout.nodes.filter(
        (n) => n !== o.machine && machineInitPid(n.netns) !== undefined,
      );
      const views = await Promise.all(
        others.map((n) =>
          runInMachine(n, ['corosync-cmapctl', '-g', key], { timeoutMs: 5000 }).catch(
            () => undefined,
          ),
        ),
      );
      if (!views.some((r) => r?.exitCode === 0 && /=\s*joined/.test(r.stdout))) return;
      await this.delay(200);
    }
    this.log(
      `${o.machine.name} still a corosync member after ${timeoutMs} ms; powering it on anyway`,
    );
  }

  private async powerOff(o: Outlet): Promise<void> {
    o.power = 'off';
    const killed = await killNetns(o.machine.netns);
    if (o.exited) await Promise.race([o.exited, sleep(5000)]);
    o.exited = undefined;
    this.log(`${o.machine.name} powered off (${killed} processes killed)`);
  }

  private async powerOn(o: Outlet): Promise<void> {
    if (this.stopping) throw new Error('the power switch is shutting down');
    if (machineInitPid(o.machine.netns) !== undefined) {
      o.power = 'on';
      return;
    }
    const boot = bootMachine(o.machine);
    o.exited = boot.exited;
    o.power = 'on';
    this.log(`${o.machine.name} powered on (boot pid ${boot.pid})`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { dir: { type: 'string' }, prefix: { type: 'string' } },
  });
  if (!values.dir) throw new Error('usage: power-switch.ts --dir LAB_DIR');
  const state = readLabState(values.dir);
  if (!state) throw new Error(`no lab state in ${values.dir}`);
  const sw = new PowerSwitch(layoutFromState(values.dir, state), state.rebootDelayMs);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void sw.shutdown().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('SIGHUP', () => {}); // survive the terminal that started the lab closing
  sw.start();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
