import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { labLayout, type LabLayout } from './layout.ts';
import type { LabShape } from './shapes.ts';

/** What labUp records in DIR/lab.json: enough for labDown, labStatus and the power switch. */
export interface LabState {
  prefix: string;
  subnet: string;
  /** Cluster shape; absent in labs built before shapes existed (they were `tidy`). */
  shape?: LabShape;
  migrationTimeMs: number;
  rebootDelayMs: number;
  tokenMs: number;
  /** ISO time the lab was created. */
  createdAt: string;
}

/** Path of the state file of a lab in `dir`. */
export function stateFile(dir: string): string {
  return join(dir, 'lab.json');
}

/** Reads DIR/lab.json, or undefined when there is none (or it is unreadable). */
export function readLabState(dir: string): LabState | undefined {
  try {
    return JSON.parse(readFileSync(stateFile(dir), 'utf8')) as LabState;
  } catch {
    return undefined;
  }
}

/** Writes DIR/lab.json. */
export function writeLabState(dir: string, s: LabState): void {
  writeFileSync(stateFile(dir), `${JSON.stringify(s, null, 2)}\n`);
}

/** The layout of the lab recorded in `dir`. */
export function layoutFromState(dir: string, s: LabState): LabLayout {
  return labLayout(dir, s.prefix, s.subnet);
}
