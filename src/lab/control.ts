import { resolve } from 'node:path';
import { HasfError } from '../errors/index.ts';
import type { CommandResult, RunOptions } from '../ssh/types.ts';
import { runInMachine } from './machine.ts';
import { askPowerSwitch, type PowerAction } from './power-client.ts';
import { requireRoot } from './root.ts';
import { layoutFromState, readLabState } from './state.ts';
import type { LabLayout } from './layout.ts';

function runningLayout(dir: string): LabLayout {
  const state = readLabState(resolve(dir));
  if (!state)
    throw new HasfError(
      'LAB_FAILED',
      `No lab in ${dir}; bring one up with \`hasf lab up --dir ${dir}\`.`,
      { dir },
    );
  return layoutFromState(resolve(dir), state);
}

/**
 * Works the lab's power switch, as a person at the PDU would: `off` cuts a machine's
 * power (every process killed) until `on`; `reboot` cuts it for the reboot delay. For
 * tests that need a dead node without going through the cluster. Returns the switch's
 * answer ("ok", or "on"/"off" for status).
 */
export async function labPower(
  o: { dir: string },
  action: PowerAction,
  machine: string,
  timeoutMs = 60_000,
): Promise<string> {
  requireRoot();
  const layout = runningLayout(o.dir);
  return (await askPowerSwitch(layout.powerSpool, action, machine, timeoutMs)).join('\n');
}

/**
 * Runs an argv inside a lab machine as root (its namespaces, no ssh), e.g.
 * `labExec({dir}, 'node2', ['pkill', '-9', 'pacemaker-controld'])`. A non-zero exit is
 * returned, not thrown.
 */
export async function labExec(
  o: { dir: string },
  machine: string,
  argv: string[],
  options: RunOptions = {},
): Promise<CommandResult> {
  requireRoot();
  const layout = runningLayout(o.dir);
  const m = layout.machines.find((x) => x.name === machine);
  if (!m)
    throw new HasfError(
      'INVALID_INPUT',
      `The lab has no machine "${machine}"; use one of ${layout.machines.map((x) => x.name).join(', ')}.`,
      { machine },
    );
  return runInMachine(m, argv, options);
}
