import { createHash } from 'node:crypto';
import type { ChannelMessage } from './types';

/**
 * One key per (notification, channel, address): a redelivered message with the same key is not
 * sent again. The address is hashed so the key holds no personal data.
 */
export function deliveryKey(m: Pick<ChannelMessage, 'notificationId' | 'channel' | 'address'>): string {
  const address = createHash('sha256').update(m.address).digest('hex').slice(0, 32);
  return `delivered:${m.notificationId}:${m.channel}:${address}`;
}
