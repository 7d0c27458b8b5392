import { randomBytes } from 'node:crypto';
import type { FaultRegistry, InjectedFailure } from '../faults';
import type { DeliveryLedger } from '../ledger';
import type { MessageInput, MessageStore, SandboxProvider } from '../store';
import type { WebhookSender } from '../webhooks';

/** What every fake provider route needs. */
export interface RouteContext {
  store: MessageStore;
  ledger: DeliveryLedger;
  faults: FaultRegistry;
  sleep: (ms: number) => Promise<void>;
  webhooks: WebhookSender;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1] ?? null;
}

/** The user and password of an `Authorization: Basic ...` header (RFC 7617), or null. */
export function basicCredentials(header: string | undefined): { user: string; password: string } | null {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || colon === decoded.length - 1) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Waits for the injected latency, then says whether the request must fail, and with which of its
 * provider's errors. `recipients` are what the request is addressed to, for targeted faults.
 */
export async function injectFaults(
  ctx: RouteContext,
  provider: SandboxProvider,
  recipients: readonly string[],
): Promise<InjectedFailure | null> {
  const decision = ctx.faults.decide(provider, recipients);
  if (decision.latencyMs > 0) await ctx.sleep(decision.latencyMs);
  return decision.failure;
}

/** Records one message per recipient (at least one, with `to: ''` when the request named none). */
export function recordRequest(
  store: MessageStore,
  recipients: readonly string[],
  input: Omit<MessageInput, 'to'>,
): void {
  for (const to of recipients.length > 0 ? recipients : ['']) store.record({ ...input, to });
}
