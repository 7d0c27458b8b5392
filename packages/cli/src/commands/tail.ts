import { Command } from 'commander';
import { println } from '../context';
import type { Context } from '../context';
import { usageError } from '../domain/errors';
import { formatRecord, resolveTopic } from '../domain/tail';
import type { ShownRecord } from '../domain/tail';

interface Flags {
  fromBeginning?: boolean;
  max?: string;
  json?: boolean;
  showPersonalData?: boolean;
}

export function tailCommand(ctx: () => Context): Command {
  return new Command('tail')
    .argument(
      '<topics...>',
      'topics: notify.status, status, priority.high, channel.email.normal, dlq, parked, delay.5s, or full names',
    )
    .description('print the records of topics as they arrive, decoded through the schema registry')
    .option('--from-beginning', 'start at the oldest record instead of the newest')
    .option('-n, --max <n>', 'stop after this many records')
    .option('--json', 'one JSON object per record (topic, partition, offset, timestamp, key, headers, value)')
    .option('--show-personal-data', 'do not redact emails, phone numbers and device tokens')
    .addHelpText(
      'after',
      `
Reads with a throwaway consumer group that commits nothing (the services' groups are untouched).
Topic names get TOPIC_PREFIX (--topic-prefix) unless they already carry it. Ctrl-C stops.

Examples:
  $ herald tail notify.status
  $ herald tail priority.critical priority.high --from-beginning --max 10
  $ herald tail parked --from-beginning --json | jq .headers`,
    )
    .action(async (names: string[], flags: Flags) => {
      const c = ctx();
      let max = Infinity;
      if (flags.max !== undefined) {
        max = Number(flags.max);
        if (!Number.isInteger(max) || max < 1) throw usageError('--max must be a positive whole number');
      }
      const topics = [...new Set(names.map((n) => resolveTopic(n, c.config().topicPrefix)))];
      const kafka = await c.kafka();
      let seen = 0;
      const tail = kafka.tail(topics, {
        fromBeginning: flags.fromBeginning ?? false,
        onReady: () =>
          println(
            c.io.stderr,
            `tailing ${topics.join(', ')} from the ${flags.fromBeginning ? 'beginning' : 'end'}${max < Infinity ? ` (at most ${max})` : ''}; Ctrl-C stops`,
          ),
        onRecord: async (r) => {
          if (seen >= max) return false;
          seen++;
          const shown: ShownRecord = {
            topic: r.topic,
            partition: r.partition,
            offset: r.offset,
            timestamp: r.timestamp,
            key: r.key === null ? null : r.key.toString('utf8'),
            headers: r.headers,
            value: null,
          };
          try {
            shown.value = await kafka.codec.decode(r.value);
          } catch (err) {
            shown.undecodable = (err as Error).message;
            shown.value = r.value === null ? null : r.value.toString('base64');
          }
          println(
            c.io.stdout,
            formatRecord(shown, {
              json: flags.json ?? false,
              showPersonalData: flags.showPersonalData ?? false,
            }),
          );
          return seen < max;
        },
      });
      c.onInterrupt(tail.stop);
      try {
        await tail.done;
      } finally {
        await tail.stop();
        await kafka.close();
      }
    });
}
