import { z } from 'zod';

/** The four roles a person (or a Slack user group) can hold. */
export const roleSchema = z.enum(['viewer', 'operator', 'approver', 'admin']);

/** A role: viewer (read), operator (request), approver (approve/reject), admin (everything). */
export type Role = z.infer<typeof roleSchema>;

/** What an entry point asks before doing anything. */
export type Permission = 'read' | 'request' | 'approve' | 'emergency' | 'admin';

/**
 * The permission matrix, the one place it is decided:
 *
 * | role     | read | request | approve | emergency | admin |
 * |----------|------|---------|---------|-----------|-------|
 * | viewer   |  x   |         |         |           |       |
 * | operator |  x   |    x    |         |           |       |
 * | approver |  x   |         |    x    |           |       |
 * | admin    |  x   |    x    |    x    |     x     |   x   |
 *
 * Approver does not imply operator on purpose: change managers who approve need not be
 * able to start work; a person who needs both holds both roles.
 */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  viewer: ['read'],
  operator: ['read', 'request'],
  approver: ['read', 'approve'],
  admin: ['read', 'request', 'approve', 'emergency', 'admin'],
};

/** Every permission the given roles grant, without duplicates. */
export function permissionsOf(roles: readonly Role[]): Permission[] {
  return [...new Set(roles.flatMap((r) => ROLE_PERMISSIONS[r]))];
}

/** True when someone holding `roles` has `permission`; e.g. `can({ roles: ['operator'] }, 'request')`. */
export function can(person: { roles: readonly Role[] }, permission: Permission): boolean {
  return person.roles.some((r) => ROLE_PERMISSIONS[r].includes(permission));
}
