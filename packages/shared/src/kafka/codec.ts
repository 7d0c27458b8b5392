import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { AvroConfluentSchema } from '@kafkajs/confluent-schema-registry/dist/@types';
import { HeraldError } from '../errors';
import type { ReadinessCheck } from '../ops-server';
import { channelMessageSchema, notificationRequestSchema, statusEventSchema } from './schemas';

/**
 * Avro in the Confluent wire format (magic byte 0, 4-byte schema id, body), subjects by
 * TopicNameStrategy (`<topic>-value`), so any producer that looks up the same subject
 * interoperates. Services only look their schema up (its id under the subject, cached); the
 * provisioning step is what registers it.
 */
export interface Codec {
  /** Encodes with this code's schema; fails if the provisioning step has not registered it. */
  encode(topic: string, value: object): Promise<Buffer>;
  /** Throws HeraldError `malformed_payload` for bytes that are not a registered Avro record,
   *  `dependency_unavailable` when the registry cannot be asked. */
  decode(buffer: Buffer | null): Promise<unknown>;
  /** Registers this code's schema under the topic's subject (provisioning), BACKWARD compatible. */
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

/**
 * The registry could not be asked (retry later), as opposed to having answered about this id.
 * The client reports network failures as status 400 with the socket error in the message; a
 * failure without any status happened locally, after an answer (e.g. a schema avsc cannot parse).
 */
function registryUnreachable(err: unknown): boolean {
  const status = statusOf(err);
  if (status === undefined) return false;
  if (status >= 500 || status === 408 || status === 429) return true;
  const message = err instanceof Error ? err.message : '';
  return (
    status === 400 && /ECONN|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|socket hang up|timeout/i.test(message)
  );
}

export function createCodec(registryUrl: string): Codec {
  const registry = new SchemaRegistry({ host: registryUrl, retry: { retries: 2 } });
  const ids = new Map<string, Promise<number>>();
  /**
   * Schemas by id, fetched and compiled once. The client caches a schema only once its first fetch
   * is done: without this, a consumer starting on a backlog asks the registry (and compiles the
   * Avro type) once per record in flight, seconds of CPU during which nothing else runs.
   */
  const schemas = new Map<number, Promise<unknown>>();
  const schemaById = (id: number): Promise<unknown> => {
    let schema = schemas.get(id);
    if (!schema) {
      schema = registry.getSchema(id).catch((err: unknown) => {
        schemas.delete(id);
        throw err;
      });
      schemas.set(id, schema);
    }
    return schema;
  };
  const schemaOf = (topic: string): AvroConfluentSchema => ({
    type: SchemaType.AVRO,
    schema: JSON.stringify(schemaForTopic(topic)),
  });

  const lookup = (topic: string): Promise<number> => {
    let id = ids.get(topic);
    if (!id) {
      id = (async () => {
        const found = await registry.getRegistryIdBySchema(`${topic}-value`, schemaOf(topic));
        await schemaById(found);
        return found;
      })().catch((err: unknown) => {
        ids.delete(topic);
        // The client turns the registry's 404 into a ConfluentSchemaRegistryError without a status.
        if ((err as Error).name === 'ConfluentSchemaRegistryError') {
          throw new HeraldError(
            'dependency_unavailable',
            `schema for ${topic} is not registered: run provisioning`,
            {
              cause: err,
            },
          );
        }
        throw new HeraldError('dependency_unavailable', 'schema registry unavailable', { cause: err });
      });
      ids.set(topic, id);
    }
    return id;
  };

  return {
    async register(topic) {
      const { id } = await registry.register(schemaOf(topic), { subject: `${topic}-value` });
      return id;
    },
    async encode(topic, value) {
      const id = await lookup(topic);
      try {
        return await registry.encode(id, value);
      } catch (err) {
        // avsc's message quotes the offending value (maybe an address): keep only the field paths.
        if ((err as Error).name === 'ConfluentSchemaRegistryValidationError') {
          const paths = ((err as { paths?: string[][] }).paths ?? []).map((p) => p.join('.')).join(', ');
          throw new HeraldError(
            'invalid_request',
            `record does not match the schema of ${topic} at: ${paths || '?'}`,
          );
        }
        throw err;
      }
    },
    async decode(buffer) {
      if (!buffer || buffer.length < 6 || buffer[0] !== 0) {
        throw new HeraldError('malformed_payload', 'not in the schema-registry wire format (magic byte 0)');
      }
      const schemaId = buffer.readInt32BE(1);
      try {
        await schemaById(schemaId);
      } catch (err) {
        if (registryUnreachable(err)) {
          throw new HeraldError('dependency_unavailable', 'schema registry unavailable', { cause: err });
        }
        // Unknown id, or a schema this codec cannot use (another type, unparsable): the record is bad.
        throw new HeraldError('malformed_payload', `schema id ${schemaId} is unknown or not usable Avro`, {
          cause: err,
        });
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
