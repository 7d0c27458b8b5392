import type { FaultSpec } from './faults';
import type { SandboxMessage } from './store';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);
}

const STYLE = `
body { font: 14px system-ui, sans-serif; margin: 1.5rem; color: #222; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid #ddd; }
td.body { white-space: pre-wrap; max-width: 40rem; }
.rejected { color: #a00; }
table.faults { width: auto; margin-bottom: 1rem; }
code { font-size: 12px; }`;

function row(m: SandboxMessage): string {
  const cells = [
    m.receivedAt,
    m.provider,
    m.channel,
    m.to,
    m.subject ?? m.title ?? '',
    m.body,
    `${m.status} ${m.accepted ? 'accepted' : 'rejected'}`,
    m.providerMessageId ?? '',
  ].map(escapeHtml);
  return `<tr class="${m.accepted ? 'accepted' : 'rejected'}">${cells
    .map((c, i) => (i === 5 ? `<td class="body">${c}</td>` : `<td>${c}</td>`))
    .join('')}</tr>`;
}

/** One fault as table cells: provider, recipients, what fails, the answer, latency, rate limit. */
function faultRow(f: FaultSpec): string {
  const fails = f.outage
    ? 'every request (outage)'
    : f.errorRate > 0
      ? `${Math.round(f.errorRate * 1000) / 10}% of requests`
      : 'none';
  const cells = [
    f.provider,
    f.to === undefined ? 'all' : f.to.join(', '),
    fails,
    f.code !== undefined ? `code ${f.code}` : `status ${f.status ?? 503}`,
    f.latencyMs > 0 ? `${f.latencyMs} ms` : '',
    f.rateLimit === undefined ? '' : `${f.rateLimit}/s`,
  ].map(escapeHtml);
  return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
}

function faultTable(faults: readonly FaultSpec[]): string {
  if (faults.length === 0) return '';
  return `<h2>Faults</h2>
<table class="faults">
<thead><tr><th>Provider</th><th>To</th><th>Fails</th><th>Answer</th><th>Latency</th><th>Rate limit</th></tr></thead>
<tbody>
${faults.map(faultRow).join('\n')}
</tbody>
</table>
<p>JSON: <a href="/api/faults">/api/faults</a></p>`;
}

/** The inbox page: what the fake providers received, newest first. Refreshes itself every 3 s. */
export function renderInbox(messages: readonly SandboxMessage[], faults: readonly FaultSpec[]): string {
  const rows = [...messages].reverse().map(row).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="3">
<title>Herald provider sandbox</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Herald provider sandbox</h1>
<p>${messages.length} message(s) received. JSON: <a href="/api/messages">/api/messages</a></p>
${faultTable(faults)}
<table>
<thead><tr><th>Received</th><th>Provider</th><th>Channel</th><th>To</th><th>Subject / title</th><th>Body</th><th>Answer</th><th>Provider id</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="8">Nothing yet.</td></tr>'}
</tbody>
</table>
</body>
</html>
`;
}
