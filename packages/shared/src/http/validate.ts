import type { z } from 'zod';
import { HeraldError } from '../errors';

/** Parses a request part with a zod schema; a failure is a 400 naming the first bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, part = 'body'): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : part;
  const message = issue ? `${field}: ${issue.message}` : `invalid ${part}`;
  throw new HeraldError('validation_failed', message, { field });
}
