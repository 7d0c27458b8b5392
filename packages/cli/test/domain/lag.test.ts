import { formatLag, selectGroups, subscribedTopics, topicLag } from '../../src/domain/lag';

function subscription(topics: string[], userData = Buffer.alloc(0)): Buffer {
  const parts = [Buffer.from([0, 1])];
  const count = Buffer.alloc(4);
  count.writeInt32BE(topics.length);
  parts.push(count);
  for (const t of topics) {
    const len = Buffer.alloc(2);
    len.writeInt16BE(Buffer.byteLength(t));
    parts.push(len, Buffer.from(t));
  }
  const ud = Buffer.alloc(4);
  ud.writeInt32BE(userData.length);
  parts.push(ud, userData);
  return Buffer.concat(parts);
}

describe('topicLag', () => {
  it('is end minus committed per partition, from the log start where nothing is committed (an empty partition is not noted)', () => {
    const lag = topicLag(
      'herald-router.high',
      'notify.priority.high',
      [
        { partition: 0, offset: '90' },
        { partition: 1, offset: '-1' },
      ],
      [
        { partition: 0, low: '0', high: '100' },
        { partition: 1, low: '40', high: '50' },
        { partition: 2, low: '7', high: '7' },
      ],
    );
    expect(lag).toEqual({
      group: 'herald-router.high',
      topic: 'notify.priority.high',
      lag: 20,
      partitions: 3,
      uncommitted: 1,
    });
  });

  it('never counts below zero (a commit past a truncated end)', () => {
    expect(
      topicLag('g', 't', [{ partition: 0, offset: '12' }], [{ partition: 0, low: '0', high: '10' }]).lag,
    ).toBe(0);
  });
});

describe('subscribedTopics', () => {
  it("reads the consumer protocol's subscription", () => {
    expect(
      subscribedTopics(subscription(['notify.priority.high', 'notify.priority.low'], Buffer.from('x'))),
    ).toEqual(['notify.priority.high', 'notify.priority.low']);
  });
  it('yields nothing for metadata of another shape', () => {
    expect(subscribedTopics(Buffer.from([0, 0, 0, 0, 0, 9, 0]))).toEqual([]);
    expect(subscribedTopics(Buffer.alloc(0))).toEqual([]);
  });
});

describe('selectGroups', () => {
  const all = [
    'herald-router.high',
    'herald-router.low',
    'herald-dlq',
    't-x.herald-dlq',
    'collector-1',
    'herald-cli-tail-1',
  ];
  it("keeps Herald's groups of this prefix (not the CLI's tails), by name or by the start of it", () => {
    expect(selectGroups(all, '')).toEqual(['herald-dlq', 'herald-router.high', 'herald-router.low']);
    expect(selectGroups(all, 't-x.')).toEqual(['t-x.herald-dlq']);
    expect(selectGroups(all, '', 'herald-router')).toEqual(['herald-router.high', 'herald-router.low']);
    expect(selectGroups(all, 't-x.', 'herald-dlq')).toEqual(['t-x.herald-dlq']);
    expect(selectGroups(all, '', 'nope')).toEqual([]);
  });
});

describe('formatLag', () => {
  it('sorts rows by lag and totals each group', () => {
    const text = formatLag(
      [
        { group: 'herald-router.low', topic: 'notify.priority.low', lag: 5, partitions: 12, uncommitted: 0 },
        { group: 'herald-dlq', topic: 'notify.dlq', lag: 0, partitions: 12, uncommitted: 12 },
        {
          group: 'herald-router.high',
          topic: 'notify.priority.high',
          lag: 700,
          partitions: 12,
          uncommitted: 0,
        },
      ],
      [
        { group: 'herald-dlq', state: 'Stable', members: 1 },
        { group: 'herald-router.high', state: 'Stable', members: 2 },
        { group: 'herald-router.low', state: 'Empty', members: 0 },
      ],
    );
    expect(text.split('\n')).toEqual([
      'GROUP               TOPIC                 PARTITIONS  LAG  NOTE',
      'herald-router.high  notify.priority.high          12  700',
      'herald-router.low   notify.priority.low           12    5',
      'herald-dlq          notify.dlq                    12    0  12 partition(s) never committed',
      '',
      'GROUP               STATE   MEMBERS  TOPICS  TOTAL LAG',
      'herald-router.high  Stable        2       1        700',
      'herald-router.low   Empty         0       1          5',
      'herald-dlq          Stable        1       1          0',
    ]);
    expect(formatLag([], [])).toBe('no Herald consumer groups found');
  });
});
