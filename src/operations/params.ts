import { LIFETIME_PATTERN, NAME_PATTERN as CLUSTER_NAME_PATTERN } from '../cluster/names.ts';

/**
 * JSON Schema fragments shared by operation params. The name pattern is the allow-list
 * every cluster object name must match before anything reaches a shell: no spaces,
 * quotes, metacharacters, leading '-', non-ASCII or more than 64 characters.
 */
/** The same allow-list the drivers enforce (src/cluster/names.ts), as a JSON Schema pattern. */
export const NAME_PATTERN = CLUSTER_NAME_PATTERN.source;

export const nameSchema = (description: string) => ({
  type: 'string',
  pattern: NAME_PATTERN,
  maxLength: 64,
  description,
});

/**
 * Absolute path on the storage host: a safe character set, at most 255 characters.
 * A `..` segment passes the pattern on purpose: the storage rules refuse it with their
 * own code (BACKING_STORE_NOT_ALLOWED), like any path outside backingDir.
 */
export const PATH_PATTERN = '^/[A-Za-z0-9._/-]{1,254}$';

/** An ISO 8601 duration (PT2H, P1D), as crm_resource --lifetime takes it; the drivers check it again. */
export const lifetimeSchema = (description: string) => ({
  type: 'string',
  pattern: LIFETIME_PATTERN.source,
  maxLength: 32,
  description,
});
