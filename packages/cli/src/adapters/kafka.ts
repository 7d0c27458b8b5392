import { randomBytes } from 'node:crypto';
import type { Admin, Codec, Kafka } from '@herald/shared';
import { CliError } from '../domain/errors';
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

const CONNECT_TIMEOUT_MS = 15_000;

async function within<T>(what: string, brokers: string[], p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new CliError(
            `${what}: no answer from Kafka at ${brokers.join(',')} within ${CONNECT_TIMEOUT_MS / 1000}s. ` +
              'Is it running? Set KAFKA_BROKERS or --brokers if it listens elsewhere.',
          ),
        ),
      CONNECT_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([p, timeout]);
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`${what}: Kafka at ${brokers.join(',')} failed: ${(err as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
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
  const kafka: Kafka = shared.createKafka({ brokers: opts.brokers, clientId: 'herald-cli', log });
  const codec = shared.createCodec(opts.registryUrl);
  let admin: Admin | undefined;
  const connected = async (what: string): Promise<Admin> => {
    if (!admin) {
      const a = kafka.admin({ retry: { retries: 2 } });
      await within(what, opts.brokers, a.connect());
      admin = a;
    }
    return admin;
  };

  return {
    codec,
    async topics(prefix) {
      const a = await connected('listing topics');
      const names = (await within('listing topics', opts.brokers, a.listTopics()))
        .filter((t) => t.startsWith(`${prefix}notify.`))
        .sort();
      const out: TopicInfo[] = [];
      for (const topic of names) {
        const ends = await a.fetchTopicOffsets(topic);
        const records = ends.reduce((n, e) => n + Math.max(0, Number(e.high) - Number(e.low)), 0);
        out.push({ topic, partitions: ends.length, records });
      }
      return out;
    },

    async lag(prefix, group) {
      const a = await connected('reading consumer lag');
      const { groups: all } = await within('listing consumer groups', opts.brokers, a.listGroups());
      const selected = selectGroups(
        all.map((g) => g.groupId),
        prefix,
        group,
      );
      if (selected.length === 0) return { rows: [], groups: [] };
      const described = (await a.describeGroups(selected)).groups;
      const ends = new Map<string, Awaited<ReturnType<Admin['fetchTopicOffsets']>> | null>();
      const endsOf = async (topic: string) => {
        if (!ends.has(topic)) ends.set(topic, await a.fetchTopicOffsets(topic).catch(() => null));
        return ends.get(topic) ?? null;
      };
      const rows: TopicLag[] = [];
      const groups: GroupInfo[] = [];
      for (const d of described) {
        groups.push({ group: d.groupId, state: d.state, members: d.members.length });
        const committed = await a.fetchOffsets({ groupId: d.groupId });
        const topics = new Set([
          ...committed.map((c) => c.topic),
          ...d.members.flatMap((m) => subscribedTopics(m.memberMetadata)),
        ]);
        for (const topic of topics) {
          const topicEnds = await endsOf(topic);
          // A topic deleted since the group last read it has no lag to show.
          if (!topicEnds) continue;
          const partitions = committed.find((c) => c.topic === topic)?.partitions ?? [];
          rows.push(topicLag(d.groupId, topic, partitions, topicEnds));
        }
      }
      return { rows, groups };
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
      let finish: () => void = () => undefined;
      const finished = new Promise<void>((resolve) => (finish = resolve));
      const stop = () => {
        stopping ??= (async () => {
          await consumer.disconnect().catch(() => undefined);
          await admin?.deleteGroups([groupId]).catch(() => undefined);
          finish();
        })();
        return stopping;
      };
      const done = (async () => {
        const a = await connected('tailing');
        const existing = new Set(await a.listTopics());
        const missing = topics.filter((t) => !existing.has(t));
        if (missing.length > 0) {
          throw new CliError(`no such topic: ${missing.join(', ')} (herald topics lists them)`);
        }
        let joined = false;
        consumer.on(consumer.events.GROUP_JOIN, () => {
          if (!joined) tailOpts.onReady?.();
          joined = true;
        });
        await within('tailing', opts.brokers, consumer.connect());
        await consumer.subscribe({ topics, fromBeginning: tailOpts.fromBeginning });
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
      return { done, stop };
    },

    async close() {
      await admin?.disconnect().catch(() => undefined);
    },
  };
}
