import { randomUUID } from 'node:crypto';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { HeraldError, createCodec, topicNames } from '@herald/shared';
import type { NotificationRequest } from '@herald/shared';
import { deleteSubjects, testEnv, uniquePrefix } from '@herald/test-support';

const request: NotificationRequest = {
  id: randomUUID(),
  userId: 'u1',
  category: 'account',
  priority: 'LOW',
  templateId: 'welcome',
  channels: ['EMAIL', 'PUSH'],
  data: '{"name":"Ada"}',
  dedupKey: null,
  createdAt: 1_700_000_000_000,
  sendAt: null,
  expiresAt: 1_800_000_000_000,
  to: { email: 'ada@example.com', phone: null, deviceTokens: ['t1'] },
  locale: 'fr',
  dedupWindowSeconds: 3600,
  tags: ['eu', 'beta'],
  pushTtlSeconds: 600,
  pushCollapseKey: 'score',
};

describe('codec on the real schema registry', () => {
  const codec = createCodec(testEnv.registryUrl);
  const prefix = uniquePrefix('codec');
  const topic = topicNames(prefix).priority('LOW');
  beforeAll(() => codec.register(topic));
  afterAll(() => deleteSubjects(prefix));

  it('encodes in the Confluent wire format under <topic>-value and decodes back', async () => {
    const bytes = await codec.encode(topic, request);
    expect(bytes[0]).toBe(0);
    const id = bytes.readInt32BE(1);
    const registry = new SchemaRegistry({ host: testEnv.registryUrl });
    expect(await registry.getLatestSchemaId(`${topic}-value`)).toBe(id);
    expect(await codec.decode(bytes)).toEqual(request);
  });

  it('fetches a schema once however many records ask for it at the same time (a backlog at start)', async () => {
    const bytes = await codec.encode(topic, request);
    const fetches = jest.spyOn(SchemaRegistry.prototype, 'getSchema');
    try {
      const fresh = createCodec(testEnv.registryUrl);
      const decoded = await Promise.all(Array.from({ length: 200 }, () => fresh.decode(bytes)));
      expect(decoded).toHaveLength(200);
      await Promise.all(Array.from({ length: 200 }, () => fresh.encode(topic, request)));
      expect(fetches).toHaveBeenCalledTimes(1);
    } finally {
      fetches.mockRestore();
    }
  });

  it('registers a subject once and sets BACKWARD compatibility on it', async () => {
    const first = await codec.register(topic);
    expect(await createCodec(testEnv.registryUrl).register(topic)).toBe(first);
    expect(first).toBe((await codec.encode(topic, request)).readInt32BE(1));
    const res = await fetch(`${testEnv.registryUrl}/config/${encodeURIComponent(`${topic}-value`)}`);
    expect(await res.json()).toEqual({ compatibilityLevel: 'BACKWARD' });
  });

  it.each([
    ['no bytes', null],
    ['text', Buffer.from('definitely not avro')],
    ['an unknown schema id', Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0, 1, 2])],
  ])('calls %s malformed, permanently', async (_label, bytes) => {
    const err = await codec.decode(bytes).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HeraldError);
    expect(err).toEqual(expect.objectContaining({ code: 'malformed_payload', retriable: false }));
  });

  it('refuses to encode a record that does not match, naming the field but not the value', async () => {
    const err = await codec
      .encode(topic, {
        ...request,
        userId: 42,
        to: { email: 'secret@example.com', phone: 7, deviceTokens: null },
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toEqual(expect.objectContaining({ code: 'invalid_request', retriable: false }));
    expect((err as Error).message).toContain('userId');
    expect((err as Error).message).not.toContain('secret@example.com');
  });

  it('calls a truncated body malformed', async () => {
    const bytes = await codec.encode(topic, request);
    await expect(codec.decode(bytes.subarray(0, 12))).rejects.toEqual(
      expect.objectContaining({ code: 'malformed_payload' }),
    );
  });

  it('refuses to encode for a subject provisioning did not register, as an outage to wait out', async () => {
    await expect(codec.encode(`${prefix}notify.priority.high`, request)).rejects.toEqual(
      expect.objectContaining({
        code: 'dependency_unavailable',
        message: expect.stringContaining('run provisioning'),
      }),
    );
  });

  it('calls an unreachable registry transient, not malformed', async () => {
    const bytes = await codec.encode(topic, request);
    const offline = createCodec('http://127.0.0.1:1/apis/ccompat/v7');
    await expect(offline.decode(bytes)).rejects.toEqual(
      expect.objectContaining({ code: 'dependency_unavailable', retriable: true }),
    );
  });
});
