import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { HasfError } from '../errors/index.ts';
import { getOperation, OPERATION_NAMES } from './catalogue.ts';

const ajv = new Ajv({ allErrors: false, useDefaults: true, strict: false });
const compiled = new Map<string, ValidateFunction>();

function validatorFor(operation: string): ValidateFunction {
  let v = compiled.get(operation);
  if (!v) {
    v = ajv.compile(getOperation(operation).paramsSchema);
    compiled.set(operation, v);
  }
  return v;
}

function describe(e: ErrorObject, operation: string): HasfError {
  const field = e.instancePath.replace(/^\//, '') || (e.params as { missingProperty?: string }).missingProperty || '';
  const usage = getOperation(operation).usage;
  if (e.keyword === 'pattern' || e.keyword === 'maxLength') {
    return new HasfError(
      'INVALID_NAME',
      `${field} is not a valid name: use letters, digits, '.', '_', ':' or '-', starting with a letter or digit, at most 64 characters.`,
      { field, usage },
    );
  }
  if (e.keyword === 'additionalProperties') {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    return new HasfError('INVALID_INPUT', `Unknown parameter "${extra}" for ${operation}. Usage: ${usage}`, { field: extra, usage });
  }
  if (e.keyword === 'required') {
    return new HasfError('INVALID_INPUT', `Missing parameter "${field}" for ${operation}. Usage: ${usage}`, { field, usage });
  }
  if (e.keyword === 'oneOf') {
    return new HasfError('INVALID_INPUT', `${operation} needs exactly one of its alternatives (e.g. a path or a size, not both). Usage: ${usage}`, { usage });
  }
  return new HasfError('INVALID_INPUT', `Parameter "${field}" ${e.message ?? 'is invalid'}. Usage: ${usage}`, { field, usage });
}

/**
 * Validate (and default) the params of an operation in place. Every door calls this
 * before anything else, so bad input never reaches a driver, let alone a shell.
 */
export function validateParams(operation: string, params: unknown): Record<string, unknown> {
  if (!OPERATION_NAMES.includes(operation as never)) getOperation(operation);
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw new HasfError('INVALID_INPUT', `params for ${operation} must be an object.`, { usage: getOperation(operation).usage });
  }
  const copy = structuredClone(params) as Record<string, unknown>;
  const v = validatorFor(operation);
  if (!v(copy)) throw describe(v.errors![0]!, operation);
  return copy;
}
