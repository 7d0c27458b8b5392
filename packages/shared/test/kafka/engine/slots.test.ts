import { prioritySlots } from '../../../src/kafka/engine/slots';

describe('prioritySlots', () => {
  it('grants up to the limit, then queues, and a freed slot goes to the highest lane waiting', async () => {
    const slots = prioritySlots(3, 1);
    const a = await slots.acquire(2);
    const b = await slots.acquire(2);
    // Lanes below critical have taken all but the reserved slot: they queue, critical does not.
    const order: string[] = [];
    const low = slots.acquire(2).then((r) => (order.push('low'), r));
    const high = slots.acquire(1).then((r) => (order.push('high'), r));
    const crit = await slots.acquire(0);
    expect(slots.inUse).toBe(3);
    expect(slots.waiting).toBe(2);
    a?.();
    await new Promise((r) => setImmediate(r));
    // While critical holds a slot, no lower lane starts.
    expect(order).toEqual([]);
    crit?.();
    const h = await high;
    expect(order).toEqual(['high']);
    b?.();
    // High in hand does not hold low back (only high in line would); critical in hand does.
    const l = await low;
    expect(order).toEqual(['high', 'low']);
    h?.();
    l?.();
    expect(slots.inUse).toBe(0);
  });

  it('stops a lower lane from starting while a higher lane has records in hand', async () => {
    const slots = prioritySlots(10, 1);
    const crit = await slots.acquire(0);
    let started = false;
    const low = slots.acquire(3).then((r) => ((started = true), r));
    await new Promise((r) => setImmediate(r));
    expect(started).toBe(false);
    crit?.();
    (await low)?.();
    expect(started).toBe(true);
  });

  it('keeps the reserve for lane 0 even with only low lanes asking', async () => {
    const slots = prioritySlots(10, 2);
    const lows = await Promise.all(Array.from({ length: 8 }, () => slots.acquire(3)));
    let granted = false;
    const ninth = slots.acquire(3).then((r) => ((granted = true), r));
    await new Promise((r) => setImmediate(r));
    expect(granted).toBe(false);
    const crits = [await slots.acquire(0), await slots.acquire(0)];
    expect(slots.inUse).toBe(10);
    for (const r of crits) r?.();
    expect(granted).toBe(false);
    lows[0]?.();
    (await ninth)?.();
    for (const r of lows) r?.();
    expect(slots.inUse).toBe(0);
  });

  it('keeps nothing back with a reserve of 0 (a replica that works on no critical lane)', async () => {
    const slots = prioritySlots(3, 0);
    const all = await Promise.all([slots.acquire(3), slots.acquire(3), slots.acquire(2)]);
    expect(slots.inUse).toBe(3);
    for (const r of all) r?.();
  });

  it('gives up a wait when its signal aborts, and releasing twice frees one slot', async () => {
    const slots = prioritySlots(1);
    const first = await slots.acquire(0);
    const abort = new AbortController();
    const waiting = slots.acquire(0, abort.signal);
    abort.abort();
    expect(await waiting).toBeNull();
    expect(slots.waiting).toBe(0);
    first?.();
    first?.();
    expect(slots.inUse).toBe(0);
    expect(await slots.acquire(0, abort.signal)).toBeNull();
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => prioritySlots(0)).toThrow('positive integer');
  });
});
