import { classifyError } from '@herald/shared';
import type { InboundRecord, Publisher, RecordProcessor } from '@herald/shared';

/**
 * What the engine does with one record, without a consumer: prepare its batch, decide, and produce
 * the outcome, or the failure path's records. A `wait` error is thrown, as the engine would retry.
 */
export async function processOnce<C>(
  processor: RecordProcessor<C>,
  publisher: Publisher,
  record: InboundRecord,
): Promise<void> {
  const context = processor.prepare ? await processor.prepare([record]) : undefined;
  try {
    const outcome = await processor.handle(record, context);
    await publisher.publish(outcome.records);
    outcome.done?.();
  } catch (e) {
    const err = classifyError(e);
    if (err.disposition === 'wait') throw err;
    await publisher.publish(processor.onFailure(record, err));
  }
}
