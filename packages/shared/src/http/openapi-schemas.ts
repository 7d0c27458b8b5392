import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

const DEFS = '#/$defs/';
const COMPONENTS = '#/components/schemas/';

/** `$ref`s to `#/$defs/X` (where zod puts schemas with an `id`) pointed at the document's components. */
function toComponentRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toComponentRefs);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      k === '$ref' && typeof v === 'string' && v.startsWith(DEFS)
        ? `${COMPONENTS}${v.slice(DEFS.length)}`
        : toComponentRefs(v),
    ]),
  );
}

/**
 * Zod schemas as the JSON Schema (2020-12, OpenAPI 3.1's dialect) of a document. A schema given an
 * `id` with `.meta({ id })` becomes a component, referenced wherever it is used; an id that comes
 * out two ways (a request and an answer that differ) is an error, not a silent overwrite.
 */
export class SchemaConverter {
  private readonly defs = new Map<string, { json: JsonSchema; text: string }>();

  convert(
    schema: z.ZodType,
    io: 'input' | 'output',
    documentAs: readonly (readonly [z.ZodType, z.ZodType])[] = [],
  ): JsonSchema {
    const as = new Map<unknown, z.ZodType>(documentAs);
    const generated = z.toJSONSchema(schema, {
      io,
      target: 'draft-2020-12',
      // Transforms, refinements and the like: what they check is said in descriptions instead.
      unrepresentable: 'any',
      override: (ctx) => {
        const target = as.get(ctx.zodSchema);
        if (!target) return;
        const replacement = this.convert(target, io, documentAs);
        for (const key of Object.keys(ctx.jsonSchema)) delete (ctx.jsonSchema as JsonSchema)[key];
        Object.assign(ctx.jsonSchema, replacement);
      },
    }) as JsonSchema;
    // The dialect is the document's (OpenAPI 3.1: 2020-12), not each schema's.
    delete generated.$schema;
    const { $defs, ...rest } = generated;
    for (const [id, def] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>)) {
      this.addComponent(id, toComponentRefs(def) as JsonSchema);
    }
    return toComponentRefs(rest) as JsonSchema;
  }

  components(): Record<string, JsonSchema> {
    return Object.fromEntries(
      [...this.defs].sort(([a], [b]) => a.localeCompare(b)).map(([id, d]) => [id, d.json]),
    );
  }

  private addComponent(id: string, json: JsonSchema): void {
    const text = JSON.stringify(json);
    const known = this.defs.get(id);
    if (known && known.text !== text) {
      throw new Error(
        `schema ${id} is documented two ways (as a request and as an answer?): give each its own id`,
      );
    }
    this.defs.set(id, { json, text });
  }
}
