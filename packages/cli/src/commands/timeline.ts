import { Command } from 'commander';
import { println } from '../context';
import type { Context } from '../context';
import { CliError } from '../domain/errors';
import { redact } from '../domain/redact';
import { formatTimeline, isSettled } from '../domain/timeline';
import type { NotificationView } from '../domain/timeline';

interface Flags {
  watch?: boolean;
  interval: string;
  timeout: string;
  json?: boolean;
  showPersonalData?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function timelineCommand(ctx: () => Context): Command {
  return new Command('timeline')
    .argument('<notificationId>', 'the id `herald send` printed')
    .description("a notification's status and its timeline per channel (GET /v1/notifications/:id)")
    .option('-w, --watch', 'poll until every channel has ended (sent, suppressed, expired, parked…)')
    .option('--interval <ms>', 'poll interval with --watch', '1000')
    .option('--timeout <s>', 'give up watching after this many seconds', '300')
    .option('--json', 'print the API answer as JSON')
    .option('--show-personal-data', 'do not redact addresses in the output')
    .addHelpText(
      'after',
      `
Examples:
  $ herald timeline 0b8f2d52-6c1e-4e0f-9f7a-2b1d3c4e5f60
  $ herald timeline 0b8f2d52-6c1e-4e0f-9f7a-2b1d3c4e5f60 --watch
  $ herald timeline 0b8f2d52-6c1e-4e0f-9f7a-2b1d3c4e5f60 --json | jq .channels.email.status`,
    )
    .action(async (id: string, flags: Flags) => {
      const c = ctx();
      const interval = Number(flags.interval);
      const deadline = Date.now() + Number(flags.timeout) * 1000;
      if (!(interval > 0) || !(Number(flags.timeout) > 0))
        throw new CliError('--interval and --timeout must be positive numbers', 2);
      const api = c.ingest();
      const show = (view: NotificationView) => {
        // Its keys name channels (`email`), not addresses: only what looks like an address is censored.
        const shown = flags.showPersonalData ? view : redact(view, { byKey: false });
        return flags.json ? JSON.stringify(shown) : formatTimeline(shown);
      };
      let last = '';
      for (;;) {
        const res = await api.call<NotificationView>('GET', `/v1/notifications/${encodeURIComponent(id)}`, {
          what: `reading notification ${id}`,
          scope: 'send',
          // Right after the 202 the view may not be projected yet: --watch waits for it.
          accept: flags.watch ? [404] : [],
        });
        if (res.status === 200) {
          const text = show(res.body);
          if (text !== last) {
            if (flags.watch && !flags.json && last !== '') {
              println(c.io.stdout, c.io.stdout.isTTY ? '\x1b[2J\x1b[H' : '---');
            }
            println(c.io.stdout, text);
            last = text;
          }
          if (!flags.watch || isSettled(res.body.status)) return;
        }
        if (Date.now() > deadline) {
          throw new CliError(
            res.status === 404
              ? `notification ${id} not found after ${flags.timeout}s`
              : `notification ${id} still ${res.body.status} after ${flags.timeout}s`,
          );
        }
        await sleep(interval);
      }
    });
}
