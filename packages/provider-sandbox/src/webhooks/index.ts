export { generateSendGridSigningKey, sendGridSigningKey, sendGridVerificationKey } from './keys';
export { httpOrigin, isHttpUrl, parseSendGridEventRequest, parseTwilioStatusRequest } from './requests';
export type { RequestResult } from './requests';
export {
  SENDGRID_BOUNCE_TYPES,
  SENDGRID_EVENTS,
  sendGridEvents,
  signSendGridPayload,
} from './sendgrid-events';
export type {
  SendGridBounceType,
  SendGridEvent,
  SendGridEventName,
  SendGridEventRequest,
} from './sendgrid-events';
export { WebhookSender } from './sender';
export type { WebhookOutcome, WebhookSenderOptions } from './sender';
export { TWILIO_STATUSES, twilioSignature, twilioStatusForm } from './twilio-status';
export type { TwilioStatus, TwilioStatusRequest } from './twilio-status';
