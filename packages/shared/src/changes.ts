import type { Redis } from 'ioredis';
import type { Logger } from './logger';

/**
 * What changed in the router's policy data, said by ingest when its API changed it, so routers
 * drop what they cached at once instead of at the end of a TTL: a user's profile (addresses,
 * preferences, quiet hours), or the catalogue (categories, routing rules, templates).
 * Redis pub/sub: fire and forget, so every cache also has a TTL, the bound when a message is lost.
 */
export type Change = { kind: 'user'; userId: string } | { kind: 'catalog' };

/** The pub/sub channel of one deployment (its topic prefix keeps test pipelines apart). */
export const changesChannel = (topicPrefix: string) => `herald:${topicPrefix}changes`;

function encode(change: Change): string {
  return change.kind === 'user' ? `user:${change.userId}` : 'catalog';
}

function decode(message: string): Change | null {
  if (message === 'catalog') return { kind: 'catalog' };
  if (message.startsWith('user:') && message.length > 5) return { kind: 'user', userId: message.slice(5) };
  return null;
}

/** Says a change. A failure is logged, not thrown: the change is committed, and caches expire. */
export async function announceChange(redis: Redis, topicPrefix: string, change: Change, log: Logger) {
  try {
    await redis.publish(changesChannel(topicPrefix), encode(change));
  } catch (err) {
    log.warn(
      { err: (err as Error).message, change: change.kind },
      'could not announce a change; caches expire on their own',
    );
  }
}

/**
 * Listens for changes on a connection of its own (a subscribed connection can do nothing else).
 * ioredis subscribes again after a reconnect; what was said meanwhile is lost, hence the TTLs.
 */
export async function listenForChanges(
  subscriber: Redis,
  topicPrefix: string,
  onChange: (change: Change) => void,
  log: Logger,
): Promise<() => Promise<void>> {
  const channel = changesChannel(topicPrefix);
  subscriber.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    const change = decode(message);
    if (change) onChange(change);
    else log.warn({ message: message.slice(0, 50) }, 'ignored an unknown change message');
  });
  await subscriber.subscribe(channel);
  return async () => {
    await subscriber.quit().catch(() => undefined);
  };
}
