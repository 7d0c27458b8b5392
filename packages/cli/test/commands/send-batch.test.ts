import type { Api, CallOptions, Reply } from '../../src/adapters/http';
import { retryDelayMs, sendChunk } from '../../src/commands/send-batch';
import { chunkKeys } from '../../src/domain/batch';
import { CliError, TransportError } from '../../src/domain/errors';

type Step = { status: number; body?: unknown; retryAfter?: string } | Error;

/** An API that answers each call with the next scripted step, and fails the test when out of steps. */
function scripted(steps: Step[]) {
  const calls: CallOptions[] = [];
  const api: Api = {
    call<T>(_method: string, _path: string, opts: CallOptions): Promise<Reply<T>> {
      calls.push(opts);
      const step = steps.shift();
      if (!step) return Promise.reject(new Error(`unexpected call ${calls.length}`));
      if (step instanceof Error) return Promise.reject(step);
      const headers = new Headers(step.retryAfter ? { 'retry-after': step.retryAfter } : {});
      return Promise.resolve({ status: step.status, body: step.body as T, headers });
    },
  };
  return { api, calls };
}

const accepted = { results: [{ index: 0, status: 'accepted', id: 'n1' }] };
const chunk = { notifications: [{ userId: 'ada' }], key: 'herald-cli-abc-0', what: 'sending lines 1-1' };

describe('sendChunk', () => {
  it('retries no answer, 409 and 503 with the same key until accepted, waiting as told', async () => {
    const { api, calls } = scripted([
      new TransportError('sending lines 1-1: cannot reach ingest (ECONNRESET)'),
      { status: 409, body: { error: { code: 'idempotency_in_progress' } } },
      { status: 503, body: {}, retryAfter: '3' },
      { status: 202, body: accepted },
    ]);
    const waits: number[] = [];
    const results = await sendChunk(api, chunk, {
      tries: 5,
      sleep: (ms) => (waits.push(ms), Promise.resolve()),
    });
    expect(results).toEqual(accepted.results);
    expect(calls.map((c) => c.headers?.['idempotency-key'])).toEqual(Array(4).fill('herald-cli-abc-0'));
    expect(waits).toEqual([1000, 2000, 3000]);
  });

  it('gives up after the tries, with the last failure', async () => {
    const { api, calls } = scripted(
      Array.from({ length: 3 }, () => new TransportError('cannot reach ingest (ETIMEDOUT)')),
    );
    await expect(sendChunk(api, chunk, { tries: 3, sleep: () => Promise.resolve() })).rejects.toThrow(
      'cannot reach ingest (ETIMEDOUT)\ngave up after 3 tries',
    );
    expect(calls).toHaveLength(3);
  });

  it('does not retry a refusal', async () => {
    const refusal = new CliError('sending lines 1-1 was refused (403 forbidden)');
    const { api, calls } = scripted([refusal]);
    await expect(sendChunk(api, chunk, { tries: 5, sleep: () => Promise.resolve() })).rejects.toBe(refusal);
    expect(calls).toHaveLength(1);
  });

  it('waits at most 10 s', () => {
    expect([1, 2, 3, 4, 5].map((a) => retryDelayMs(a, null))).toEqual([1000, 2000, 4000, 8000, 10_000]);
    expect(retryDelayMs(1, '60')).toBe(10_000);
    expect(retryDelayMs(2, 'soon')).toBe(2000);
  });
});

describe('chunkKeys', () => {
  const file = '{"userId":"a"}\n{"userId":"b"}\n';

  it('gives the same file the same keys on every run, one per chunk', () => {
    const first = chunkKeys(file, 1000);
    const again = chunkKeys(file, 1000);
    expect(first(0)).toMatch(/^herald-cli-[0-9a-f]{32}-0$/);
    expect(again(0)).toBe(first(0));
    expect(first(1)).not.toBe(first(0));
  });

  it('gives another file, another chunk size or --new-keys other keys', () => {
    const key = chunkKeys(file, 1000)(0);
    expect(chunkKeys(`${file}{"userId":"c"}\n`, 1000)(0)).not.toBe(key);
    expect(chunkKeys(file, 1)(0)).not.toBe(key);
    expect(chunkKeys(file, 1000, true)(0)).not.toBe(key);
    expect(chunkKeys(file, 1000, true)(0)).not.toBe(chunkKeys(file, 1000, true)(0));
  });
});
