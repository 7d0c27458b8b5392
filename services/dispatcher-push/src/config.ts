import { dispatcherEnv, infraEnv, parseConfig, z } from '@herald/shared';

const schema = z
  .object({
    ...infraEnv,
    ...dispatcherEnv({ port: 8085 }),
    FCM_PROJECT_ID: z.string().min(1),
    /** A service account key (JSON) in production. */
    FCM_SERVICE_ACCOUNT_JSON: z.string().optional(),
    /** Set only in dev and tests: the provider sandbox's address. */
    FCM_SANDBOX_URL: z.url().optional(),
  })
  .refine((c) => c.FCM_SERVICE_ACCOUNT_JSON !== undefined || c.FCM_SANDBOX_URL !== undefined, {
    path: ['FCM_SERVICE_ACCOUNT_JSON'],
    message: 'is required unless FCM_SANDBOX_URL is set',
  });

export type PushConfig = z.infer<typeof schema>;

export function loadConfig(): Readonly<PushConfig> {
  return parseConfig(schema);
}
