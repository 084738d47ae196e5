export { OPERATIONS, OPERATION_NAMES, getOperation } from './catalogue.ts';
export { validateParams } from './validate-params.ts';
export { NAME_PATTERN } from './params.ts';
export { linesCovered, uniqueLines } from './lines.ts';
export type * from './types.ts';
export { readMaintenance, maintenanceLine, type MaintenanceEntry } from './maintenance-status.ts';
