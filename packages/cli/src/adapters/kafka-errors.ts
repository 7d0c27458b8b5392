/**
 * Whether a kafkajs error says the topic does not exist (UNKNOWN_TOPIC_OR_PARTITION), looking
 * through the errors it wraps: after its retries kafkajs throws KafkaJSNumberOfRetriesExceeded
 * with the broker's error as `cause`.
 */
export function isUnknownTopic(err: unknown): boolean {
  for (let e = err, depth = 0; e !== null && typeof e === 'object' && depth < 5; depth++) {
    const { type, cause, originalError } = e as { type?: unknown; cause?: unknown; originalError?: unknown };
    if (type === 'UNKNOWN_TOPIC_OR_PARTITION') return true;
    e = cause ?? originalError;
  }
  return false;
}
