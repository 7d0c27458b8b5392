import type { ChannelMessage } from './types';

/** What a provider accepted. */
export interface SendResult {
  providerMessageId: string;
}

/**
 * One provider behind one channel. `send` resolves when the provider accepted the message and
 * throws a HeraldError for everything else: `invalid_address`, `unregistered_token`,
 * `provider_rejected` (permanent), `provider_rate_limited`, `provider_unavailable` (transient).
 */
export interface ChannelSender {
  readonly provider: string;
  send(message: ChannelMessage): Promise<SendResult>;
  close(): Promise<void>;
}
