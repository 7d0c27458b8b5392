import { STATUSES } from '../domain/types';

/**
 * Avro schemas of the Kafka contract (DESIGN.md §3). Every field added later needs a default.
 * `data` defaults to "" (read as no variables), not "{}": Apicurio 3.0's content-type detection
 * rejects an Avro schema whose text holds a "{}" string default.
 */

const priority = { type: 'enum', name: 'Priority', symbols: ['CRITICAL', 'HIGH', 'NORMAL', 'LOW'] };
const channel = { type: 'enum', name: 'Channel', symbols: ['EMAIL', 'SMS', 'PUSH'] };
const timestamp = { type: 'long', logicalType: 'timestamp-millis' };
const optional = (type: unknown) => ({ type: ['null', type], default: null });

export const notificationRequestSchema = {
  type: 'record',
  name: 'NotificationRequest',
  namespace: 'herald.v1',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'userId', type: 'string' },
    { name: 'category', type: 'string' },
    { name: 'priority', type: priority },
    { name: 'templateId', ...optional('string') },
    { name: 'channels', ...optional({ type: 'array', items: channel }) },
    { name: 'data', type: 'string', default: '' },
    { name: 'dedupKey', ...optional('string') },
    { name: 'createdAt', type: timestamp },
    { name: 'sendAt', ...optional(timestamp) },
    { name: 'expiresAt', ...optional(timestamp) },
    {
      name: 'to',
      ...optional({
        type: 'record',
        name: 'DirectAddresses',
        fields: [
          { name: 'email', ...optional('string') },
          { name: 'phone', ...optional('string') },
          { name: 'deviceTokens', ...optional({ type: 'array', items: 'string' }) },
        ],
      }),
    },
    { name: 'locale', ...optional('string') },
    // Newer fields (issue 9): absent from older producers' records, so they default to null.
    { name: 'dedupWindowSeconds', ...optional('int') },
    { name: 'tags', ...optional({ type: 'array', items: 'string' }) },
    // Issue 10.
    { name: 'pushTtlSeconds', ...optional('int') },
    { name: 'pushCollapseKey', ...optional('string') },
  ],
};

export const channelMessageSchema = {
  type: 'record',
  name: 'ChannelMessage',
  namespace: 'herald.v1',
  fields: [
    { name: 'notificationId', type: 'string' },
    { name: 'userId', type: 'string' },
    { name: 'category', type: 'string' },
    { name: 'channel', type: channel },
    { name: 'priority', type: priority },
    { name: 'address', type: 'string' },
    { name: 'subject', ...optional('string') },
    { name: 'title', ...optional('string') },
    { name: 'body', type: 'string' },
    { name: 'html', ...optional('string') },
    { name: 'data', type: 'string', default: '' },
    { name: 'locale', ...optional('string') },
    { name: 'createdAt', type: timestamp },
    { name: 'expiresAt', ...optional(timestamp) },
    // Newer fields (issue 10): absent from older producers' records, so null or false.
    { name: 'fromEmail', ...optional('string') },
    { name: 'fromName', ...optional('string') },
    { name: 'replyTo', ...optional('string') },
    { name: 'unsubscribable', type: 'boolean', default: false },
    { name: 'ttlSeconds', ...optional('int') },
    { name: 'collapseKey', ...optional('string') },
    // Issue 11: when the message fell due (a scheduled or deferred request's sendAt).
    { name: 'dueAt', ...optional(timestamp) },
  ],
};

export const statusEventSchema = {
  type: 'record',
  name: 'StatusEvent',
  namespace: 'herald.v1',
  fields: [
    { name: 'eventId', type: 'string' },
    { name: 'notificationId', type: 'string' },
    {
      name: 'status',
      type: {
        type: 'enum',
        name: 'Status',
        symbols: [...STATUSES],
      },
    },
    { name: 'channel', ...optional(channel) },
    { name: 'at', type: timestamp },
    { name: 'service', type: 'string' },
    { name: 'providerMessageId', ...optional('string') },
    { name: 'reason', ...optional('string') },
    { name: 'detail', ...optional('string') },
  ],
};
