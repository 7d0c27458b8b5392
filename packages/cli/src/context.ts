import type { Command } from 'commander';
import { createApi } from './adapters/http';
import type { Api } from './adapters/http';
import { openKafka } from './adapters/kafka';
import type { KafkaAccess } from './adapters/kafka';
import { resolveConfig } from './config';
import type { CliConfig, GlobalFlags } from './config';

export interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/** What one run of the program ends with: a command records a failure here instead of throwing. */
export interface Outcome {
  exitCode: number;
}

/** What a command reaches Herald through, built on first use from the global flags and the env. */
export interface Context {
  io: Io;
  /**
   * The run fails (exit code 1) once the command has printed its output: some items of a file
   * rejected, nothing matched. Kept per run, so the program can run again in the same process.
   */
  fail(): void;
  config(): CliConfig;
  ingest(): Api;
  dlq(): Api;
  kafka(): Promise<KafkaAccess>;
  /** Runs the given cleanup when the process is told to stop (Ctrl-C), once. */
  onInterrupt(cleanup: () => Promise<void>): void;
}

export function createContext(program: Command, io: Io, outcome: Outcome): Context {
  let config: CliConfig | undefined;
  const get = () => (config ??= resolveConfig(program.opts<GlobalFlags>()));
  return {
    io,
    fail: () => {
      outcome.exitCode = 1;
    },
    config: get,
    ingest: () =>
      createApi({ name: 'ingest', baseUrl: get().ingestUrl, key: get().key, setBy: 'HERALD_URL or --url' }),
    dlq: () =>
      createApi({ name: 'dlq', baseUrl: get().dlqUrl, key: get().key, setBy: 'HERALD_DLQ_URL or --dlq-url' }),
    kafka: () => openKafka({ brokers: get().brokers, registryUrl: get().registryUrl }),
    onInterrupt(cleanup) {
      const handler = () => {
        process.off('SIGINT', handler);
        process.off('SIGTERM', handler);
        void cleanup();
      };
      process.once('SIGINT', handler);
      process.once('SIGTERM', handler);
    },
  };
}

/** Writes a line to a stream. */
export const println = (stream: NodeJS.WritableStream, text: string) => stream.write(`${text}\n`);
