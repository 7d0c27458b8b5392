import { Writable } from 'node:stream';
import pino from 'pino';
import { REDACT_PATHS } from '@herald/shared';

describe('log redaction', () => {
  it('censors addresses, tokens and auth headers at the top level and one level down', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const log = pino({ redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
    log.info(
      {
        notificationId: 'n1',
        email: 'a@b.c',
        user: { phone: '+1415', token: 't', profile: { email: 'deep@x.y' } },
        req: { headers: { authorization: 'Bearer k' } },
      },
      'hello',
    );
    const out = lines.join('');
    expect(out).toContain('"notificationId":"n1"');
    for (const secret of ['a@b.c', '+1415', '"t"', 'Bearer k', 'deep@x.y']) expect(out).not.toContain(secret);
  });
});
