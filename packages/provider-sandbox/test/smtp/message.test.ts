import { customHeaders, readMail } from '../../src/smtp/message';

const line = (raw: string) => ({ key: raw.slice(0, raw.indexOf(':')).toLowerCase(), line: raw });

describe('customHeaders', () => {
  it('keeps the headers without a field of their own, by their name as sent, unfolded', () => {
    expect(
      customHeaders([
        line('From: Herald <f@herald.test>'),
        line('Subject: Hi'),
        line('Message-ID: <1@herald.test>'),
        line('Content-Type: text/plain'),
        line('X-Herald-Notification-Id: n-1'),
        line('List-Unsubscribe: <https://herald.test/u/1>,\r\n <mailto:u@herald.test>'),
        line('list-unsubscribe-post:List-Unsubscribe=One-Click'),
      ]),
    ).toEqual({
      'X-Herald-Notification-Id': 'n-1',
      'List-Unsubscribe': '<https://herald.test/u/1>, <mailto:u@herald.test>',
      'list-unsubscribe-post': 'List-Unsubscribe=One-Click',
    });
  });

  it('keeps the first of a repeated header, and is undefined when nothing is left', () => {
    expect(customHeaders([line('X-Tag: a'), line('x-tag: b')])).toEqual({ 'X-Tag': 'a' });
    expect(
      customHeaders([line('To: a@x.test'), line('Date: Thu, 1 Jan 2030 00:00:00 +0000')]),
    ).toBeUndefined();
  });
});

describe('readMail', () => {
  it('falls back to the envelope sender, and reads a text-only message', async () => {
    const raw = Buffer.from('To: a@x.test\r\nSubject: =?UTF-8?Q?Caf=C3=A9?=\r\n\r\nHello\r\n');
    expect(await readMail(raw, 'bounce@herald.test')).toEqual({
      fields: {
        from: 'bounce@herald.test',
        fromName: undefined,
        replyTo: undefined,
        subject: 'Café',
        body: expect.stringMatching(/^Hello\n?$/),
        html: undefined,
        headers: undefined,
      },
      messageId: undefined,
    });
  });
});
