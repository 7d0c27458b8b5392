export { FAULT_STATUSES } from '../provider-errors';
export type { FaultStatus } from '../provider-errors';
export { FaultRegistry, FaultSpecError } from './registry';
export type { FaultDecision, InjectedFailure } from './registry';
export { RateWindow } from './rate-window';
export { parseFaultSpec } from './spec';
export type { FaultSpec, ParseResult } from './spec';
