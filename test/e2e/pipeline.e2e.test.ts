import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Partitioners } from 'kafkajs';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { SandboxMessage } from '@herald/provider-sandbox';
import { startStack, testEnv, testKafka, waitFor } from '@herald/test-support';
import type { Stack } from '@herald/test-support';

/**
 * The six services as processes, on real Kafka, schema registry, Postgres and Redis, sending
 * through the real provider SDKs to the sandbox. Assertions are on what the sandbox received and
 * on the status timeline, never on logs.
 */
let stack: Stack;
let stopped = false;
beforeAll(async () => {
  stack = await startStack('e2e');
}, 180_000);
afterAll(async () => {
  if (stack && !stopped) await stack.stop();
});

async function createUser(id: string, withDevice = true): Promise<void> {
  const put = await stack.api('PUT', `/v1/users/${id}`, {
    email: `${id}@example.com`,
    phone: '+14155550100',
    timezone: 'Europe/Paris',
  });
  expect(put.status).toBe(201);
  if (withDevice) {
    const dev = await stack.api('POST', `/v1/users/${id}/devices`, {
      token: `token-${id}`,
      platform: 'android',
    });
    expect(dev.status).toBe(201);
  }
}

const inbox = (to: string): SandboxMessage[] => stack.sandbox.store.list({ to });

function received(to: string, n = 1): Promise<SandboxMessage[]> {
  return waitFor(`${n} message(s) for ${to} in the sandbox`, () => {
    const got = inbox(to);
    return got.length >= n ? got : undefined;
  });
}

interface ChannelView {
  status: string;
  timeline: { status: string; providerMessageId?: string }[];
}

async function timelineWhen(id: string, done: (channels: Record<string, ChannelView>) => boolean) {
  return waitFor(`timeline of ${id}`, async () => {
    const res = await stack.api('GET', `/v1/notifications/${id}`);
    if (res.status !== 200) return undefined;
    const channels = res.body.channels as Record<string, ChannelView>;
    return done(channels) ? res.body : undefined;
  });
}

const allSent = (channels: Record<string, ChannelView>) =>
  ['email', 'sms', 'push'].every((c) => channels[c]?.status === 'sent');

describe('start-up', () => {
  it('stops a service whose configuration is missing or malformed, naming every variable', () => {
    const child = spawnSync(
      process.execPath,
      [path.join(__dirname, '..', '..', 'services', 'router', 'dist', 'main.js')],
      {
        env: { PATH: process.env.PATH ?? '', KAFKA_BROKERS: 'no-port-here', HTTP_PORT: 'eighty' },
        encoding: 'utf8',
        timeout: 20_000,
      },
    );
    expect(child.status).toBe(1);
    expect(child.stderr).toContain('KAFKA_BROKERS: expected host:port');
    expect(child.stderr).toContain('HTTP_PORT:');
    for (const name of ['SCHEMA_REGISTRY_URL', 'REDIS_URL', 'DATABASE_URL']) {
      expect(child.stderr).toContain(`${name} is required`);
    }
  });
});

describe('the whole pipeline', () => {
  it('delivers an HTTP notification on email, SMS and push with the rendered content', async () => {
    const user = `ada-${randomUUID().slice(0, 8)}`;
    await createUser(user);
    const res = await stack.api('POST', '/v1/notifications', {
      userId: user,
      category: 'account',
      priority: 'high',
      templateId: 'welcome',
      data: { name: 'Ada', product: 'Herald' },
    });
    expect(res.status).toBe(202);
    const id = res.body.id as string;

    const [email] = await received(`${user}@example.com`);
    expect(email).toEqual(
      expect.objectContaining({
        provider: 'sendgrid',
        accepted: true,
        subject: 'Welcome to Herald, Ada!',
        body: 'Hi Ada, your Herald account is ready.',
        html: '<p>Hi Ada,</p><p>your <strong>Herald</strong> account is ready.</p>',
      }),
    );
    const [push] = await received(`token-${user}`);
    expect(push).toEqual(
      expect.objectContaining({
        provider: 'fcm',
        title: 'Welcome, Ada',
        body: 'Your Herald account is ready.',
      }),
    );
    const sms = await waitFor('the SMS', () =>
      inbox('+14155550100').find((m) => m.body === 'Hi Ada, welcome to Herald!'),
    );
    expect(sms.provider).toBe('twilio');

    const view = await timelineWhen(id, allSent);
    expect(view.status).toBe('sent');
    const channels = view.channels as Record<string, ChannelView>;
    for (const c of ['email', 'sms', 'push']) {
      expect(channels[c]?.timeline.map((t) => t.status)).toEqual(['accepted', 'routed', 'sent']);
    }
    expect(channels.email?.timeline[2]?.providerMessageId).toBe(email?.providerMessageId);
    expect(channels.push?.timeline[2]?.providerMessageId).toBe(push?.providerMessageId);
    expect(view.userId).toBe(user);
  });

  it('delivers a NotificationRequest produced straight to notify.priority.high by a plain kafkajs producer', async () => {
    const user = `kafka-${randomUUID().slice(0, 8)}`;
    await createUser(user);
    const topic = `${stack.prefix}notify.priority.high`;
    const registry = new SchemaRegistry({ host: testEnv.registryUrl });
    const schemaId = await registry.getLatestSchemaId(`${topic}-value`);
    const id = randomUUID();
    const value = await registry.encode(schemaId, {
      id,
      userId: user,
      category: 'account',
      priority: 'HIGH',
      templateId: 'welcome',
      channels: null,
      data: JSON.stringify({ name: 'Grace', product: 'Herald' }),
      dedupKey: null,
      createdAt: Date.now(),
      sendAt: null,
      expiresAt: null,
      to: null,
      locale: null,
    });
    const producer = testKafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic, messages: [{ key: user, value }] });
    await producer.disconnect();

    const [email] = await received(`${user}@example.com`);
    expect(email?.subject).toBe('Welcome to Herald, Grace!');
    await received(`token-${user}`);
    const view = await timelineWhen(id, allSent);
    expect(view.status).toBe('sent');
    const channels = view.channels as Record<string, ChannelView>;
    for (const c of ['email', 'sms', 'push']) {
      expect(channels[c]?.timeline.map((t) => t.status)).toEqual(['routed', 'sent']);
    }
  });

  it('parks garbage on a priority topic with a reason and still delivers what comes after it', async () => {
    const user = `garbage-${randomUUID().slice(0, 8)}`;
    await createUser(user, false);
    const producer = testKafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    // Same key as the user: the garbage sits on the same partition, ahead of the good request.
    await producer.send({
      topic: `${stack.prefix}notify.priority.normal`,
      messages: [
        { key: user, value: Buffer.from('definitely not avro') },
        { key: user, value: Buffer.from([0, 0, 0, 0x7f, 0x7f, 1, 2, 3]) },
      ],
    });
    await producer.disconnect();
    const res = await stack.api('POST', '/v1/notifications', {
      userId: user,
      channels: ['email'],
      data: { title: 'After the garbage', body: 'Still here.' },
    });
    expect(res.status).toBe(202);

    const [email] = await received(`${user}@example.com`);
    expect(email).toEqual(expect.objectContaining({ subject: 'After the garbage', body: 'Still here.' }));

    const parked = await waitFor('two dead letters', async () => {
      const { rows } = await stack.pool.query<{
        reason: string;
        error_class: string;
        source_topic: string;
        target_topic: string;
      }>(`SELECT reason, error_class, source_topic, target_topic FROM dead_letters WHERE target_topic = $1`, [
        `${stack.prefix}notify.priority.normal`,
      ]);
      return rows.length >= 2 ? rows : undefined;
    });
    expect(parked).toEqual([
      expect.objectContaining({
        reason: 'malformed_payload',
        error_class: 'permanent',
        source_topic: `${stack.prefix}notify.dlq`,
      }),
      expect.objectContaining({ reason: 'malformed_payload', error_class: 'permanent' }),
    ]);

    const admin = await fetch(stack.url('dlq', '/v1/dead-letters?reason=malformed_payload'), {
      headers: { authorization: `Bearer ${stack.apiKey}` },
    });
    expect(admin.status).toBe(200);
    const listed = (await admin.json()) as { deadLetters: { reason: string; targetTopic: string }[] };
    expect(
      listed.deadLetters.filter((d) => d.targetTopic === `${stack.prefix}notify.priority.normal`),
    ).toHaveLength(2);
  });

  it('parks a message the provider rejects for good, and shows it on the channel timeline', async () => {
    const user = `bounce-${randomUUID().slice(0, 8)}`;
    const res = await stack.api('POST', '/v1/notifications', {
      userId: user,
      channels: ['email'],
      to: { email: `${user}@invalid.test` },
      data: { title: 'Hello', body: 'x' },
    });
    expect(res.status).toBe(202);
    const view = await timelineWhen(res.body.id as string, (c) => c.email?.status === 'parked');
    const email = (view.channels as Record<string, ChannelView>).email;
    expect(email?.timeline.map((t) => t.status)).toEqual(['accepted', 'routed', 'failed', 'parked']);
    expect(view.status).toBe('parked');
  });

  it('stops every service gracefully on SIGTERM and starts it again', async () => {
    expect(await stack.stopService('router')).toBe(0);
    const user = `restart-${randomUUID().slice(0, 8)}`;
    const res = await stack.api('POST', '/v1/notifications', {
      userId: user,
      channels: ['sms'],
      to: { phone: '+14155550123' },
      data: { body: `while the router was down ${user}` },
    });
    expect(res.status).toBe(202);
    await stack.restartService('router');
    await waitFor('the SMS sent after the restart', () =>
      inbox('+14155550123').find((m) => m.body === `while the router was down ${user}`),
    );
  });

  it('loses nothing when a dispatcher is killed with SIGKILL in the middle of a send', async () => {
    // The provider holds the request for 5 s; the dispatcher is killed while it waits.
    stack.sandbox.faults.set({
      provider: 'sendgrid',
      latencyMs: 5000,
      errorRate: 0,
      status: 503,
      outage: false,
    });
    const user = `kill-${randomUUID().slice(0, 8)}`;
    const res = await stack.api('POST', '/v1/notifications', {
      userId: user,
      channels: ['email'],
      to: { email: `${user}@example.com` },
      data: { title: 'Survives kill -9', body: 'x' },
    });
    expect(res.status).toBe(202);
    await waitFor('the send to be in flight', () => stack.sandboxInFlight() > 0);
    await stack.stopService('dispatcher-email', 'SIGKILL');
    stack.sandbox.faults.clear();
    await stack.restartService('dispatcher-email');

    // At least once: the killed attempt may have landed too, and the restarted one sends again.
    const [email] = await received(`${user}@example.com`);
    expect(email?.subject).toBe('Survives kill -9');
    await timelineWhen(res.body.id as string, (c) => c.email?.status === 'sent');
  });

  it('reports consumer lag per group and topic', async () => {
    const metrics = await waitFor('the router lag gauge', async () => {
      const text = await (await fetch(stack.url('router', '/metrics'))).text();
      return text.includes('herald_consumer_lag{') ? text : undefined;
    });
    expect(metrics).toMatch(
      new RegExp(
        `herald_consumer_lag\\{group="${stack.prefix.replace(/\./g, '\\.')}herald-router\\.high",topic="[^"]+notify\\.priority\\.high"[^}]*\\} 0`,
      ),
    );
  });

  it('every service exits 0 on SIGTERM', async () => {
    stopped = true;
    const codes = await stack.stop();
    expect(codes).toEqual({
      ingest: 0,
      router: 0,
      'dispatcher-email': 0,
      'dispatcher-sms': 0,
      'dispatcher-push': 0,
      dlq: 0,
    });
  });
});
