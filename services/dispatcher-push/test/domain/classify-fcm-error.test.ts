import { classifyFcmError } from '../../src/domain/classify-fcm-error';

describe('classifyFcmError', () => {
  it.each([
    ['messaging/registration-token-not-registered', 'unregistered_token'],
    ['messaging/invalid-registration-token', 'invalid_address'],
    ['messaging/invalid-recipient', 'invalid_address'],
    ['messaging/message-rate-exceeded', 'provider_rate_limited'],
    ['messaging/device-message-rate-exceeded', 'recipient_rate_limited'],
    ['messaging/topics-message-rate-exceeded', 'provider_rate_limited'],
    ['messaging/server-unavailable', 'provider_unavailable'],
    ['messaging/internal-error', 'provider_unavailable'],
    ['messaging/unknown-error', 'provider_unavailable'],
    ['app/network-error', 'provider_unavailable'],
    ['app/network-timeout', 'provider_unavailable'],
    ['app/invalid-credential', 'provider_unavailable'],
    ['messaging/third-party-auth-error', 'provider_auth_failed'],
    ['messaging/mismatched-credential', 'invalid_address'],
    ['messaging/authentication-error', 'provider_auth_failed'],
    ['messaging/invalid-payload', 'provider_rejected'],
    ['messaging/payload-size-limit-exceeded', 'provider_rejected'],
    ['messaging/invalid-package-name', 'provider_rejected'],
    ['messaging/invalid-data-payload-key', 'provider_rejected'],
    ['messaging/invalid-options', 'provider_rejected'],
    ['messaging/something-new', 'provider_unavailable'],
    // Not from the SDK: a fault of ours, never counted against FCM.
    [undefined, 'unknown'],
    ['ERR_INVALID_ARG_TYPE', 'unknown'],
  ] as const)('%s → %s', (code, expected) => {
    expect(classifyFcmError({ code, message: 'whatever' })).toBe(expected);
  });

  it.each([
    ['The registration token is not a valid FCM registration token', 'invalid_address'],
    ['Exactly one of topic, token or condition is required', 'invalid_address'],
    ["Invalid value at 'message.data[0].value'", 'provider_rejected'],
    [undefined, 'provider_rejected'],
  ] as const)('messaging/invalid-argument "%s" → %s', (message, expected) => {
    expect(classifyFcmError({ code: 'messaging/invalid-argument', message })).toBe(expected);
  });
});
