import { randomUUID } from 'node:crypto';
import { startStack, waitFor } from '@herald/test-support';
import type { Stack } from '@herald/test-support';

/**
 * Email failover (issue 10): with an SMTP server configured, an open SendGrid circuit sends mail
 * over SMTP (nodemailer) instead of deferring it; once SendGrid is back and its cool-down is over,
 * a trial send closes its circuit and SendGrid takes the mail again. Off unless `SMTP_URL` is set
 * (the other e2e stacks have none, and defer instead).
 */
let stack: Stack;

beforeAll(async () => {
  stack = await startStack('failover', ['ingest', 'router', 'dispatcher-email', 'dlq'], {
    smtp: true,
    env: {
      CIRCUIT_FAILURE_THRESHOLD: '2',
      CIRCUIT_COOLDOWN_MS: '3000',
      CIRCUIT_HALF_OPEN_TRIALS: '1',
      CIRCUIT_SUCCESS_THRESHOLD: '1',
      RETRY_BASE_MS: '300',
      RETRY_CAP_MS: '1000',
    },
  });
}, 180_000);
afterAll(async () => {
  await stack?.stop();
});

async function sendTo(category = 'newsletter'): Promise<{ id: string; email: string }> {
  const user = `f-${randomUUID().slice(0, 8)}`;
  const email = `${user}@example.com`;
  expect((await stack.api('PUT', `/v1/users/${user}`, { email, timezone: 'UTC' })).status).toBe(201);
  const res = await stack.api('POST', '/v1/notifications', {
    userId: user,
    category,
    channels: ['email'],
    data: { title: 'Hello', body: `body ${randomUUID()}` },
  });
  expect(res.status).toBe(202);
  return { id: res.body.id as string, email };
}

const sentVia = (email: string) =>
  waitFor(
    `the mail to ${email}`,
    () => stack.sandbox.store.list({ to: email }).find((m) => m.accepted),
    60_000,
  );

it('sends over SMTP while SendGrid is down, the same message, then goes back to SendGrid', async () => {
  stack.sandbox.faults.set({ provider: 'sendgrid', outage: true, status: 503, errorRate: 0, latencyMs: 0 });
  let down: { id: string; email: string }[];
  try {
    // Two failures open SendGrid's circuit; they are retried, and go over SMTP too.
    down = await Promise.all(Array.from({ length: 6 }, () => sendTo()));
    const mails = await Promise.all(down.map((d) => sentVia(d.email)));
    expect(mails.map((m) => m.provider)).toEqual(Array(6).fill('smtp'));
    const [mail] = mails;
    expect(mail).toEqual(
      expect.objectContaining({ from: 'notifications@herald.test', subject: 'Hello', accepted: true }),
    );
    expect(mail?.headers?.['X-Herald-Notification-ID']).toBe(down[0]?.id);
    expect(mail?.headers?.['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    // Each exactly once, whichever way it went.
    for (const d of down)
      expect(stack.sandbox.store.list({ to: d.email }).filter((m) => m.accepted)).toHaveLength(1);
  } finally {
    stack.sandbox.faults.clear();
  }
  const view = (await stack.api('GET', `/v1/notifications/${down[0]?.id}`)).body as {
    channels: { email?: { status: string; timeline: { status: string; providerMessageId?: string }[] } };
  };
  expect(view.channels.email?.status).toBe('sent');

  // SendGrid is back: after the cool-down, a trial closes its circuit and SendGrid sends again.
  await new Promise((r) => setTimeout(r, 3500));
  const after = await sendTo();
  expect((await sentVia(after.email)).provider).toBe('sendgrid');
});
