import { Command, CommanderError } from 'commander';
import { deadLettersCommand } from './commands/dead-letters';
import { lagCommand, topicsCommand } from './commands/lag';
import { sendCommand } from './commands/send';
import { tailCommand } from './commands/tail';
import { timelineCommand } from './commands/timeline';
import { createContext } from './context';
import type { Context, Io, Outcome } from './context';
import { CliError } from './domain/errors';

/** The `herald` program: global connection flags, then one command per file of commands/. */
export function createProgram(io: Io, outcome: Outcome = { exitCode: 0 }): Command {
  const program = new Command('herald')
    .description(
      "Herald's operator tool: send, follow, tail, dead letters and lag, over the public APIs and Kafka",
    )
    .version('0.1.0')
    .option('--url <url>', 'ingest API (env HERALD_URL; default http://127.0.0.1:8080)')
    .option('--dlq-url <url>', 'dlq admin API (env HERALD_DLQ_URL; default http://127.0.0.1:8086)')
    .option('--key <key>', 'API key (env HERALD_KEY)')
    .option('--brokers <list>', 'Kafka brokers (env KAFKA_BROKERS; default 127.0.0.1:9092)')
    .option('--registry <url>', "schema registry (env SCHEMA_REGISTRY_URL; default the dev stack's)")
    .option('--topic-prefix <prefix>', 'prefix of topic and group names (env TOPIC_PREFIX; default none)')
    .addHelpText(
      'after',
      `
Examples:
  $ export HERALD_KEY=<the key ./dev up printed>
  $ herald send --user ada --template welcome --data '{"name":"Ada"}'
  $ herald timeline <id> --watch
  $ herald tail notify.status
  $ herald dead-letters list --channel sms
  $ herald lag

Exit codes: 0 done, 1 the operation failed (unreachable, refused, not found, rejected items), 2 bad usage.`,
    );
  let context: Context | undefined;
  const ctx = () => (context ??= createContext(program, io, outcome));
  for (const cmd of [
    sendCommand(ctx),
    timelineCommand(ctx),
    tailCommand(ctx),
    deadLettersCommand(ctx),
    lagCommand(ctx),
    topicsCommand(ctx),
  ]) {
    program.addCommand(cmd);
  }
  const configure = (cmd: Command) => {
    cmd
      .exitOverride()
      .showHelpAfterError('(add --help for usage and examples)')
      .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
    cmd.commands.forEach(configure);
  };
  configure(program);
  return program;
}

/**
 * Runs the program on the arguments and returns the exit code: commander's usage errors are 2
 * (they print their own message), a CliError its own code, anything else 1 with its message.
 */
export async function run(argv: string[], io: Io): Promise<number> {
  const outcome: Outcome = { exitCode: 0 };
  const program = createProgram(io, outcome);
  try {
    await program.parseAsync(argv);
    return outcome.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0)
        return 0;
      // `herald` or `herald dead-letters` alone: the help was printed.
      if (err.code === 'commander.help' || err.code === 'commander.executeSubCommandAsync')
        return err.exitCode;
      return 2;
    }
    if (err instanceof CliError) {
      io.stderr.write(`herald: ${err.message}\n`);
      return err.exitCode;
    }
    io.stderr.write(`herald: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
