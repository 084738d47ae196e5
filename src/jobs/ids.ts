import { randomBytes } from 'node:crypto';

/**
 * Job ids: short enough to type in Slack (`/hasf approve j5kq1z7c2a9f`), sortable by
 * creation time, unguessable enough not to collide across API replicas.
 */
export function newJobId(now = Date.now()): string {
  return `j${now.toString(36)}${randomBytes(3).toString('hex')}`;
}

/** Ids we accept from users: the shape above (checked before any Redis lookup). */
export const JOB_ID_PATTERN = /^j[0-9a-z]{8,16}$/;
