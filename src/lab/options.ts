import { resolve } from 'node:path';
import { HasfError } from '../errors/index.ts';
import { DEFAULT_SHAPE, LAB_SHAPES, type LabShape } from './shapes.ts';

/** How to build a lab. Everything but `dir` has a default. */
export interface LabOptions {
  /** All lab state lives here (created); the inventory is written to DIR/inventory.yaml. Must not be under /run or /dev/shm (the nodes mount a private tmpfs there). */
  dir: string;
  /** Prefix of namespace and interface names; default 'hasf'. At most 8 characters so `PREFIX-store1` fits the 15-character interface limit. */
  prefix?: string;
  /** First three octets of the lab's /24; default '10.231.7'. Nodes get .11 .12 .13, store1 .20, the host side .1. */
  subnet?: string;
  /** Cluster shape (shapes.ts): `seed` (default) with the shapes real clusters have, or `tidy`. */
  shape?: LabShape;
  /** How long the VM agent's migrate_to takes, in ms; default 2000. */
  migrationTimeMs?: number;
  /** How long the power switch keeps a rebooted node off, in ms; default 3000. */
  rebootDelayMs?: number;
  /**
   * Corosync totem token timeout in ms; default 1000 (as in LAB-NOTES). Corosync runs with
   * SCHED_RR priority 99 here, so load from other processes does not starve it; raise this
   * if a loaded machine shows "A processor failed" without a real failure. A reboot keeps
   * a node off for at least 2.2 × token + 0.5 s whatever rebootDelayMs says.
   */
  tokenMs?: number;
  /** Give up waiting for the cluster to settle after this long, in ms; default 90000. */
  readyTimeoutMs?: number;
  /** Progress lines (what is being done); default: silent. */
  log?: (line: string) => void;
}

/** Options with every default filled in and checked. */
export interface ResolvedLabOptions {
  dir: string;
  prefix: string;
  subnet: string;
  shape: LabShape;
  migrationTimeMs: number;
  rebootDelayMs: number;
  tokenMs: number;
  readyTimeoutMs: number;
  log: (line: string) => void;
}

/** Default namespace/interface prefix. */
export const DEFAULT_PREFIX = 'hasf';
/** Default first three octets of the lab subnet. */
export const DEFAULT_SUBNET = '10.231.7';

/** Fills in defaults and refuses options that would produce a broken lab. */
export function resolveLabOptions(o: LabOptions): ResolvedLabOptions {
  const r: ResolvedLabOptions = {
    dir: resolve(o.dir),
    prefix: checkPrefix(o.prefix ?? DEFAULT_PREFIX),
    subnet: checkSubnet(o.subnet ?? DEFAULT_SUBNET),
    shape: checkShape(o.shape ?? DEFAULT_SHAPE),
    migrationTimeMs: checkMs('migrationTimeMs', o.migrationTimeMs ?? 2000),
    rebootDelayMs: checkMs('rebootDelayMs', o.rebootDelayMs ?? 3000),
    tokenMs: checkMs('tokenMs', o.tokenMs ?? 1000),
    readyTimeoutMs: checkMs('readyTimeoutMs', o.readyTimeoutMs ?? 90_000),
    log: o.log ?? (() => {}),
  };
  if (/^\/(run|var\/run|dev\/shm)(\/|$)/.test(r.dir)) {
    throw new HasfError(
      'INVALID_INPUT',
      `The lab dir ${r.dir} is hidden inside the nodes (they mount their own /run and /dev/shm); choose a dir elsewhere.`,
      { dir: r.dir },
    );
  }
  return r;
}

/** Checks a namespace/interface prefix (letters, digits; 1–8 characters). */
export function checkPrefix(prefix: string): string {
  if (!/^[a-z][a-z0-9]{0,7}$/.test(prefix)) {
    throw new HasfError(
      'INVALID_INPUT',
      `Lab prefix "${prefix}" is not 1–8 lower-case letters or digits starting with a letter; pick one like "hasf".`,
      { prefix },
    );
  }
  return prefix;
}

/** Checks a shape name against shapes.ts. */
export function checkShape(shape: string): LabShape {
  if (!(LAB_SHAPES as readonly string[]).includes(shape)) {
    throw new HasfError('INVALID_INPUT', `Lab shape "${shape}" is not one of ${LAB_SHAPES.join(', ')}.`, { shape, shapes: [...LAB_SHAPES] });
  }
  return shape as LabShape;
}

function checkSubnet(subnet: string): string {
  const parts = subnet.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    throw new HasfError(
      'INVALID_INPUT',
      `Lab subnet "${subnet}" is not three octets such as 10.231.7; give the first three octets of a free /24.`,
      { subnet },
    );
  }
  return subnet;
}

function checkMs(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 0 || v > 600_000) {
    throw new HasfError(
      'INVALID_INPUT',
      `Lab option ${name}=${v} is not a whole number of milliseconds between 0 and 600000.`,
      { [name]: v },
    );
  }
  return v;
}
