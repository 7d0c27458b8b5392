import { Command } from 'commander';
import { println } from '../context';
import type { Context } from '../context';
import { formatLag } from '../domain/lag';
import { formatTable } from '../domain/table';

export function lagCommand(ctx: () => Context): Command {
  return new Command('lag')
    .description("consumer lag of Herald's groups per topic (committed offsets vs. the topics' ends)")
    .option(
      '-g, --group <name>',
      'only this group, or the groups it starts (herald-router, herald-dispatcher-sms)',
    )
    .option('--json', 'print the rows as JSON')
    .addHelpText(
      'after',
      `
Lists the groups named <TOPIC_PREFIX>herald-… . The delay tiers (herald-dlq-delay-*) hold records
until due: their lag is by design, not a backlog.

Examples:
  $ herald lag
  $ herald lag --group herald-router`,
    )
    .action(async (flags: { group?: string; json?: boolean }) => {
      const c = ctx();
      const kafka = await c.kafka();
      try {
        const { rows, groups } = await kafka.lag(c.config().topicPrefix, flags.group);
        if (flags.json) return void println(c.io.stdout, JSON.stringify({ groups, rows }));
        if (groups.length === 0 && flags.group) {
          println(c.io.stdout, `no Herald consumer group matches ${flags.group}`);
          c.fail();
          return;
        }
        println(c.io.stdout, formatLag(rows, groups));
      } finally {
        await kafka.close();
      }
    });
}

export function topicsCommand(ctx: () => Context): Command {
  return new Command('topics')
    .description("Herald's topics (<TOPIC_PREFIX>notify.*) with partitions and records held")
    .addHelpText('after', '\nExample:\n  $ herald topics')
    .action(async () => {
      const c = ctx();
      const kafka = await c.kafka();
      try {
        const topics = await kafka.topics(c.config().topicPrefix);
        if (topics.length === 0) {
          println(c.io.stdout, 'no Herald topics: has provisioning run (./dev up)? Is TOPIC_PREFIX right?');
          c.fail();
          return;
        }
        println(
          c.io.stdout,
          formatTable(
            [
              { header: 'TOPIC', value: (t: (typeof topics)[number]) => t.topic },
              { header: 'PARTITIONS', value: (t) => t.partitions, align: 'right' },
              { header: 'RECORDS', value: (t) => t.records, align: 'right' },
            ],
            topics,
          ),
        );
      } finally {
        await kafka.close();
      }
    });
}
