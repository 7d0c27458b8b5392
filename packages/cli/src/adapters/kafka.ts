import { randomBytes } from 'node:crypto';
import type { Admin, Codec, Kafka } from '@herald/shared';
import { CliError } from '../domain/errors';
import { isUnknownTopic } from './kafka-errors';
import { TAIL_GROUP_PREFIX, selectGroups, subscribedTopics, topicLag } from '../domain/lag';
import type { GroupInfo, TopicLag } from '../domain/lag';

export interface TopicInfo {
  topic: string;
  partitions: number;
  /** Records on the topic now: the sum of high − low watermarks. */
  records: number;
}

export interface TailRecord {
  topic: string;
  partition: number;
  offset: string;
  timestamp: string;
  key: Buffer | null;
  headers: Record<string, string>;
  value: Buffer | null;
}

export interface KafkaAccess {
  topics(prefix: string): Promise<TopicInfo[]>;
  lag(prefix: string, group?: string): Promise<{ rows: TopicLag[]; groups: GroupInfo[] }>;
  /** Reads the topics with a throwaway group that commits nothing; resolves when stopped. */
  tail(
    topics: string[],
    opts: {
      fromBeginning: boolean;
      onRecord: (r: TailRecord) => Promise<boolean>;
      /** Called once the throwaway group has its partitions: from then on nothing is missed. */
      onReady?: () => void;
    },
  ): { done: Promise<void>; stop: () => Promise<void> };
  codec: Codec;
  close(): Promise<void>;
}

/** Every Kafka call of the CLI answers or fails within this long. */
const DEADLINE_MS = 15_000;
/** Few, short retries of each request, so that kafkajs gives up well within the deadline. */
export const CLI_KAFKA_RETRY = { initialRetryTime: 200, retries: 3, maxRetryTime: 2000 };

function within<T>(what: string, brokers: string[], deadlineMs: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new CliError(
            `${what}: no answer from Kafka at ${brokers.join(',')} within ${deadlineMs / 1000}s. ` +
              'Is it running? Set KAFKA_BROKERS or --brokers if it listens elsewhere.',
          ),
        ),
      deadlineMs,
    );
  });
  return Promise.race([p, timeout])
    .catch((err: unknown) => {
      if (err instanceof CliError) throw err;
      throw new CliError(`${what}: Kafka at ${brokers.join(',')} failed: ${(err as Error).message}`);
    })
    .finally(() => clearTimeout(timer));
}

function headersOf(raw: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw ?? {})) {
    if (v === undefined || v === null) continue;
    const first: unknown = Array.isArray(v) ? v[0] : v;
    out[k] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  }
  return out;
}

/**
 * Kafka through @herald/shared's client and schema-registry codec (the services' own), loaded
 * only by the commands that need Kafka: the HTTP commands start without kafkajs, pg and fastify.
 */
export async function openKafka(opts: { brokers: string[]; registryUrl: string }): Promise<KafkaAccess> {
  const shared = await import('@herald/shared');
  const log = shared.createLogger('herald-cli', 'silent');
  const kafka = shared.createKafka({
    brokers: opts.brokers,
    clientId: 'herald-cli',
    log,
    retry: CLI_KAFKA_RETRY,
  });
  return kafkaAccess({ kafka, codec: shared.createCodec(opts.registryUrl), brokers: opts.brokers });
}

/** The Kafka commands' operations over a client (a fake one in the unit tests). */
export function kafkaAccess(opts: {
  kafka: Kafka;
  codec: Codec;
  brokers: string[];
  deadlineMs?: number;
}): KafkaAccess {
  const { kafka, codec } = opts;
  const deadlineMs = opts.deadlineMs ?? DEADLINE_MS;
  const timed = <T>(what: string, p: Promise<T>) => within(what, opts.brokers, deadlineMs, p);
  let admin: Promise<Admin> | undefined;
  let connectedAdmin: Admin | undefined;
  const connected = (what: string): Promise<Admin> => {
    admin ??= (async () => {
      const a = kafka.admin({ retry: CLI_KAFKA_RETRY });
      try {
        await timed(what, a.connect());
      } catch (err) {
        // A connect that timed out may still be trying: disconnecting stops it.
        admin = undefined;
        await a.disconnect().catch(() => undefined);
        throw err;
      }
      connectedAdmin = a;
      return a;
    })();
    return admin;
  };

  return {
    codec,
    async topics(prefix) {
      const a = await connected('listing topics');
      const names = (await timed('listing topics', a.listTopics()))
        .filter((t) => t.startsWith(`${prefix}notify.`))
        .sort();
      return timed(
        "reading the topics' offsets",
        Promise.all(
          names.map(async (topic) => {
            const ends = await a.fetchTopicOffsets(topic);
            const records = ends.reduce((n, e) => n + Math.max(0, Number(e.high) - Number(e.low)), 0);
            return { topic, partitions: ends.length, records };
          }),
        ),
      );
    },

    async lag(prefix, group) {
      const a = await connected('reading consumer lag');
      const { groups: all } = await timed('listing consumer groups', a.listGroups());
      const selected = selectGroups(
        all.map((g) => g.groupId),
        prefix,
        group,
      );
      if (selected.length === 0) return { rows: [], groups: [] };
      const described = (await timed('describing consumer groups', a.describeGroups(selected))).groups;
      type Ends = Awaited<ReturnType<Admin['fetchTopicOffsets']>>;
      // Per topic once, however many groups read it.
      const ends = new Map<string, Promise<Ends | null>>();
      const endsOf = (topic: string) => {
        let p = ends.get(topic);
        if (!p) {
          p = a.fetchTopicOffsets(topic).catch((err: unknown) => {
            // A topic deleted since the group last read it has no lag to show; anything else is a failure.
            if (isUnknownTopic(err)) return null;
            throw new CliError(`reading the end offsets of ${topic} failed: ${(err as Error).message}`);
          });
          ends.set(topic, p);
        }
        return p;
      };
      const perGroup = await timed(
        'reading committed and end offsets',
        Promise.all(
          described.map(async (d) => {
            const committed = await a.fetchOffsets({ groupId: d.groupId });
            const topics = [
              ...new Set([
                ...committed.map((c) => c.topic),
                ...d.members.flatMap((m) => subscribedTopics(m.memberMetadata)),
              ]),
            ];
            const rows = await Promise.all(
              topics.map(async (topic) => {
                const topicEnds = await endsOf(topic);
                if (!topicEnds) return [];
                const partitions = committed.find((c) => c.topic === topic)?.partitions ?? [];
                return [topicLag(d.groupId, topic, partitions, topicEnds)];
              }),
            );
            const group: GroupInfo = { group: d.groupId, state: d.state, members: d.members.length };
            return { group, rows: rows.flat() };
          }),
        ),
      );
      const rows: TopicLag[] = perGroup.flatMap((g) => g.rows);
      return { rows, groups: perGroup.map((g) => g.group) };
    },

    tail(topics, tailOpts) {
      // A group of its own, so that tailing never takes partitions from a service; nothing is
      // committed, and the group is deleted at the end.
      const groupId = `${TAIL_GROUP_PREFIX}${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
      // Short fetch waits: records show as they come, and a stop does not wait out a long poll.
      const consumer = kafka.consumer({
        groupId,
        allowAutoTopicCreation: false,
        sessionTimeout: 10_000,
        maxWaitTimeInMs: 500,
      });
      let stopping: Promise<void> | undefined;
      let finish: (err?: Error) => void = () => undefined;
      const finished = new Promise<void>((resolve, reject) => {
        finish = (err) => (err ? reject(err) : resolve());
      });
      // Awaited at the end of `done`; a crash before then must not count as unhandled.
      finished.catch(() => undefined);
      const stop = (err?: Error) => {
        stopping ??= (async () => {
          await consumer.disconnect().catch(() => undefined);
          await connectedAdmin?.deleteGroups([groupId]).catch(() => undefined);
          finish(err);
        })();
        return stopping;
      };
      const done = (async () => {
        const a = await connected('tailing');
        const existing = new Set(await timed('listing topics', a.listTopics()));
        const missing = topics.filter((t) => !existing.has(t));
        if (missing.length > 0) {
          throw new CliError(`no such topic: ${missing.join(', ')} (herald topics lists them)`);
        }
        let joined = false;
        consumer.on(consumer.events.GROUP_JOIN, () => {
          if (!joined) tailOpts.onReady?.();
          joined = true;
        });
        // kafkajs restarts a consumer after a retriable failure; one it will not restart ends the tail.
        consumer.on(consumer.events.CRASH, ({ payload }) => {
          if (payload.restart) return;
          void stop(new CliError(`tailing stopped: the consumer failed: ${payload.error.message}`));
        });
        await timed('tailing', consumer.connect());
        await timed('subscribing', consumer.subscribe({ topics, fromBeginning: tailOpts.fromBeginning }));
        await consumer.run({
          autoCommit: false,
          eachMessage: async ({ topic, partition, message }) => {
            if (stopping) return;
            const more = await tailOpts.onRecord({
              topic,
              partition,
              offset: message.offset,
              timestamp: new Date(Number(message.timestamp)).toISOString(),
              key: message.key,
              headers: headersOf(message.headers),
              value: message.value,
            });
            if (!more) setImmediate(() => void stop());
          },
        });
        await finished;
      })();
      return { done, stop: () => stop() };
    },

    async close() {
      const a = await admin?.catch(() => undefined);
      await a?.disconnect().catch(() => undefined);
    },
  };
}
