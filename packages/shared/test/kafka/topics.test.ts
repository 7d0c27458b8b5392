import { schemaForTopic, topicNames, topicSpecs } from '@herald/shared';

describe('topics', () => {
  it('names the topics of the contract', () => {
    const t = topicNames();
    expect(t.priority('CRITICAL')).toBe('notify.priority.critical');
    expect(t.channel('EMAIL', 'LOW')).toBe('notify.channel.email.low');
    expect(t.delay('30s')).toBe('notify.delay.30s');
    expect([t.dlq, t.parked, t.status]).toEqual(['notify.dlq', 'notify.parked', 'notify.status']);
    expect(topicNames('t1.').group('herald-router.high')).toBe('t1.herald-router.high');
  });

  it('has the partition counts of DESIGN.md', () => {
    const specs = new Map(topicSpecs().map((s) => [s.topic, s.numPartitions]));
    expect(specs.size).toBe(4 + 12 + 1 + 6 + 1 + 1);
    expect(specs.get('notify.priority.high')).toBe(12);
    expect(specs.get('notify.channel.push.normal')).toBe(12);
    expect(specs.get('notify.dlq')).toBe(12);
    expect(specs.get('notify.delay.1h')).toBe(6);
    expect(specs.get('notify.parked')).toBe(3);
    expect(specs.get('notify.status')).toBe(12);
  });

  it('maps each encoded topic to its schema, prefixed or not', () => {
    expect(schemaForTopic('notify.priority.low')).toHaveProperty('name', 'NotificationRequest');
    expect(schemaForTopic('t-x.notify.channel.sms.high')).toHaveProperty('name', 'ChannelMessage');
    expect(schemaForTopic('notify.status')).toHaveProperty('name', 'StatusEvent');
    expect(() => schemaForTopic('notify.dlq')).toThrow(/as received/);
  });
});
