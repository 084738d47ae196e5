/**
 * The Pacemaker driver: one typed model of cluster state from any stack (Heartbeat 2.1 to
 * Pacemaker 3), the cluster actions with each stack's flag spellings, and dry runs with
 * the real scheduler (crm_simulate on a copy of the CIB).
 */
export { PacemakerDriver, detectDialect, type PacemakerDriverOptions, type ResolvedDialect } from './driver.ts';
export type {
  ClusterNode,
  ClusterResource,
  ClusterStatus,
  FenceEvent,
  LocationConstraint,
  PlannedChange,
  PredictedAction,
  Prediction,
  Quorum,
  ResourceKind,
} from './model.ts';
export {
  DIALECTS,
  cibArgv,
  cleanupArgv,
  clearArgv,
  compareVersions,
  dialectFromVersion,
  fencingPropertyName,
  fenceArgv,
  fenceHistoryArgv,
  moveArgv,
  simulateArgv,
  standbyArgv,
  statusArgv,
  type DialectSpec,
  type StackDialect,
  type StatusSource,
} from './dialects.ts';
export {
  banArgv,
  cibCreateArgv,
  cibDeleteArgv,
  clearExpiredArgv,
  maintenanceModeArgv,
  metaArgv,
  nodeMaintenanceArgv,
  propertyArgv,
  resourceMaintenanceArgv,
  resourceMaintenanceMeta,
  restartArgv,
  targetRoleArgv,
  verifyArgv,
} from './argv-admin.ts';
export { isAdminChange, type AdminChange } from './admin-change.ts';
export { parseDependencies, dependantsOf, type Dependencies, type Dependant } from './cib-dependencies.ts';
export { vmResourceXml, vmConstraintIds, deletionXml, configParamOf, type CibElement, type VmResourceXml } from './vm-xml.ts';
export { validateName, validateLifetime, NAME_PATTERN, type NameKind } from './names.ts';
export { parseCrmMonXml, flattenResources, type ParseOptions } from './parse-crm-mon.ts';
export { parseCib } from './parse-cib.ts';
export { mergeCibIntoStatus } from './merge-status.ts';
export { parseFenceHistory, findCompletedFence } from './parse-fence-history.ts';
export { parseSimulateXml, parseTransitionSummary } from './parse-simulate.ts';
export { parseCfgtool, type CorosyncLink, type CorosyncLinks, type LinkPeer } from './parse-cfgtool.ts';
export { parseCrmVerify, type VerifyMessage, type VerifyResult } from './parse-crm-verify.ts';
export { parseCibDetail, type CibDetail, type FailedAction, type ResourceMeta } from './parse-cib-detail.ts';
export { probeNode, parseEpoch, parseGetent, type ClockReading, type NodeProbe } from './node-probes.ts';
export { CibFileExecutor } from './cib-file-executor.ts';
export { predictSequence, type PredictionStep, type SequencePrediction, type SimStep } from './predict.ts';
export { callIdBaseline, describeOps, parseStatusOps, parseRemaining, parseDcState, type ClusterOp, type SettleState } from './settle.ts';
export { explainPlacement, reasonsText, type PlacementExplanation, type PlacementReason } from './placement-reasons.ts';
export { parseUtilization, type Utilization } from './utilization.ts';
