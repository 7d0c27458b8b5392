import { randomUUID } from 'node:crypto';
import { createCodec, createProducer, topicNames } from '@herald/shared';
import type { Codec, Kafka, NotificationRequest, Producer } from '@herald/shared';
import { startStack, testEnv, testKafka, waitFor } from '@herald/test-support';
import type { Stack } from '@herald/test-support';
import { requestFor } from './router-deps';

/**
 * A frequency cap holds across router replicas (issue 9): two router processes in one consumer
 * group decide the same user's requests at the same time, and the cap (5 SMS an hour, suppressed
 * over it for high) lets exactly 5 through. The processes are the built router (dist/main.js), as
 * `kubectl scale` would run them; the cap is only shared through Redis.
 */
const CAP = 5;
const REQUESTS = 30;

let stack: Stack;
let second: Awaited<ReturnType<Stack['addReplica']>>;
let kafka: Kafka;
let producer: Producer;
let codec: Codec;

beforeAll(async () => {
  stack = await startStack('replicas', ['ingest', 'router', 'dispatcher-sms'], {
    env: { FREQUENCY_CAPS: `SMS:${CAP}/1h`, CAP_POLICY: 'high:suppress' },
  });
  second = await stack.addReplica('router');
  kafka = testKafka();
  producer = createProducer(kafka);
  await producer.connect();
  codec = createCodec(testEnv.registryUrl);
}, 180_000);
afterAll(async () => {
  await producer?.disconnect();
  await stack?.stop();
});

/** The sum of a counter over its labels in a Prometheus text exposition. */
async function counterSum(url: string, name: string): Promise<number> {
  const text = await (await fetch(url)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}

it('lets exactly the cap through when two router processes decide one user at once', async () => {
  const topics = topicNames(stack.prefix);
  const groupId = topics.group('herald-router.high');
  const admin = kafka.admin();
  await admin.connect();
  try {
    await waitFor(
      'both routers in the high lane group, with partitions',
      async () => {
        const [group] = (await admin.describeGroups([groupId])).groups;
        return group?.state === 'Stable' && group.members.length === 2 ? true : undefined;
      },
      60_000,
    );
  } finally {
    await admin.disconnect();
  }

  const user = `caps-${randomUUID().slice(0, 8)}`;
  const phone = `+1415555${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`;
  expect((await stack.api('PUT', `/v1/users/${user}`, { phone, timezone: 'Europe/Paris' })).status).toBe(201);

  // Keyed by notification id, as a producer in another language may key them: spread over all 12
  // partitions, so both processes hold some of this user's requests and decide them concurrently.
  const topic = topics.priority('HIGH');
  const requests: NotificationRequest[] = Array.from({ length: REQUESTS }, (_, i) =>
    requestFor(user, {
      priority: 'HIGH',
      channels: ['SMS'],
      templateId: 'generic',
      data: JSON.stringify({ title: 'Code', body: `code ${i}` }),
    }),
  );
  await producer.send({
    topic,
    acks: -1,
    messages: await Promise.all(
      requests.map(async (r) => ({ key: r.id, value: await codec.encode(topic, r) })),
    ),
  });

  const outcomes = await Promise.all(
    requests.map((r) =>
      waitFor(`the SMS outcome of ${r.id}`, async () => {
        const res = await stack.api('GET', `/v1/notifications/${r.id}`);
        const sms = (res.body.channels as Record<string, { status: string; timeline: { reason?: string }[] }>)
          ?.sms;
        if (!sms || !['sent', 'suppressed'].includes(sms.status)) return undefined;
        return sms.status === 'sent' ? 'sent' : (sms.timeline.at(-1)?.reason ?? 'suppressed');
      }),
    ),
  );
  expect(outcomes.filter((o) => o === 'sent')).toHaveLength(CAP);
  expect(outcomes.filter((o) => o === 'rate_limited')).toHaveLength(REQUESTS - CAP);
  await waitFor('the texts at the provider', () =>
    stack.sandbox.store.list({ to: phone }).filter((m) => m.accepted).length >= CAP ? true : undefined,
  );
  expect(stack.sandbox.store.list({ to: phone }).filter((m) => m.accepted)).toHaveLength(CAP);

  // Both processes decided some of them: the cap was shared, not held by one router alone.
  const decided = await Promise.all(
    [stack.url('router', '/metrics'), second.url('/metrics')].map((u) =>
      counterSum(u, 'herald_router_decisions_total'),
    ),
  );
  expect(decided.every((n) => n > 0)).toBe(true);
  expect(decided.reduce((a, b) => a + b, 0)).toBe(REQUESTS);
});
