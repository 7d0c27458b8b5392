/** The pages a person sees at an unsubscribe link: a question (never a GET that unsubscribes), then the answer. */
export type UnsubscribeState = { ask: string } | { done: string } | { invalid: string };

const escape = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const WHY: Record<string, string> = {
  expired: 'This unsubscribe link has expired.',
  bad_signature: 'This unsubscribe link is not valid.',
  malformed: 'This unsubscribe link is not valid.',
};

export function unsubscribePage(state: UnsubscribeState): string {
  let body: string;
  if ('ask' in state) {
    // Link scanners fetch every URL in a message: only the button's POST unsubscribes.
    body = `<h1>Unsubscribe</h1>
<p>Stop receiving <strong>${escape(state.ask)}</strong> emails?</p>
<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe</button></form>`;
  } else if ('done' in state) {
    body = `<h1>You are unsubscribed</h1>
<p>You will no longer receive <strong>${escape(state.done)}</strong> emails. Messages you must get (security, legal) still come.</p>`;
  } else {
    body = `<h1>Unsubscribe</h1><p>${escape(WHY[state.invalid] ?? 'This unsubscribe link is not valid.')}</p>
<p>Use the link in a more recent message, or change your preferences in the app.</p>`;
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Unsubscribe</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}
button{font:inherit;padding:.5rem 1.25rem;border:0;border-radius:.375rem;background:#1f6feb;color:#fff;cursor:pointer}</style>
</head><body>${body}</body></html>`;
}
