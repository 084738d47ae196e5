import type { CommandExecutor, CommandResult } from '../ssh/types.ts';
import {
  clearArgv,
  deleteXpathArgv,
  moveArgv,
  simulateArgv,
  standbyArgv,
  statusArgv,
  type DialectSpec,
} from './dialects.ts';
import { copyArgvs, describeAdminChange } from './admin-change.ts';
import { mergeCibIntoStatus } from './merge-status.ts';
import type { ClusterStatus, PlannedChange, PredictedAction, Prediction } from './model.ts';
import { parseCib } from './parse-cib.ts';
import { flattenResources, parseCrmMonXml } from './parse-crm-mon.ts';
import { parseSimulateXml, parseTransitionSummary } from './parse-simulate.ts';
import { toolError } from './tool-error.ts';
import { openWorkspace } from './workspace.ts';

const BIG = 64 * 1024 * 1024;

/** What predict() needs: the live CIB, where to simulate, and that host's dialect. */
export interface PredictInput {
  cib: string;
  simulator: CommandExecutor;
  dialect: DialectSpec;
  change: PlannedChange;
}

/**
 * Run the real scheduler on a copy of `cib` with `change` applied and read what it would
 * do. Everything happens on files in a temporary directory on the simulator host, with
 * CIB_file= pointing the tools at the copy: the cluster itself is never touched.
 */
export async function predictChange({ cib, simulator, dialect, change }: PredictInput): Promise<Prediction> {
  const ws = await openWorkspace(simulator);
  const simulated: string[][] = [];
  const input = ws.path('input.xml');
  const output = ws.path('output.xml');
  const onCopy = async (argv: string[], what: string): Promise<CommandResult> => {
    simulated.push(argv);
    const r = await simulator.run(argv, { env: { CIB_file: input }, maxOutputBytes: BIG });
    if (r.exitCode !== 0) throw toolError(r, `simulating ${what}`);
    return r;
  };
  try {
    await ws.write('input.xml', cib);
    let failNode: string | undefined;
    switch (change.kind) {
      case 'move':
        await onCopy(moveArgv(dialect, change.resource, change.node, change.lifetime), `move ${change.resource} to ${change.node}`);
        break;
      case 'clear':
        await onCopy(clearArgv(dialect, change.resource), `clear ${change.resource}`);
        break;
      case 'standby':
        await onCopy(standbyArgv(dialect, change.node, change.on), `standby ${change.node}`);
        break;
      case 'fence':
        failNode = change.node;
        break;
      case 'cleanup': {
        // crm_resource --cleanup is a no-op on a file: remove what it would clear instead.
        const r = change.resource;
        const rsc = `(@id='${r}' or starts-with(@id,'${r}:'))`;
        const onNode = change.node ? `[@uname='${change.node}']` : '';
        await onCopy(deleteXpathArgv(`//node_state${onNode}//lrm_resource[${rsc}]/lrm_rsc_op[contains(@id,'_last_failure_')]`), `cleanup ${r}`);
        const names = ['fail-count', 'last-failure']
          .map((p) => `@name='${p}-${r}' or starts-with(@name,'${p}-${r}#')`)
          .join(' or ');
        await onCopy(deleteXpathArgv(`//node_state${onNode}/transient_attributes//nvpair[${names}]`), `cleanup ${r}`);
        break;
      }
      default:
        // The weekly administration changes (admin-change.ts), sequences included.
        for (const argv of copyArgvs(dialect, change)) await onCopy(argv, describeAdminChange(change));
    }

    let format: Prediction['format'] = dialect.simulate?.xml ? 'xml' : 'text';
    let argv = simulateArgv(dialect, input, output, { xml: format === 'xml', failNode });
    let sim = await simulator.run(argv, { maxOutputBytes: BIG });
    if (sim.exitCode !== 0 && format === 'xml' && /output-as|unrecognized|unknown option/i.test(sim.stderr)) {
      // Pacemaker 2.0.x: crm_simulate has no formatted output yet.
      format = 'text';
      argv = simulateArgv(dialect, input, output, { xml: false, failNode });
      sim = await simulator.run(argv, { maxOutputBytes: BIG });
    }
    simulated.push(argv);
    if (sim.exitCode !== 0) throw toolError(sim, 'running crm_simulate');
    const actions: PredictedAction[] = format === 'xml' ? parseSimulateXml(sim.stdout) : parseTransitionSummary(sim.stdout);

    const after = await readAfter(simulator, dialect, output, await ws.read('output.xml'));
    const placement: Record<string, string[]> = {};
    for (const r of flattenResources(after.resources)) placement[r.id] = [...r.nodes];
    return { change, actions, after, placement, format, simulated };
  } finally {
    await ws.dispose();
  }
}

/** The status the simulation left: crm_mon on the output file when it can, else the CIB alone. */
async function readAfter(exec: CommandExecutor, dialect: DialectSpec, file: string, cibXml: string): Promise<ClusterStatus> {
  const cib = parseCib(cibXml);
  for (const source of dialect.status) {
    if (source === 'cibadmin') break;
    const r = await exec.run(statusArgv(source), { env: { CIB_file: file }, maxOutputBytes: BIG });
    if (r.exitCode === 0 && r.stdout.includes('<')) return mergeCibIntoStatus(parseCrmMonXml(r.stdout), cib);
  }
  return cib;
}
