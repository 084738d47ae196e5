/**
 * The demo that `hasf start` (npm start) runs: its people and credentials, its
 * configuration, its own Redis. Only the CLI uses it.
 */
export { DEMO_PEOPLE, type DemoPersonSpec } from './people.ts';
export { credentialsSchema, generateCredentials, readCredentials, loadOrCreateCredentials, type DemoCredentials } from './credentials.ts';
export { demoConfig, demoPaths, writeDemoConfig, type DemoPaths } from './config.ts';
export { startDemoRedis, freeLoopbackPort, type DemoRedis } from './redis.ts';
export { startSlackSink, type SlackSink } from './slack-sink.ts';
