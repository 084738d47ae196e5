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
import { parseUtilization, type Utilization } from './utilization.ts';
import { toolError } from './tool-error.ts';
import { openWorkspace } from './workspace.ts';

const BIG = 64 * 1024 * 1024;

/**
 * One step of a simulated sequence: a change a job makes, or (after a reboot fence) the
 * node coming back and rejoining, which the job waits for and which moves things too.
 */
export type SimStep = PlannedChange | { kind: 'rejoin'; node: string };

/** What the scheduler does after one step of a sequence. */
export interface PredictionStep {
  change: SimStep;
  actions: PredictedAction[];
  /** Where each resource runs once this step's transition is done. */
  placement: Record<string, string[]>;
  /** Node capacity and what the scheduler assigned (placement-strategy utilization), when it printed them. */
  utilization?: Utilization;
}

/** The prediction of a whole sequence: every step's transition, in order, and the end state. */
export interface SequencePrediction extends Prediction {
  steps: PredictionStep[];
  /** The CIB the sequence started from (for explaining the end state: constraints, scores). */
  inputCib: string;
  /** Its version (cibVersionOf): a CIB of the same version gives the same prediction. */
  cibVersion?: string;
}

/** admin_epoch.epoch.num_updates of a CIB's root: any change to the CIB changes it. */
export function cibVersionOf(cib: string): string | undefined {
  const root = /<cib\b[^>]*>/.exec(cib)?.[0];
  if (!root) return undefined;
  const a = (n: string) => new RegExp(`\\s${n}="(\\d+)"`).exec(root)?.[1];
  const [x, y, z] = [a('admin_epoch'), a('epoch'), a('num_updates')];
  return x !== undefined && y !== undefined && z !== undefined ? `${x}.${y}.${z}` : undefined;
}

/** What a prediction needs: the live CIB, where to simulate, and that host's dialect. */
export interface PredictInput {
  cib: string;
  simulator: CommandExecutor;
  dialect: DialectSpec;
}

/**
 * Run the real scheduler on a copy of `cib` for each step in turn — the change applied to
 * the copy, then `crm_simulate --simulate` writes the cluster as the transition leaves it,
 * and the next step starts from there (as pcs's move_autoclean simulates the move, then
 * the removal of its constraint). Everything happens on files in a temporary directory
 * on the simulator host, with CIB_file= pointing the tools at the copy: the cluster
 * itself is never touched. `placement`/`after` are the end state of the whole sequence.
 */
export async function predictSequence({ cib, simulator, dialect, steps }: PredictInput & { steps: SimStep[] }): Promise<SequencePrediction> {
  const ws = await openWorkspace(simulator);
  const simulated: string[][] = [];
  const onCopy = async (file: string, argv: string[], what: string): Promise<CommandResult> => {
    simulated.push(argv);
    const r = await simulator.run(argv, { env: { CIB_file: file }, maxOutputBytes: BIG });
    if (r.exitCode !== 0) throw toolError(r, `simulating ${what}`);
    return r;
  };
  try {
    await ws.write('step0.xml', cib);
    let format: Prediction['format'] = dialect.simulate?.xml ? 'xml' : 'text';
    const out: PredictionStep[] = [];
    let after: ClusterStatus | undefined;
    for (const [i, change] of steps.entries()) {
      const input = ws.path(`step${i}.xml`);
      const output = ws.path(`step${i + 1}.xml`);
      let failNode: string | undefined;
      let upNode: string | undefined;
      switch (change.kind) {
        case 'move':
          await onCopy(input, moveArgv(dialect, change.resource, change.node, change.lifetime), `move ${change.resource} to ${change.node}`);
          break;
        case 'clear':
          await onCopy(input, clearArgv(dialect, change.resource), `clear ${change.resource}`);
          break;
        case 'standby':
          await onCopy(input, standbyArgv(dialect, change.node, change.on), `standby ${change.node}`);
          break;
        case 'fence':
          failNode = change.node;
          break;
        case 'rejoin':
          upNode = change.node;
          break;
        case 'cleanup': {
          // crm_resource --cleanup is a no-op on a file: remove what it would clear instead.
          const r = change.resource;
          const rsc = `(@id='${r}' or starts-with(@id,'${r}:'))`;
          const onNode = change.node ? `[@uname='${change.node}']` : '';
          await onCopy(input, deleteXpathArgv(`//node_state${onNode}//lrm_resource[${rsc}]/lrm_rsc_op[contains(@id,'_last_failure_')]`), `cleanup ${r}`);
          const names = ['fail-count', 'last-failure'].map((p) => `@name='${p}-${r}' or starts-with(@name,'${p}-${r}#')`).join(' or ');
          await onCopy(input, deleteXpathArgv(`//node_state${onNode}/transient_attributes//nvpair[${names}]`), `cleanup ${r}`);
          break;
        }
        default:
          // The weekly administration changes (admin-change.ts), sequences included.
          for (const argv of copyArgvs(dialect, change)) await onCopy(input, argv, describeAdminChange(change));
      }
      const opts = { failNode, upNode, utilization: true };
      let argv = simulateArgv(dialect, input, output, { xml: format === 'xml', ...opts });
      let sim = await simulator.run(argv, { maxOutputBytes: BIG });
      if (sim.exitCode !== 0 && format === 'xml' && /output-as|unrecognized|unknown option/i.test(sim.stderr)) {
        // Pacemaker 2.0.x: crm_simulate has no formatted output yet.
        format = 'text';
        argv = simulateArgv(dialect, input, output, { xml: false, ...opts });
        sim = await simulator.run(argv, { maxOutputBytes: BIG });
      }
      simulated.push(argv);
      if (sim.exitCode !== 0) throw toolError(sim, 'running crm_simulate');
      const actions = format === 'xml' ? parseSimulateXml(sim.stdout) : parseTransitionSummary(sim.stdout);
      // crm_simulate's XML carries the cluster as the transition leaves it: read that, and
      // the output file (for its configuration) only after the last step.
      const revised = format === 'xml' ? /<revised_cluster_status>([\s\S]*?)<\/revised_cluster_status>/.exec(sim.stdout)?.[1] : undefined;
      const last = i === steps.length - 1;
      if (revised !== undefined && !last) after = parseCrmMonXml(`<pacemaker-result>${revised}</pacemaker-result>`);
      else if (revised !== undefined) after = mergeCibIntoStatus(parseCrmMonXml(`<pacemaker-result>${revised}</pacemaker-result>`), parseCib(await ws.read(`step${i + 1}.xml`)));
      else after = await readAfter(simulator, dialect, output, await ws.read(`step${i + 1}.xml`));
      const utilization = parseUtilization(sim.stdout, format);
      out.push({ change, actions, placement: placementOf(after), ...(utilization ? { utilization } : {}) });
    }
    const first = steps.find((s): s is PlannedChange => s.kind !== 'rejoin') ?? (steps[0] as PlannedChange);
    return {
      change: first,
      actions: out.flatMap((s) => s.actions),
      after: after!,
      placement: out.at(-1)!.placement,
      format,
      simulated,
      steps: out,
      inputCib: cib,
      ...(cibVersionOf(cib) ? { cibVersion: cibVersionOf(cib) } : {}),
    };
  } finally {
    await ws.dispose();
  }
}

function placementOf(s: ClusterStatus): Record<string, string[]> {
  const placement: Record<string, string[]> = {};
  for (const r of flattenResources(s.resources)) placement[r.id] = [...r.nodes];
  return placement;
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
