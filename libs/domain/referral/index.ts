export * from './referral-status.js';
export * from './referral-machine.js';
export * from './gate.js';
export * from './resident-id.js';
export * from './patient.js';
export * from './masking.js';
export * from './handover.js';
export * from './deadlines.js';
