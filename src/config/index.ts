export { configSchema, redisSchema, type HasfConfig, type HasfConfigInput } from './schema.ts';
export { parseConfig, loadConfig, describeZodError, ENV_OVERRIDES } from './load.ts';
export * from './inventory.ts';
export * from './rolling.ts';
