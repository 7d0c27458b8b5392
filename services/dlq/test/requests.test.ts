import { HeraldError, createRegistry, hashApiKey, parseInput } from '@herald/shared';
import type { FastifyInstance, Pool } from '@herald/shared';
import { silentLog, untouched } from '@herald/test-support';
import { buildApp } from '../src/app';
import type { LetterActions } from '../src/letter-actions';
import {
  bulkBody,
  bulkSelection,
  discardBody,
  idParams,
  listFilter,
  listQuery,
  noBody,
} from '../src/requests';

// The schemas the routes validate with, parsed as apiRoute parses each part (parseInput's 400).
const parseListQuery = (query: unknown) => listFilter(parseInput(listQuery, query, 'query'));
const parseId = (params: unknown) => parseInput(idParams, params, 'params').id;
const parseDiscard = (body: unknown) => parseInput(discardBody, body).reason;
const parseBulkReplay = (body: unknown) => bulkSelection(parseInput(bulkBody, body));

/** The 400 a parser throws: its field and message. */
function refusal(parse: () => unknown): { field: string | undefined; message: string } {
  try {
    parse();
  } catch (err) {
    if (err instanceof HeraldError && err.code === 'validation_failed') {
      return { field: err.field, message: err.message };
    }
    throw err;
  }
  throw new Error('expected a validation error');
}

const ID = '0b8f2d52-3a1c-4e5f-9a7b-1c2d3e4f5a6b';

describe('list query', () => {
  it('lists parked letters, 50 at a time, by default', () => {
    expect(parseListQuery({})).toEqual({ status: 'parked', limit: 50 });
  });

  it('takes every filter, the channel in any case, times normalised to UTC', () => {
    expect(
      parseListQuery({
        reason: 'provider_rejected',
        channel: 'Email',
        notificationId: ID,
        status: 'discarded',
        since: '2026-01-01T02:00:00+02:00',
        until: '2026-01-02T00:00:00Z',
        limit: '10',
        before: '99',
      }),
    ).toEqual({
      reason: 'provider_rejected',
      channel: 'EMAIL',
      notificationId: ID,
      status: 'discarded',
      since: '2026-01-01T00:00:00.000Z',
      until: '2026-01-02T00:00:00.000Z',
      limit: 10,
      beforeId: '99',
    });
  });

  it.each([
    [{ colour: 'blue' }, 'colour', 'colour: unknown field'],
    [{ channel: 'fax' }, 'channel', 'channel: expected email, sms or push'],
    [{ status: 'gone' }, 'status', 'status: expected one of parked, replayed, discarded'],
    [{ since: 'yesterday' }, 'since', expect.stringContaining('since: expected an ISO 8601 date-time')],
    [{ since: '2026-02-30T00:00:00Z' }, 'since', expect.stringContaining('since: expected an ISO 8601')],
    [{ until: '2026-01-01T00:00:00' }, 'until', expect.stringContaining('until: expected an ISO 8601')],
    [
      { since: '2026-02-01T00:00:00Z', until: '2026-01-01T00:00:00Z' },
      'until',
      'until: expected a time after since',
    ],
    [{ limit: '501' }, 'limit', 'limit: expected a whole number from 1 to 500'],
    [{ before: '0' }, 'before', 'before: expected a dead-letter id'],
  ])('refuses %j', (query, field, message) => {
    expect(refusal(() => parseListQuery(query))).toEqual({ field, message });
  });
});

describe('ids', () => {
  it('takes a bigint-sized id', () => {
    expect(parseId({ id: '123456789012345678' })).toBe('123456789012345678');
  });

  it.each(['0', '-1', 'abc', '1234567890123456789', '1 OR 1=1'])('refuses %j', (id) => {
    expect(refusal(() => parseId({ id }))).toEqual({ field: 'id', message: 'id: expected a dead-letter id' });
  });
});

describe('action bodies', () => {
  it('a replay takes an empty object, and nothing else', () => {
    expect(parseInput(noBody, {})).toEqual({});
    expect(refusal(() => parseInput(noBody, { force: true }))).toEqual({
      field: 'force',
      message: 'force: unknown field',
    });
  });

  it('a discard needs a reason of 1 to 500 characters', () => {
    expect(parseDiscard({ reason: '  customer asked us to stop  ' })).toBe('customer asked us to stop');
    expect(refusal(() => parseDiscard({}))).toEqual({ field: 'reason', message: 'reason: required' });
    expect(refusal(() => parseDiscard(undefined))).toEqual({
      field: 'body',
      message: 'body: required (send a JSON object)',
    });
    expect(refusal(() => parseDiscard({ reason: '   ' })).field).toBe('reason');
    expect(refusal(() => parseDiscard({ reason: 'x'.repeat(501) })).field).toBe('reason');
  });
});

describe('bulk replay body', () => {
  it('takes ids, as strings or numbers, once each', () => {
    expect(parseBulkReplay({ ids: ['3', 4, '3'] })).toEqual({ ids: ['3', '4'] });
  });

  it('takes a filter, keeping only the fields given', () => {
    expect(parseBulkReplay({ filter: { channel: 'sms', reason: 'provider_unavailable' } })).toEqual({
      filter: { channel: 'SMS', reason: 'provider_unavailable' },
    });
  });

  it.each([
    [{}, 'body', 'body: expected ids (a list of dead-letter ids) or a filter'],
    [{ ids: ['1'], filter: { reason: 'x' } }, 'body', 'body: send either ids or filter, not both'],
    [
      { filter: {} },
      'filter',
      'filter: expected at least one of reason, channel, notificationId, since, until',
    ],
    [{ filter: { status: 'parked' } }, 'filter.status', 'filter.status: unknown field'],
    [{ ids: [] }, 'ids', 'ids: expected 1 to 1000 dead-letter ids'],
    [
      { ids: Array.from({ length: 1001 }, (_, i) => String(i + 1)) },
      'ids',
      'ids: expected 1 to 1000 dead-letter ids',
    ],
    [{ ids: ['1', 'abc'] }, 'ids.1', 'ids.1: expected a dead-letter id'],
    [{ ids: [0] }, 'ids.0', 'ids.0: expected a dead-letter id'],
    [{ ids: '1' }, 'ids', expect.stringContaining('ids: ')],
    [{ everything: true }, 'everything', 'everything: unknown field'],
  ])('refuses %j', (body, field, message) => {
    expect(refusal(() => parseBulkReplay(body))).toEqual({ field, message });
  });
});

describe('the replay route', () => {
  const ADMIN_KEY = 'hk_requests_admin_key';
  const pool = {
    query: (_sql: string, [hash]: [string]) =>
      Promise.resolve({
        rows: hash === hashApiKey(ADMIN_KEY) ? [{ id: '1', name: 'requests-test', scopes: ['admin'] }] : [],
      }),
  } as unknown as Pool;
  const replayed: string[] = [];
  let app: FastifyInstance;

  beforeAll(async () => {
    const letters = untouched<LetterActions>('letters', {
      replay: (id) => {
        replayed.push(id);
        return Promise.resolve({ kind: 'not_found', message: `no dead letter ${id}` });
      },
    });
    app = buildApp(
      {
        registry: createRegistry('dlq-requests-test'),
        readiness: { draining: false, checks: [] },
        pool,
        log: silentLog,
      },
      untouched('deadLetters'),
      { letters, replays: untouched('replays') },
    );
    await app.ready();
  });
  afterAll(() => app.close());

  const replay = (payload?: object) =>
    app.inject({
      method: 'POST',
      url: '/v1/dead-letters/7/replay',
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
      ...(payload ? { payload } : {}),
    });

  it('takes no body, or an empty object, and refuses options', async () => {
    expect((await replay()).statusCode).toBe(404);
    expect((await replay({})).statusCode).toBe(404);
    expect(replayed).toEqual(['7', '7']);
    const refused = await replay({ force: true });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toEqual({
      error: { code: 'validation_failed', message: 'force: unknown field', field: 'force' },
    });
    expect(replayed).toHaveLength(2);
  });
});
