import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { HeraldError } from '../errors';
import type { ReadinessCheck } from '../ops-server';
import { channelMessageSchema, notificationRequestSchema, statusEventSchema } from './schemas';

/**
 * Avro in the Confluent wire format (magic byte 0, 4-byte schema id, body), subjects by
 * TopicNameStrategy (`<topic>-value`). Schemas are registered on first use per subject (the
 * registry answers the existing id for a schema it already has), so any producer that registers
 * or looks up the same subject interoperates.
 */
export interface Codec {
  encode(topic: string, value: object): Promise<Buffer>;
  /** Throws HeraldError `malformed_payload` for bytes that are not a registered Avro record,
   *  `dependency_unavailable` when the registry cannot be asked. */
  decode(buffer: Buffer | null): Promise<unknown>;
  register(topic: string): Promise<number>;
  readiness(): ReadinessCheck;
}

export function schemaForTopic(topic: string): object {
  if (/(^|\.)notify\.priority\.[a-z]+$/.test(topic)) return notificationRequestSchema;
  if (/(^|\.)notify\.channel\.[a-z]+\.[a-z]+$/.test(topic)) return channelMessageSchema;
  if (/(^|\.)notify\.status$/.test(topic)) return statusEventSchema;
  throw new Error(`no schema for topic ${topic}: it carries records as received`);
}

function statusOf(err: unknown): number | undefined {
  const s = (err as { status?: unknown }).status;
  return typeof s === 'number' ? s : undefined;
}

export function createCodec(registryUrl: string): Codec {
  const registry = new SchemaRegistry({ host: registryUrl, retry: { retries: 2 } });
  const ids = new Map<string, Promise<number>>();

  const register = (topic: string): Promise<number> => {
    let id = ids.get(topic);
    if (!id) {
      id = registry
        .register(
          { type: SchemaType.AVRO, schema: JSON.stringify(schemaForTopic(topic)) },
          { subject: `${topic}-value` },
        )
        .then((r) => r.id);
      id.catch(() => ids.delete(topic));
      ids.set(topic, id);
    }
    return id;
  };

  return {
    register,
    async encode(topic, value) {
      return registry.encode(await register(topic), value);
    },
    async decode(buffer) {
      if (!buffer || buffer.length < 6 || buffer[0] !== 0) {
        throw new HeraldError('malformed_payload', 'not in the schema-registry wire format (magic byte 0)');
      }
      const schemaId = buffer.readInt32BE(1);
      try {
        await registry.getSchema(schemaId);
      } catch (err) {
        // Only 404 means "no such schema": the client reports network failures as status 400.
        if (statusOf(err) === 404) {
          throw new HeraldError('malformed_payload', `unknown schema id ${schemaId}`, { cause: err });
        }
        throw new HeraldError('dependency_unavailable', 'schema registry unavailable', { cause: err });
      }
      try {
        return (await registry.decode(buffer)) as unknown;
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        throw new HeraldError('malformed_payload', `Avro decoding failed: ${reason}`, { cause: err });
      }
    },
    readiness: () => ({
      name: 'schema-registry',
      check: async () => {
        const res = await fetch(
          new URL('subjects', registryUrl.endsWith('/') ? registryUrl : `${registryUrl}/`),
        );
        return res.ok;
      },
    }),
  };
}
