export { createSandbox } from './app';
export type { Sandbox, SandboxOptions } from './app';
export { MessageStore, PROVIDERS, SANDBOX_CHANNELS } from './store';
export type { MessageFilter, SandboxChannel, SandboxMessage, SandboxProvider } from './store';
export { FaultRegistry, FAULT_STATUSES } from './faults';
export type { FaultSpec, FaultStatus } from './faults';
export { INVALID_EMAIL_DOMAIN } from './routes/sendgrid';
export { INVALID_TO_NUMBER } from './routes/twilio';
export { INVALID_TOKEN_PREFIX, UNREGISTERED_TOKEN_PREFIX } from './routes/fcm';
