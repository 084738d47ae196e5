export { ErrorCode } from './codes.ts';
export { HasfError, isHasfError } from './hasf-error.ts';
export { CODE_INFO, isTransient, type CodeInfo } from './describe.ts';
