import { isUtf8 } from 'node:buffer';
import { classifyError, readFailureHistory } from '@herald/shared';
import type { Codec, FailureEntry } from '@herald/shared';
import type { StoredDeadLetter } from './adapters/dead-letters';

/** One dead letter as `GET /v1/dead-letters/:id` shows it. */
export type LetterView = Omit<StoredDeadLetter, 'key' | 'payload'> & {
  key: string | null;
  keyEncoding: 'utf8' | 'base64' | null;
  /** The `failures` header read back: the latest failures, the last one last. */
  failures: FailureEntry[];
  /** Decoded with the schema registry; base64 when it cannot be decoded; null when not stored. */
  payload: unknown;
  payloadEncoding: 'avro' | 'base64' | null;
  /** Why the payload is shown as base64. */
  payloadError?: string;
};

async function payloadOf(
  codec: Pick<Codec, 'decode'>,
  payload: Buffer | null,
): Promise<Pick<LetterView, 'payload' | 'payloadEncoding' | 'payloadError'>> {
  if (!payload) return { payload: null, payloadEncoding: null };
  try {
    return { payload: await codec.decode(payload), payloadEncoding: 'avro' };
  } catch (err) {
    const e = classifyError(err);
    return {
      payload: payload.toString('base64'),
      payloadEncoding: 'base64',
      payloadError:
        e.code === 'dependency_unavailable'
          ? 'the schema registry cannot be reached'
          : e.message.slice(0, 200),
    };
  }
}

export async function letterView(
  codec: Pick<Codec, 'decode'>,
  letter: StoredDeadLetter,
): Promise<LetterView> {
  const { key, payload, ...rest } = letter;
  return {
    ...rest,
    key: key === null ? null : isUtf8(key) ? key.toString('utf8') : key.toString('base64'),
    keyEncoding: key === null ? null : isUtf8(key) ? 'utf8' : 'base64',
    failures: readFailureHistory(letter.headers.failures),
    ...(await payloadOf(codec, payload)),
  };
}
