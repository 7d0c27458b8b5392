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

/** The inbox page: what the fake providers received, newest first. Refreshes itself every 3 s. */
export function renderInbox(messages: readonly SandboxMessage[], faults: readonly FaultSpec[]): string {
  const rows = [...messages].reverse().map(row).join('\n');
  const faultList = faults.length
    ? `<p>Faults: ${faults.map((f) => `<code>${escapeHtml(JSON.stringify(f))}</code>`).join(' ')}</p>`
    : '';
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
${faultList}
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
