/**
 * The REST door for ticketing systems: an Express app whose contract is openapi.yaml
 * (requests validated against it, types generated from it), problem+json errors, Bearer
 * tokens with roles, idempotent job creation, per-token rate limits, metrics and docs.
 */
export { createApiApp, type ApiAppOptions } from './app.ts';
export { startApiServer, type RunningApi } from './server.ts';
export { problemOf, sendProblem, type ProblemBody } from './problem.ts';
export { checkResponse, SPEC, SPEC_PATH, specText, schemaValidator, paramsSchemaName } from './spec.ts';
export { renderDocs } from './docs.ts';
export { toApiJob, type ApiJob } from './view.ts';
export type { paths, components } from './openapi-types.ts';
