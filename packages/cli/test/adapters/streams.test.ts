import { PassThrough } from 'node:stream';
import { exitOnBrokenPipe } from '../../src/adapters/streams';

const failure = (code: string) => Object.assign(new Error(`write ${code}`), { code });

describe('exitOnBrokenPipe', () => {
  it('exits 0 when the reader has gone (EPIPE)', () => {
    const stream = new PassThrough();
    const exits: number[] = [];
    exitOnBrokenPipe(stream, (code) => exits.push(code));
    stream.emit('error', failure('EPIPE'));
    expect(exits).toEqual([0]);
  });

  it('rethrows any other error of the stream', () => {
    const stream = new PassThrough();
    const exits: number[] = [];
    exitOnBrokenPipe(stream, (code) => exits.push(code));
    expect(() => stream.emit('error', failure('EIO'))).toThrow('write EIO');
    expect(exits).toEqual([]);
  });
});
