import { HasfError } from '../errors/index.ts';

/** What a name names; shown in the error so the operator knows which argument is wrong. */
export type NameKind = 'resource' | 'node' | 'cluster';

/**
 * The allow-list every name passes before it reaches a command: ASCII letters, digits and
 * `._:-`, starting with a letter or digit (so never an option like `-rf`), at most 64
 * characters. Pacemaker ids allow more, but nothing a sane cluster uses.
 */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

/** Returns `value` when it is an acceptable name, else throws INVALID_NAME. */
export function validateName(kind: NameKind, value: unknown): string {
  if (typeof value !== 'string' || !NAME_PATTERN.test(value)) {
    const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : typeof value;
    throw new HasfError(
      'INVALID_NAME',
      `The ${kind} name ${shown} is not allowed: use 1-64 ASCII letters, digits, '.', '_', ':' or '-', starting with a letter or digit.`,
      { kind, value: typeof value === 'string' ? value.slice(0, 200) : null },
    );
  }
  return value;
}

/** ISO 8601 duration as crm_resource --lifetime takes it (PT1H, P1D, P1DT12H, …). */
export const LIFETIME_PATTERN = /^P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/;

/** Returns `value` when it is an ISO 8601 duration, else throws INVALID_INPUT. */
export function validateLifetime(value: string): string {
  if (!LIFETIME_PATTERN.test(value)) {
    throw new HasfError(
      'INVALID_INPUT',
      `The lifetime ${JSON.stringify(value.slice(0, 40))} is not an ISO 8601 duration: write it like PT1H or P1D.`,
      { value: value.slice(0, 200) },
    );
  }
  return value;
}
