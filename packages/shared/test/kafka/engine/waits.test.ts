import pino from 'pino';
import { HeraldError } from '../../../src/errors';
import { createWaits } from '../../../src/kafka/engine/waits';

const down = () => Promise.reject(new HeraldError('dependency_unavailable', 'postgres down'));

describe('createWaits', () => {
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('retries a wait error until it passes, and is not ready meanwhile', async () => {
    jest.useFakeTimers();
    const waits = createWaits(pino({ level: 'silent' }), { baseMs: 100, capMs: 1000 });
    let up = false;
    const work = jest.fn(() => (up ? Promise.resolve('ok') : down()));
    const result = waits.retry(new AbortController().signal, work);
    await jest.advanceTimersByTimeAsync(350);
    expect(work.mock.calls.length).toBeGreaterThanOrEqual(2);
    expect(await waits.readiness('deps').check()).toBe(false);
    up = true;
    await jest.advanceTimersByTimeAsync(1000);
    expect(await result).toEqual({ kind: 'ok', value: 'ok' });
    expect(await waits.readiness('deps').check()).toBe(true);
  });

  it('hands back at once an error that is not a wait', async () => {
    const waits = createWaits(pino({ level: 'silent' }));
    const result = await waits.retry(new AbortController().signal, () =>
      Promise.reject(new HeraldError('invalid_request', 'bad')),
    );
    expect(result).toEqual({ kind: 'failed', error: expect.objectContaining({ code: 'invalid_request' }) });
  });

  it('wakes every waiting record as soon as one gets through after an outage', async () => {
    jest.useFakeTimers();
    // No jitter: a's waits are exactly 100, 200, 400, 800 then 1600 ms, so it is asleep (its fifth
    // try at 1500 ms, its sixth not before 3100 ms) throughout the window below.
    jest.spyOn(Math, 'random').mockReturnValue(0.5);
    const waits = createWaits(pino({ level: 'silent' }), { baseMs: 100, capMs: 60_000 });
    let up = false;
    const signal = new AbortController().signal;
    const longWaiter = jest.fn(() => (up ? Promise.resolve('a') : down()));
    const a = waits.retry(signal, longWaiter);
    // After a few failures, the first record sleeps for seconds.
    await jest.advanceTimersByTimeAsync(1600);
    const triesBefore = longWaiter.mock.calls.length;
    const b = waits.retry(signal, () => (up ? Promise.resolve('b') : down()));
    await jest.advanceTimersByTimeAsync(10);
    up = true;
    // b's short first backoff ends; its success wakes a, long before a's own backoff would.
    await jest.advanceTimersByTimeAsync(200);
    expect(await b).toEqual({ kind: 'ok', value: 'b' });
    await jest.advanceTimersByTimeAsync(0);
    expect(longWaiter.mock.calls.length).toBe(triesBefore + 1);
    expect(await a).toEqual({ kind: 'ok', value: 'a' });
  });

  it('stops waiting when its signal aborts', async () => {
    const waits = createWaits(pino({ level: 'silent' }), { baseMs: 10_000, capMs: 10_000 });
    const abort = new AbortController();
    const result = waits.retry(abort.signal, down);
    await new Promise((r) => setImmediate(r));
    abort.abort();
    expect(await result).toEqual({ kind: 'aborted' });
    expect(await waits.readiness('deps').check()).toBe(true);
  });
});
