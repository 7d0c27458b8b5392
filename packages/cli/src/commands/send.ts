import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { startProgress } from '../adapters/progress';
import { println } from '../context';
import type { Context } from '../context';
import { chunkKeys, emptyTally, formatTally, tallyChunk } from '../domain/batch';
import { CliError, usageError } from '../domain/errors';
import { chunks, parseNdjson } from '../domain/ndjson';
import { CHANNEL_NAMES, PRIORITY_NAMES, notificationFromFlags } from '../domain/send';
import { sendChunk } from './send-batch';
import type { SendFlags } from '../domain/send';

interface Flags extends SendFlags {
  dataFile?: string;
  idempotencyKey?: string;
  file?: string;
  chunkSize: string;
  newKeys?: boolean;
  json?: boolean;
}

const MAX_CHUNK = 1000;
const TRIES = 5;

async function readText(path: string, what: string): Promise<string> {
  try {
    return path === '-' ? await readStdin() : await readFile(path, 'utf8');
  } catch (e) {
    throw usageError(
      `cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}

async function readStdin(): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of process.stdin) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

async function sendOne(ctx: Context, flags: Flags): Promise<void> {
  if (flags.newKeys)
    throw usageError('--new-keys goes with --file (one notification takes --idempotency-key)');
  if (flags.data !== undefined && flags.dataFile !== undefined)
    throw usageError('give --data or --data-file, not both');
  const data = flags.dataFile !== undefined ? await readText(flags.dataFile, '--data-file') : flags.data;
  const body = notificationFromFlags({ ...flags, ...(data !== undefined ? { data } : {}) });
  const res = await ctx.ingest().call<{ id: string; status: string }>('POST', '/v1/notifications', {
    what: 'sending the notification',
    scope: 'send',
    body,
    headers: flags.idempotencyKey ? { 'idempotency-key': flags.idempotencyKey } : {},
  });
  if (flags.json) println(ctx.io.stdout, JSON.stringify(res.body));
  else println(ctx.io.stdout, res.body.id);
  if (res.headers.get('idempotent-replayed') === 'true') {
    println(
      ctx.io.stderr,
      'note: answered from an earlier request with this idempotency key; nothing new was sent',
    );
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function sendFile(ctx: Context, flags: Flags): Promise<void> {
  const single = [
    'user',
    'template',
    'category',
    'priority',
    'channels',
    'data',
    'dataFile',
    'idempotencyKey',
  ] as const;
  const clash = single.filter((k) => flags[k] !== undefined);
  if (clash.length > 0)
    throw usageError(
      `--file takes each notification from its lines; drop --${clash.join(', --').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
    );
  const size = Number(flags.chunkSize);
  if (!Number.isInteger(size) || size < 1 || size > MAX_CHUNK)
    throw usageError(`--chunk-size must be 1 to ${MAX_CHUNK}`);
  const path = flags.file ?? '-';
  const text = await readText(path, 'file');
  const { items, problems } = parseNdjson(text);
  if (problems.length > 0) {
    const shown = problems.slice(0, 20).map((p) => `  line ${p.line}: ${p.message}`);
    if (problems.length > 20) shown.push(`  … and ${problems.length - 20} more`);
    throw usageError(`${path}: ${problems.length} bad line(s); nothing was sent:\n${shown.join('\n')}`);
  }
  if (items.length === 0) throw usageError(`${path} holds no notifications`);

  const api = ctx.ingest();
  const tally = emptyTally();
  const keyOf = chunkKeys(text, size, flags.newKeys ?? false);
  const progress = startProgress(ctx.io.stderr, 'sending', items.length);
  try {
    for (const [i, chunk] of chunks(items, size).entries()) {
      const what = `sending lines ${chunk[0]?.line}-${chunk.at(-1)?.line}`;
      const results = await sendChunk(
        api,
        { notifications: chunk.map((c) => c.value), key: keyOf(i), what },
        { tries: TRIES, sleep },
      ).catch((err: unknown) => {
        const sent = tally.accepted.length + tally.rejected.length;
        throw new CliError(
          `${(err as Error).message}; stopped after ${sent} of ${items.length} lines ` +
            `(${tally.accepted.length} accepted). Sending the same file again resends nothing ` +
            'that was accepted (the same idempotency keys, for 24 h).',
        );
      });
      tallyChunk(tally, chunk, results);
      progress.update(tally.accepted.length + tally.rejected.length);
    }
  } finally {
    progress.stop();
  }
  if (flags.json) {
    println(ctx.io.stdout, JSON.stringify({ accepted: tally.accepted, rejected: tally.rejected }));
  } else {
    println(ctx.io.stdout, formatTally(tally, items.length));
  }
  if (tally.rejected.length > 0) ctx.fail();
}

export function sendCommand(ctx: () => Context): Command {
  return new Command('send')
    .description(
      'send one notification (POST /v1/notifications), or many from an NDJSON file (batches of up to 1000)',
    )
    .option('-u, --user <id>', 'the recipient user id')
    .option('-t, --template <id>', 'template id (default: generic)')
    .option('-c, --category <name>', 'category (default: general)')
    .option('-p, --priority <priority>', `priority lane: ${PRIORITY_NAMES.join(', ')} (default: normal)`)
    .option('--channels <list>', `comma-separated channels (${CHANNEL_NAMES.join(', ')}); default: by rules`)
    .option('-d, --data <json>', 'template variables as a JSON object')
    .option('--data-file <path>', 'template variables from a JSON file')
    .option(
      '--idempotency-key <key>',
      'Idempotency-Key header: a retry with the same key sends nothing twice',
    )
    .option('--dedup-key <key>', 'dedupKey: requests sharing it within the dedup window are sent once')
    .option('--send-at <time>', 'ISO 8601 time to send at (scheduled)')
    .option('--expires-at <time>', 'ISO 8601 time after which it is not sent')
    .option('--locale <locale>', "locale (default: the user's)")
    .option('--tags <list>', 'comma-separated tags routing rules match on')
    .option('-f, --file <path>', 'send every line of an NDJSON file (one POST body per line; - for stdin)')
    .option('--chunk-size <n>', 'notifications per batch request with --file (at most 1000)', '1000')
    .option(
      '--new-keys',
      'with --file: fresh idempotency keys, to send a file again that was sent within 24 h',
    )
    .option('--json', 'print the API answer as JSON')
    .addHelpText(
      'after',
      `
Prints the notification's id (with --file: a summary; exit code 1 if any line was rejected).

With --file, each batch's Idempotency-Key comes from a hash of the file's content, the chunk size
and the batch's index. A batch is retried with its key on 409, 503 and when no answer came, and
running the same file again within 24 h resends nothing that was accepted (--new-keys to send it
again on purpose).

Examples:
  $ herald send --user ada --template welcome --category account --priority high --data '{"name":"Ada"}'
  $ herald send -u ada --channels email,push -d '{"title":"Hi","body":"Hello"}' --idempotency-key order-42
  $ herald send --file notifications.ndjson       # progress on stderr, summary on stdout
  $ herald send --file notifications.ndjson --new-keys   # the same file, sent a second time`,
    )
    .action(async (flags: Flags) => {
      if (flags.file !== undefined) await sendFile(ctx(), flags);
      else await sendOne(ctx(), flags);
    });
}
