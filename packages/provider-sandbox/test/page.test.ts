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

  it('escapes fault descriptions too', () => {
    const html = renderInbox(
      [],
      [{ provider: 'fcm', errorRate: 0, status: 503, latencyMs: 0, outage: true }],
    );
    expect(html).toContain('&quot;provider&quot;:&quot;fcm&quot;');
  });
});
