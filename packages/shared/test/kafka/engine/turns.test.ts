import { turnKeeper } from '../../../src/kafka/engine/turns';
import type { TurnKeeper } from '../../../src/kafka/engine/turns';

/** As callers do: `await keeper.ask(lane)`, once. */
const passTurn = async (keeper: TurnKeeper, lane?: number) => {
  await keeper.ask(lane);
};

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('turnKeeper', () => {
  it('lets callers go on while the turn has budget left, then makes them wait for a later turn', async () => {
    let t = 0;
    const keeper = turnKeeper(10, () => t);
    t = 5;
    expect(keeper.ask(3)).toBeUndefined();
    t = 12;
    const wait = keeper.ask(3);
    expect(wait).toBeInstanceOf(Promise);
    // Everyone asking before the loop came round waits too, even with a fresh clock reading.
    expect(keeper.ask(2)).toBeInstanceOf(Promise);
    await wait;
    // The budget counts from the resumption.
    expect(keeper.ask(3)).toBeUndefined();
  });

  it('lets the callbacks queued before the wait began run before the waiters resume', async () => {
    let t = 0;
    const keeper = turnKeeper(10, () => t);
    t = 20;
    const order: string[] = [];
    setImmediate(() => order.push('queued before'));
    const waiting = passTurn(keeper, 3).then(() => order.push('resumed'));
    await waiting;
    expect(order).toEqual(['queued before', 'resumed']);
  });

  it('resumes waiters highest lane first, first come within a lane', async () => {
    let t = 0;
    const keeper = turnKeeper(10, () => t);
    t = 20;
    const order: string[] = [];
    const waits = [
      passTurn(keeper, 3).then(() => order.push('low-1')),
      passTurn(keeper, 1).then(() => order.push('high')),
      passTurn(keeper, 3).then(() => order.push('low-2')),
      passTurn(keeper).then(() => order.push('unlaned')),
      passTurn(keeper, 2).then(() => order.push('normal')),
    ];
    await Promise.all(waits);
    expect(order).toEqual(['high', 'normal', 'low-1', 'low-2', 'unlaned']);
  });

  it('resumes only as many as the budget allows: the rest wait for the next turn', async () => {
    let t = 0;
    const keeper = turnKeeper(10, () => t);
    t = 20;
    const resumedIn: number[] = [];
    let turn = 0;
    const work = Array.from({ length: 5 }, async () => {
      await keeper.ask(3);
      resumedIn.push(turn);
      t += 4; // each costs 4 ms of the turn's 10
    });
    await nextTurn();
    turn = 1;
    await Promise.all(work);
    // 3 fit in a turn (0, 4, 8 ms spent when each started), the next ones in later turns.
    expect(resumedIn).toEqual([0, 0, 0, 1, 1]);
  });

  it('lets critical go on until five budgets are spent', () => {
    let t = 0;
    const keeper = turnKeeper(10, () => t);
    t = 30;
    expect(keeper.ask(3)).toBeInstanceOf(Promise);
    expect(keeper.ask(0)).toBeUndefined();
    t = 50;
    expect(keeper.ask(0)).toBeInstanceOf(Promise);
  });
});
