import { escapeHtml, renderInbox } from '../src/page';

describe('inbox page', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('says so when nothing was received', () => {
    expect(renderInbox([], [])).toContain('Nothing yet.');
  });

  it('lists faults with their recipients, answer, latency and rate limit, escaped', () => {
    const html = renderInbox(
      [],
      [
        { provider: 'sendgrid', errorRate: 0, status: 503, latencyMs: 0, outage: false, rateLimit: 10 },
        {
          provider: 'twilio',
          errorRate: 0.07,
          code: '21610',
          latencyMs: 250,
          outage: false,
          to: ['<b>', '+1555'],
        },
        { provider: 'fcm', errorRate: 0, code: 'UNREGISTERED', latencyMs: 0, outage: true },
      ],
    );
    expect(html).toContain(
      '<tr><td>sendgrid</td><td>all</td><td>none</td><td>status 503</td><td></td><td>10/s</td></tr>',
    );
    expect(html).toContain(
      '<tr><td>twilio</td><td>&lt;b&gt;, +1555</td><td>7% of requests</td><td>code 21610</td><td>250 ms</td><td></td></tr>',
    );
    expect(html).toContain('<td>every request (outage)</td><td>code UNREGISTERED</td>');
  });

  it('shows no fault table without faults', () => {
    expect(renderInbox([], [])).not.toContain('Faults');
  });
});
