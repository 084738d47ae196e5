/** iSCSI target drivers (tgt, LIO, IET): list LUNs, plan and add a LUN idempotently, persist it. */
export type {
  AddLunRequest,
  AddLunResult,
  LunInfo,
  StorageDriver,
  StorageDriverOptions,
  StorageKind,
} from './types.ts';
export { createStorageDriver } from './create.ts';
export { TgtDriver } from './tgt.ts';
export { LioDriver } from './lio.ts';
export { IetDriver } from './iet.ts';
export { nextFreeLun } from './driver-base.ts';
export {
  MAX_LUN,
  MAX_SIZE_MIB,
  validateAddLunRequest,
  validateIqn,
  validateLun,
  validateName,
  validatePath,
  validateSizeMiB,
} from './validate.ts';
export { parseTgtadmShow, type TgtTarget, type TgtLun } from './parse-tgtadm.ts';
export { parseTargetcliLs, parseLioSize, type LioTree } from './parse-targetcli.ts';
export { parseIetVolume, type IetTarget } from './parse-iet.ts';
export { renderTgtConf, tgtConfFileName } from './tgt-conf.ts';
export { upsertIetLun, ietLunLine } from './iet-conf.ts';
