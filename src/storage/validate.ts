import { HasfError } from '../errors/index.ts';
import type { AddLunRequest } from './types.ts';

/** Highest LUN number accepted (SAM allows more, but every target here stops at 255 or below). */
export const MAX_LUN = 255;
/** Largest size a created backing store may have: 16 TiB. */
export const MAX_SIZE_MIB = 16_777_216;

const PATH_CHARS = /^[A-Za-z0-9._/-]+$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const IQN = /^iqn\.\d{4}-\d{2}\.[a-z0-9.-]+(:[A-Za-z0-9._:-]+)?$/;

/**
 * Allow-list check of a path that will reach a command line on the target host:
 * absolute, canonical (no `..`, `.`, `//` or trailing `/`, so string equality means the
 * same file), only [A-Za-z0-9._/-], at most 255 characters. Throws INVALID_INPUT.
 */
export function validatePath(path: unknown, what = 'path'): string {
  const bad = (why: string): never => {
    throw new HasfError('INVALID_INPUT', `The ${what} ${why}; give an absolute path such as /var/lib/hasf/luns/disk1.img.`, {
      field: what,
      value: typeof path === 'string' ? path.slice(0, 300) : path,
    });
  };
  if (typeof path !== 'string' || path.length === 0) return bad('is missing');
  if (path.length > 255) return bad('is longer than 255 characters');
  if (!path.startsWith('/')) return bad('is not absolute');
  if (!PATH_CHARS.test(path)) return bad('holds characters other than letters, digits, . _ / -');
  if (path.length > 1 && path.endsWith('/')) return bad('ends with /');
  const segments = path.split('/').slice(1);
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return bad('holds an empty, . or .. segment');
  return path;
}

/** Allow-list check of a name used for a created file, LV or LIO backstore. Throws INVALID_NAME. */
export function validateName(name: unknown, what = 'name'): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new HasfError(
      'INVALID_NAME',
      `The ${what} must be 1-64 letters, digits, . _ - starting with a letter or digit.`,
      { field: what, value: typeof name === 'string' ? name.slice(0, 100) : name },
    );
  }
  return name;
}

/** Check an IQN (as the inventory schema does; drivers may be built from unchecked config). */
export function validateIqn(iqn: unknown): string {
  if (typeof iqn !== 'string' || !IQN.test(iqn) || iqn.length > 223) {
    throw new HasfError('INVALID_NAME', 'The target IQN is malformed; write it as iqn.YYYY-MM.reversed.domain:name.', {
      field: 'iqn',
      value: typeof iqn === 'string' ? iqn.slice(0, 300) : iqn,
    });
  }
  return iqn;
}

function integerIn(value: unknown, min: number, max: number, field: string, hint: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new HasfError('INVALID_INPUT', `The ${field} must be a whole number from ${min} to ${max}; ${hint}.`, {
      field,
      value,
    });
  }
  return value;
}

/** Check a LUN number (0..255; drivers raise the floor where LUN 0 is reserved). */
export function validateLun(lun: unknown, min = 0): number {
  return integerIn(lun, min, MAX_LUN, 'lun', min > 0 ? `LUN ${min - 1} and below are reserved on this target` : 'or leave it out to take the next free one');
}

/** Check a size in MiB (1..16777216). */
export function validateSizeMiB(size: unknown): number {
  return integerIn(size, 1, MAX_SIZE_MIB, 'sizeMiB', 'give the size in MiB');
}

/**
 * Check a whole lun.add request before any command runs: every field through its
 * allow-list, and enough information to find or create the backing store again on a re-run.
 */
export function validateAddLunRequest(req: AddLunRequest, minLun = 0): AddLunRequest {
  if (typeof req !== 'object' || req === null) {
    throw new HasfError('INVALID_INPUT', 'The lun.add request must be an object with path or sizeMiB.');
  }
  const known = new Set(['path', 'sizeMiB', 'lun', 'name']);
  const unknown = Object.keys(req).filter((k) => !known.has(k));
  if (unknown.length > 0) {
    throw new HasfError('INVALID_INPUT', `Unknown lun.add field(s) ${unknown.join(', ')}; use path, sizeMiB, lun, name.`, {
      fields: unknown,
    });
  }
  const out: AddLunRequest = {};
  if (req.path !== undefined) out.path = validatePath(req.path);
  if (req.sizeMiB !== undefined) out.sizeMiB = validateSizeMiB(req.sizeMiB);
  if (req.lun !== undefined) out.lun = validateLun(req.lun, minLun);
  if (req.name !== undefined) out.name = validateName(req.name);
  if (out.path === undefined && out.sizeMiB === undefined) {
    throw new HasfError('INVALID_INPUT', 'Give the path of an existing backing store, or a sizeMiB (with a name) to create one.');
  }
  if (out.path === undefined && out.name === undefined) {
    throw new HasfError(
      'INVALID_INPUT',
      'A backing store created by size needs a name (or a path), so that a re-run finds it instead of adding a second LUN.',
      { field: 'name' },
    );
  }
  return out;
}
