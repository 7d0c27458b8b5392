import { PassThrough } from 'node:stream';
import { startProgress } from '../../src/adapters/progress';

function terminal() {
  const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 100 });
  let written = '';
  stream.on('data', (b: Buffer) => (written += b.toString()));
  return { stream: stream as unknown as NodeJS.WriteStream, written: () => written };
}

describe('startProgress', () => {
  it('draws a bar on a terminal without hiding its cursor (nothing to restore after Ctrl-C)', async () => {
    const t = terminal();
    const p = startProgress(t.stream, 'sending', 10);
    p.update(4);
    p.update(10);
    p.stop();
    await new Promise((r) => setImmediate(r));
    expect(t.written()).toMatch(/sending \[[█░]+\] 100% \| 10\/10/);
    expect(t.written()).not.toContain('\x1b[?25l');
  });

  it('prints plain lines elsewhere: at the first progress, then at most every interval, and at the end', async () => {
    const stream = new PassThrough();
    let written = '';
    stream.on('data', (b: Buffer) => (written += b.toString()));
    const p = startProgress(stream as unknown as NodeJS.WriteStream, 'replaying', 3, {
      plainEveryMs: 60_000,
    });
    p.update(1);
    p.update(2);
    p.update(3);
    p.stop();
    await new Promise((r) => setImmediate(r));
    expect(written).toMatch(
      /^replaying: 1\/3 \(33%\) after [\d.]+s\nreplaying: 3\/3 \(100%\) after [\d.]+s\n$/,
    );
  });
});
