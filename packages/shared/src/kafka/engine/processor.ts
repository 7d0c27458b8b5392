import type { IHeaders } from 'kafkajs';
import type { HeraldError } from '../../errors';
import type { OutboundRecord } from '../publisher';

export interface InboundRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
  timestamp: string;
  /** The lane (0 = critical) of the consumer that fetched it; absent outside the engine. */
  lane?: number;
}

/** What a handler decided for one record: the records to produce, and what to do once they are. */
export interface Outcome {
  /** Produced by the engine (acks=all) before the record's offset may be resolved. */
  records: OutboundRecord[];
  /** Runs once the records are acknowledged: metrics and logs of what actually happened. */
  done?: () => void;
}

/**
 * A consumer's decisions (DESIGN.md §3, processing model). Handlers never produce or commit: they
 * return an Outcome, and throw a HeraldError whose disposition says what the engine does next.
 */
export interface RecordProcessor<C = unknown> {
  /**
   * Once per fetched batch, before its records are handled: decode them and load what they need
   * in one round trip (the router's users, say). Throws only when a dependency is unavailable
   * (the engine waits and calls it again); a record it cannot make sense of is left to `handle`.
   */
  prepare?(records: InboundRecord[]): Promise<C>;
  /**
   * For consumers of delay topics: when the record may be handled (epoch ms), or null for at once.
   * The engine never handles a record before it; a partition whose next record is not due within
   * the engine's horizon is paused until shortly before (see engine/holds.ts). Must not throw.
   */
  holdUntil?(record: InboundRecord): number | null;
  /** Decides one record. `context` is what `prepare` returned for its batch. */
  handle(record: InboundRecord, context: C | undefined): Promise<Outcome>;
  /**
   * What a record becomes when handling failed with a `retry` or `park` disposition, or its outcome
   * was refused by Kafka: usually a copy to notify.dlq with failure headers.
   */
  onFailure(record: InboundRecord, err: HeraldError): OutboundRecord[];
}
