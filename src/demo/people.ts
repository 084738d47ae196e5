import type { Role } from '../auth/index.ts';

/** One demo person: a name, roles and the Slack user that is them. */
export interface DemoPersonSpec {
  name: string;
  roles: Role[];
  slackUserId: string;
}

/**
 * The demo's people: every role once, and two approvers so fence (two approvals, never
 * the requester) can be tried end to end.
 */
export const DEMO_PEOPLE: readonly DemoPersonSpec[] = [
  { name: 'vera', roles: ['viewer'], slackUserId: 'UDEMOVIEW1' },
  { name: 'otto', roles: ['operator'], slackUserId: 'UDEMOOPER1' },
  { name: 'anna', roles: ['approver'], slackUserId: 'UDEMOAPPR1' },
  { name: 'bert', roles: ['approver'], slackUserId: 'UDEMOAPPR2' },
  { name: 'ada', roles: ['admin'], slackUserId: 'UDEMOADMN1' },
];
