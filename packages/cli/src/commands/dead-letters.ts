import { Command } from 'commander';
import { startProgress } from '../adapters/progress';
import { println } from '../context';
import type { Context } from '../context';
import {
  bulkReplayBody,
  formatJob,
  formatLetter,
  formatLetters,
  jobDone,
  listQuery,
} from '../domain/dead-letters';
import type { LetterFilterFlags, LetterSummary, ListFlags, ReplayJob } from '../domain/dead-letters';
import { CliError, usageError } from '../domain/errors';
import { redact } from '../domain/redact';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function filterOptions(cmd: Command): Command {
  return cmd
    .option('--channel <channel>', 'email, sms or push')
    .option('--reason <code>', 'the error code it was parked for (invalid_address, provider_unavailable…)')
    .option('--notification <id>', "a notification's id")
    .option('--since <time>', 'parked at or after this ISO 8601 time')
    .option('--until <time>', 'parked before this ISO 8601 time');
}

function checkId(id: string): string {
  if (!/^\d+$/.test(id))
    throw usageError(`a dead letter id is a number (got "${id}"); herald dead-letters list shows them`);
  return id;
}

function list(ctx: () => Context): Command {
  return filterOptions(new Command('list'))
    .description('dead letters, newest first (GET /v1/dead-letters)')
    .option('--status <status>', 'parked (default), replayed or discarded')
    .option('--limit <n>', 'at most this many (1-500)', '50')
    .option('--before <id>', 'the page after the one that printed this id as its next page')
    .option('--json', 'print the API answer as JSON')
    .option('--show-personal-data', 'do not redact addresses in errors')
    .addHelpText(
      'after',
      `
Examples:
  $ herald dead-letters list
  $ herald dead-letters list --channel sms --reason provider_unavailable --limit 200
  $ herald dead-letters list --status replayed --since 2026-01-31T00:00:00Z`,
    )
    .action(async (flags: ListFlags & { json?: boolean; showPersonalData?: boolean }) => {
      const c = ctx();
      const res = await c
        .dlq()
        .call<{ deadLetters: LetterSummary[]; next: string | null }>(
          'GET',
          `/v1/dead-letters${listQuery(flags)}`,
          { what: 'listing dead letters', scope: 'admin' },
        );
      const body = flags.showPersonalData ? res.body : redact(res.body);
      if (flags.json) return void println(c.io.stdout, JSON.stringify(body));
      println(c.io.stdout, formatLetters(body.deadLetters));
      if (body.next)
        println(c.io.stderr, `more: herald dead-letters list --before ${body.next} (same filters)`);
    });
}

function show(ctx: () => Context): Command {
  return new Command('show')
    .argument('<id>', 'the dead letter id')
    .description('one dead letter: reason, attempts, failures, headers and the decoded payload')
    .option('--json', 'print the API answer as JSON')
    .option('--show-personal-data', 'do not redact the addresses in the payload')
    .addHelpText('after', '\nExample:\n  $ herald dead-letters show 41')
    .action(async (id: string, flags: { json?: boolean; showPersonalData?: boolean }) => {
      const c = ctx();
      const res = await c.dlq().call<Record<string, unknown>>('GET', `/v1/dead-letters/${checkId(id)}`, {
        what: `reading dead letter ${id}`,
        scope: 'admin',
      });
      const body = flags.showPersonalData ? res.body : redact(res.body);
      println(c.io.stdout, flags.json ? JSON.stringify(body) : formatLetter(body));
    });
}

async function replayAll(c: Context, flags: LetterFilterFlags & { interval: string; json?: boolean }) {
  const api = c.dlq();
  const started = await api.call<{ jobId: string; count: number; progressUrl: string }>(
    'POST',
    '/v1/dead-letters/replay',
    {
      what: 'starting a bulk replay',
      scope: 'admin',
      body: bulkReplayBody(flags),
    },
  );
  const { jobId, count, progressUrl } = started.body;
  println(c.io.stderr, `replay job ${jobId}: ${count} parked letter(s) to replay`);
  const progress = startProgress(c.io.stderr, 'replaying', count);
  let job: ReplayJob;
  try {
    for (;;) {
      job = (
        await api.call<ReplayJob>('GET', progressUrl, { what: `reading replay job ${jobId}`, scope: 'admin' })
      ).body;
      progress.update(jobDone(job), job.count);
      if (job.status !== 'running') break;
      await sleep(Number(flags.interval));
    }
  } finally {
    progress.stop();
  }
  println(c.io.stdout, flags.json ? JSON.stringify(job) : formatJob(job));
  if (job.status === 'failed')
    throw new CliError(
      `the replay job failed${job.lastError ? `: ${job.lastError}` : ''}; start a new one to go on`,
    );
  if (job.failed > 0) c.fail();
}

function replay(ctx: () => Context): Command {
  return filterOptions(new Command('replay'))
    .argument('[id]', 'the dead letter to replay')
    .description(
      'replay one dead letter, or with --all every parked letter the filters match (a bulk job, with progress)',
    )
    .option('--all', 'replay every parked letter matching the filters (all of them without filters)')
    .option('--interval <ms>', 'how often --all polls the job', '500')
    .option('--json', 'print the API answer as JSON')
    .addHelpText(
      'after',
      `
The message goes back to the topic it was on, its attempts counted from 1 again. Needs the admin scope.

Examples:
  $ herald dead-letters replay 41
  $ herald dead-letters replay --all --channel sms --reason provider_unavailable
  $ herald dead-letters replay --all          # every parked letter`,
    )
    .action(
      async (
        id: string | undefined,
        flags: LetterFilterFlags & { all?: boolean; interval: string; json?: boolean },
      ) => {
        const c = ctx();
        const filtered = ['channel', 'reason', 'notification', 'since', 'until'].some(
          (k) => flags[k as keyof LetterFilterFlags] !== undefined,
        );
        if (flags.all) {
          if (id !== undefined) throw usageError('give a dead letter id or --all, not both');
          if (!(Number(flags.interval) > 0)) throw usageError('--interval must be a positive number');
          return replayAll(c, flags);
        }
        if (id === undefined)
          throw usageError('give the id of a dead letter, or --all (with filters) for many');
        if (filtered) throw usageError('filters (--channel, --reason, …) go with --all');
        const res = await c
          .dlq()
          .call<LetterSummary & { replayedBy?: string }>('POST', `/v1/dead-letters/${checkId(id)}/replay`, {
            what: `replaying dead letter ${id}`,
            scope: 'admin',
            body: {},
          });
        if (flags.json) return void println(c.io.stdout, JSON.stringify(redact(res.body)));
        const l = res.body;
        println(
          c.io.stdout,
          `replayed dead letter ${l.id}${l.notificationId ? ` (notification ${l.notificationId}` : ' ('}${l.channel ? `, ${l.channel.toLowerCase()}` : ''}) to ${l.targetTopic ?? '?'}`,
        );
      },
    );
}

export function deadLettersCommand(ctx: () => Context): Command {
  return new Command('dead-letters')
    .alias('dlq')
    .description('list, inspect and replay parked messages (the dlq admin API; needs the admin scope)')
    .addCommand(list(ctx))
    .addCommand(show(ctx))
    .addCommand(replay(ctx));
}
