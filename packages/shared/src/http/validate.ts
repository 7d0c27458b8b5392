import type { z } from 'zod';
import { HeraldError } from '../errors';

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let v = input;
  for (const k of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

function reason(issue: z.core.$ZodIssue, input: unknown): string {
  if (issue.code === 'unrecognized_keys') return 'unknown field';
  if (issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined) return 'required';
  return issue.message;
}

/** Parses a request part with a zod schema; a failure is a 400 naming the first bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, part = 'body'): z.infer<S> {
  if (input === undefined && part === 'body') {
    throw new HeraldError('validation_failed', 'body: required (send a JSON object)', { field: 'body' });
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw new HeraldError('validation_failed', `invalid ${part}`, { field: part });
  // An unknown key is named itself: `{"userId":…,"colour":1}` is about `colour`, not the body.
  const path =
    issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined
      ? [...issue.path, issue.keys[0]]
      : issue.path;
  const field = path.length > 0 ? path.join('.') : part;
  throw new HeraldError('validation_failed', `${field}: ${reason(issue, input)}`, { field });
}
