import type { KeyObject } from 'node:crypto';
import { httpOrigin, isHttpUrl, sendGridSigningKey } from './webhooks';

/** The sandbox's configuration, parsed once from the environment. */
export interface SandboxConfig {
  readonly port: number;
  /** The SMTP server's port, on `host`; 0 when it is off. */
  readonly smtpPort: number;
  readonly host: string;
  readonly logger: boolean;
  /** Signs SendGrid events; the sandbox generates one when absent. */
  readonly sendgridWebhookPrivateKey?: KeyObject;
  /** Where SendGrid events go when a request names no url. */
  readonly sendgridWebhookUrl?: string;
  /** Where Twilio status callbacks go: this origin with the `StatusCallback`'s path and query. */
  readonly twilioCallbackOrigin?: string;
}

export class SandboxConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SandboxConfigError';
  }
}

function readSigningKey(raw: string | undefined, problems: string[]): KeyObject | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  try {
    return sendGridSigningKey(raw);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    problems.push(
      `SANDBOX_SENDGRID_WEBHOOK_PRIVATE_KEY must be an EC P-256 private key, base64 PKCS#8 DER or PEM (${why})`,
    );
    return undefined;
  }
}

function readPort(name: string, raw: string, problems: string[]): number {
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) problems.push(`${name} must be a port number, got '${raw}'`);
  return port;
}

/**
 * Reads SANDBOX_PORT (8025), SANDBOX_SMTP_PORT (2525; 0 turns SMTP off), SANDBOX_HOST (127.0.0.1), SANDBOX_LOG (true),
 * SANDBOX_SENDGRID_WEBHOOK_PRIVATE_KEY, SANDBOX_SENDGRID_WEBHOOK_URL and SANDBOX_TWILIO_CALLBACK_ORIGIN (none),
 * listing every problem.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): SandboxConfig {
  const problems: string[] = [];
  const port = readPort('SANDBOX_PORT', env.SANDBOX_PORT ?? '8025', problems);
  const smtpPort = readPort('SANDBOX_SMTP_PORT', env.SANDBOX_SMTP_PORT ?? '2525', problems);
  const host = env.SANDBOX_HOST ?? '127.0.0.1';
  if (host.trim() === '') problems.push('SANDBOX_HOST must not be empty');
  const rawLog = env.SANDBOX_LOG ?? 'true';
  if (!['true', 'false', '1', '0'].includes(rawLog))
    problems.push(`SANDBOX_LOG must be true or false, got '${rawLog}'`);
  const sendgridWebhookPrivateKey = readSigningKey(env.SANDBOX_SENDGRID_WEBHOOK_PRIVATE_KEY, problems);
  const rawUrl = env.SANDBOX_SENDGRID_WEBHOOK_URL?.trim() ?? '';
  if (rawUrl !== '' && !isHttpUrl(rawUrl)) {
    problems.push(`SANDBOX_SENDGRID_WEBHOOK_URL must be an absolute http or https URL, got '${rawUrl}'`);
  }
  const rawOrigin = env.SANDBOX_TWILIO_CALLBACK_ORIGIN?.trim() ?? '';
  const twilioCallbackOrigin = rawOrigin === '' ? undefined : httpOrigin(rawOrigin);
  if (rawOrigin !== '' && twilioCallbackOrigin === undefined) {
    problems.push(
      `SANDBOX_TWILIO_CALLBACK_ORIGIN must be an absolute http or https origin (scheme, host, port; no path), such as http://ingest:8080, got '${rawOrigin}'`,
    );
  }
  if (problems.length > 0) throw new SandboxConfigError(problems);
  return Object.freeze({
    port,
    smtpPort,
    host,
    logger: rawLog === 'true' || rawLog === '1',
    ...(sendgridWebhookPrivateKey === undefined ? {} : { sendgridWebhookPrivateKey }),
    ...(rawUrl === '' ? {} : { sendgridWebhookUrl: rawUrl }),
    ...(twilioCallbackOrigin === undefined ? {} : { twilioCallbackOrigin }),
  });
}
