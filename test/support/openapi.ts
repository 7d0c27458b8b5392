import { compileErrors, validate } from '@readme/openapi-parser';
import type { FastifyInstance, OpenApiDocument } from '@herald/shared';

/** A store or service a test did not expect to be used: any call fails it (`known` members answer). */
export const untouched = <T extends object>(name: string, known: Partial<T> = {}): T =>
  new Proxy(known as T, {
    get: (target, prop) =>
      prop in target
        ? target[prop as keyof T]
        : () => {
            throw new Error(`${name}.${String(prop)} was called`);
          },
  });

/**
 * `METHOD /path/{param}` of every route Fastify serves, read from its own route tree
 * (`printRoutes`: one segment per line, indented four columns per level, methods in parentheses).
 */
export function servedRoutes(app: FastifyInstance): string[] {
  const prefixes: string[] = [];
  const routes: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│ ]*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = (match[1] ?? '').length / 4;
    const path = (prefixes[depth - 1] ?? '') + (match[2] ?? '');
    prefixes[depth] = path;
    for (const method of (match[3] ?? '').split(', ').filter((m) => m && m !== 'HEAD')) {
      routes.push(`${method} ${path.replace(/:(\w+)/g, '{$1}')}`);
    }
  }
  return routes.sort();
}

/** Fails with the validator's own words unless the document is valid OpenAPI; returns its warnings. */
export async function openApiWarnings(document: OpenApiDocument): Promise<unknown[]> {
  const result = await validate(structuredClone(document) as never);
  if (!result.valid) throw new Error(compileErrors(result));
  return result.warnings;
}
