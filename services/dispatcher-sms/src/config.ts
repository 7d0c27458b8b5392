import { dispatcherEnv, infraEnv, parseConfig, publicBaseUrl, z } from '@herald/shared';

const schema = z.object({
  ...infraEnv,
  ...dispatcherEnv({ port: 8084 }),
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'expected AC followed by 32 hex digits'),
  TWILIO_AUTH_TOKEN: z.string().min(1),
  TWILIO_FROM: z.string().regex(/^\+[1-9]\d{6,14}$/, 'expected an E.164 number such as +15005550006'),
  /** Set only in dev and tests: the provider sandbox's address. */
  TWILIO_SANDBOX_URL: z.url().optional(),
  /** Ingest's public address: Twilio posts delivery statuses to `<it>/v1/webhooks/twilio`. Unset: none asked for. */
  PUBLIC_BASE_URL: publicBaseUrl().optional(),
  /** Bodies of more segments are refused before sending (permanent, `message_too_long`). */
  SMS_MAX_SEGMENTS: z.coerce.number().int().min(1).max(20).default(10),
});

export type SmsConfig = z.infer<typeof schema>;

export function loadConfig(): Readonly<SmsConfig> {
  return parseConfig(schema);
}
