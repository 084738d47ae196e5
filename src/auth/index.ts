/** People, identities, roles and tokens: who the caller is and what they may do. */
export {
  roleSchema,
  ROLE_PERMISSIONS,
  can,
  permissionsOf,
  type Role,
  type Permission,
} from './roles.ts';
export {
  personSchema,
  slackUserGroupSchema,
  peopleSchema,
  tokenHashSchema,
  slackUserIdSchema,
  slackGroupIdSchema,
  type Person,
  type PersonConfig,
  type SlackUserGroupConfig,
  type PeopleConfig,
} from './people.ts';
export { Directory, type DirectoryOptions } from './directory.ts';
export { GroupCache, type GroupCacheOptions, type GroupMembersLookup } from './group-cache.ts';
export { generateToken, hashToken, isTokenFormat } from './token-format.ts';
export {
  TokenStore,
  type TokenStoreOptions,
  type TokenInfo,
  type CreatedToken,
  type ResolvedToken,
  type TokenMinter,
} from './token-store.ts';
export {
  Authenticator,
  requirePermission,
  type AuthenticatorOptions,
  type Principal,
  type Credential,
  type Channel,
} from './authenticator.ts';
