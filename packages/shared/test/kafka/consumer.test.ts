import { EventEmitter } from 'node:events';
import pino from 'pino';
import { trackConsumer } from '@herald/shared';
import type { Consumer } from '@herald/shared';

const EVENTS = { GROUP_JOIN: 'join', STOP: 'stop', DISCONNECT: 'disconnect', CRASH: 'crash' };

function fakeConsumer() {
  const emitter = new EventEmitter();
  const consumer = { events: EVENTS, on: (e: string, f: (...a: unknown[]) => void) => emitter.on(e, f) };
  return {
    consumer: consumer as unknown as Consumer,
    emit: (e: string, payload?: object) => emitter.emit(e, payload),
  };
}

describe('trackConsumer', () => {
  it('is ready once joined, not after a stop, a disconnect or a crash', () => {
    const { consumer, emit } = fakeConsumer();
    const onFatal = jest.fn();
    const ready = trackConsumer(consumer, 'g', pino({ level: 'silent' }), onFatal);
    expect(ready()).toBe(false);
    emit(EVENTS.GROUP_JOIN);
    expect(ready()).toBe(true);
    emit(EVENTS.CRASH, { payload: { error: new Error('x'), restart: true } });
    expect(ready()).toBe(false);
    expect(onFatal).not.toHaveBeenCalled();
    emit(EVENTS.GROUP_JOIN);
    emit(EVENTS.DISCONNECT);
    expect(ready()).toBe(false);
  });

  it('calls onFatal when kafkajs will not restart the consumer', () => {
    const { consumer, emit } = fakeConsumer();
    const onFatal = jest.fn();
    trackConsumer(consumer, 'g', pino({ level: 'silent' }), onFatal);
    const error = new Error('non-retriable');
    emit(EVENTS.CRASH, { payload: { error, restart: false } });
    expect(onFatal).toHaveBeenCalledWith(error);
  });
});
