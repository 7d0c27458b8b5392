import { createHash, randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import type { Channel, Status, StatusEvent } from '../domain/types';
import type { Codec } from './codec';

export interface OutboundRecord {
  topic: string;
  key: string | null;
  /** An object is Avro-encoded for its topic; a Buffer (or null) is forwarded as received. */
  value: object | Buffer | null;
  headers?: Record<string, string>;
}

/** Produces records durably: resolves only after every record is acknowledged by all in-sync replicas. */
export interface Publisher {
  publish(records: OutboundRecord[]): Promise<void>;
}

export function createPublisher(producer: Producer, codec: Codec): Publisher {
  return {
    async publish(records) {
      if (records.length === 0) return;
      const byTopic = new Map<
        string,
        { key: string | null; value: Buffer | null; headers?: Record<string, string> }[]
      >();
      for (const r of records) {
        const value =
          r.value === null || Buffer.isBuffer(r.value) ? r.value : await codec.encode(r.topic, r.value);
        const list = byTopic.get(r.topic) ?? [];
        list.push({ key: r.key, value, ...(r.headers ? { headers: r.headers } : {}) });
        byTopic.set(r.topic, list);
      }
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
    },
  };
}

export function statusEvent(fields: {
  notificationId: string;
  status: Status;
  service: string;
  at: number;
  channel?: Channel | null;
  providerMessageId?: string | null;
  reason?: string | null;
  detail?: object | null;
  /** Set for events that may be emitted again on redelivery, so the projection keeps one. */
  eventId?: string;
}): StatusEvent {
  return {
    eventId: fields.eventId ?? randomUUID(),
    notificationId: fields.notificationId,
    status: fields.status,
    channel: fields.channel ?? null,
    at: fields.at,
    service: fields.service,
    providerMessageId: fields.providerMessageId ?? null,
    reason: fields.reason ?? null,
    detail: fields.detail ? JSON.stringify(fields.detail) : null,
  };
}

/** A UUID-shaped id derived from its parts: the same parts always give the same id. */
export function stableEventId(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
