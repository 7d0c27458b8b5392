export { createSandbox, sendGridWebhookPublicKey } from './app';
export type { Sandbox, SandboxOptions } from './app';
export { MessageStore, PROVIDERS, SANDBOX_CHANNELS } from './store';
export type {
  FcmAndroidConfig,
  FcmApnsConfig,
  MessageFilter,
  SandboxChannel,
  SandboxMessage,
  SandboxProvider,
  TwilioCredentials,
} from './store';
export { FaultRegistry, FaultSpecError, FAULT_STATUSES, parseFaultSpec } from './faults';
export type { FaultDecision, FaultSpec, FaultStatus, InjectedFailure } from './faults';
export { PROVIDER_ERROR_CODES } from './provider-errors';
export { INVALID_EMAIL_DOMAIN } from './routes/sendgrid';
export { INVALID_TO_NUMBER } from './routes/twilio';
export { INVALID_TOKEN_PREFIX, UNREGISTERED_TOKEN_PREFIX } from './routes/fcm';
export type { SmtpListener } from './smtp';
export { DeliveryLedger } from './ledger';
export type { DeliveryCounts, DeliveryPage } from './ledger';
export {
  SENDGRID_BOUNCE_TYPES,
  SENDGRID_EVENTS,
  TWILIO_STATUSES,
  WebhookSender,
  parseSendGridEventRequest,
  parseTwilioStatusRequest,
} from './webhooks';
export type {
  SendGridBounceType,
  SendGridEventName,
  SendGridEventRequest,
  TwilioStatus,
  TwilioStatusRequest,
  WebhookOutcome,
} from './webhooks';
