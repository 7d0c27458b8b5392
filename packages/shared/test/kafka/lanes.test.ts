import { laneGate } from '@herald/shared';
import type { Pausable } from '@herald/shared';

function lane(name: string, log: string[], refuse = false): Pausable & { name: string } {
  return {
    name,
    pause: () => {
      if (refuse) throw new Error('Consumer group was not initialized');
      log.push(`pause ${name}`);
    },
    resume: () => log.push(`resume ${name}`),
  };
}

/** Timers under the test's control: `flush()` runs what is due. */
function manualTimers() {
  let pending: (() => void) | undefined;
  return {
    timers: {
      set: ((fn: () => void) => {
        pending = fn;
        return 1 as unknown as NodeJS.Timeout;
      }) as unknown as typeof setTimeout,
      clear: (() => {
        pending = undefined;
      }) as unknown as typeof clearTimeout,
    },
    flush: () => {
      const fn = pending;
      pending = undefined;
      fn?.();
    },
  };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('laneGate', () => {
  it('pauses every lower lane while a higher lane works, and resumes them once it settles', async () => {
    const log: string[] = [];
    const { timers, flush } = manualTimers();
    const names = ['critical', 'high', 'normal', 'low'];
    const gate = laneGate(
      names.map((n) => ({ consumer: lane(n, log), topics: [`notify.priority.${n}`] })),
      50,
      timers,
    );
    const work = deferred();
    const running = gate.run(1, () => work.promise);
    expect(log).toEqual(['pause normal', 'pause low']);
    work.resolve();
    await running;
    expect(log).toHaveLength(2); // still paused until the higher lane has settled
    flush();
    expect(log).toEqual(['pause normal', 'pause low', 'resume normal', 'resume low']);
  });

  it('keeps lower lanes paused through a steady stream of higher records', async () => {
    const log: string[] = [];
    const { timers, flush } = manualTimers();
    const gate = laneGate(
      ['critical', 'low'].map((n) => ({ consumer: lane(n, log), topics: [n] })),
      50,
      timers,
    );
    await gate.run(0, () => Promise.resolve());
    await gate.run(0, () => Promise.resolve()); // a new record before the settle timer fired
    flush();
    expect(log).toEqual(['pause low', 'resume low']);
  });

  it('never pauses the highest lane or a lane for its own work, and passes results and errors through', async () => {
    const log: string[] = [];
    const gate = laneGate([
      { consumer: lane('critical', log), topics: ['c'] },
      { consumer: lane('low', log), topics: ['l'] },
    ]);
    expect(await gate.run(1, () => Promise.resolve(42))).toBe(42);
    await expect(gate.run(1, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(log).toEqual([]);
    gate.stop();
  });

  it('tries again when a lane refuses to pause before its consumer runs', async () => {
    const log: string[] = [];
    const { timers } = manualTimers();
    let refuse = true;
    const low: Pausable = {
      pause: () => {
        if (refuse) throw new Error('Consumer group was not initialized');
        log.push('pause low');
      },
      resume: () => log.push('resume low'),
    };
    const gate = laneGate(
      [
        { consumer: lane('critical', log), topics: ['c'] },
        { consumer: low, topics: ['l'] },
      ],
      50,
      timers,
    );
    await gate.run(0, () => Promise.resolve());
    expect(log).toEqual([]);
    refuse = false;
    await gate.run(0, () => Promise.resolve());
    expect(log).toEqual(['pause low']);
    gate.stop();
    expect(log).toEqual(['pause low', 'resume low']);
  });
});
