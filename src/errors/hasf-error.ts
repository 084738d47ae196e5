import type { ErrorCode } from './codes.ts';

/**
 * The one error class the product throws on purpose. `code` is stable (see codes.ts);
 * `message` is one sentence for a person: what is wrong and what to do; `details`
 * carries machine-readable context (the offered fingerprint, the closest names, …).
 */
export class HasfError extends Error {
  override readonly name = 'HasfError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  toJSON(): { code: ErrorCode; message: string; details: Record<string, unknown> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** True when `err` is a HasfError, optionally with the given code. */
export function isHasfError(err: unknown, code?: ErrorCode): err is HasfError {
  return err instanceof HasfError && (code === undefined || err.code === code);
}
