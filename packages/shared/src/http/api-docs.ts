import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { HeraldError } from '../errors';
import type { RegisteredRoute } from './api-route';
import { buildOpenApiDocument } from './openapi';
import type { ApiInfo, OpenApiDocument } from './openapi';

export const OPENAPI_PATH = '/openapi.json';
export const DOCS_PATH = '/docs';

/** The Swagger UI files the page loads, from swagger-ui-dist's directory: no CDN. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};
const INIT_SCRIPT = 'docs.js';

/**
 * The page loads only what this server serves and fetches nothing else (no validator, no fonts
 * from elsewhere). Swagger UI sets styles inline. No `upgrade-insecure-requests`: Herald is often
 * reached over plain HTTP, inside a cluster or on a laptop.
 */
const CSP =
  "default-src 'self'; base-uri 'self'; frame-ancestors 'self'; img-src 'self' data:; " +
  "object-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; form-action 'self'";

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** Relative URLs: the page works at /docs, and behind a proxy that serves Herald under a prefix. */
function page(title: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="docs/static/swagger-ui.css">
<link rel="icon" type="image/png" href="docs/static/favicon-32x32.png">
</head><body><div id="swagger-ui"></div>
<script src="docs/static/swagger-ui-bundle.js"></script>
<script src="docs/static/${INIT_SCRIPT}"></script>
</body></html>`;
}

const INIT = `window.ui = SwaggerUIBundle({
  url: new URL('openapi.json', document.baseURI).href,
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  docExpansion: 'list',
  defaultModelsExpandDepth: 0,
  persistAuthorization: false,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
`;

const cache = new Map<string, Promise<Buffer>>();
/** Read once per process, when first asked for: most processes never serve the page. */
function asset(dir: string, file: string): Promise<Buffer> {
  const path = join(dir, file);
  let content = cache.get(path);
  if (!content) {
    content = readFile(path);
    content.catch(() => cache.delete(path));
    cache.set(path, content);
  }
  return content;
}

const send = (reply: FastifyReply, type: string, body: string | Buffer, maxAge: number) =>
  reply
    .type(type)
    .header('cache-control', maxAge > 0 ? `public, max-age=${maxAge}` : 'no-cache')
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .send(body);

export interface ApiDocsAssets {
  /**
   * swagger-ui-dist's directory (`dirname(require.resolve('swagger-ui-dist/package.json'))`),
   * resolved by the service that serves the page: only those services depend on the package, so
   * the others' images do not ship it.
   */
  swaggerUiDir: string;
}

/**
 * `GET /openapi.json` (the document) and `GET /docs` (Swagger UI over it, its files under
 * `/docs/static/`, read from `assets.swaggerUiDir`), without an API key. Register after every
 * route: the document is built once, when this plugin loads, from the routes `collectApiRoutes`
 * recorded, and a route under `info.documentedPrefix` without a spec fails the app's start.
 */
export function registerApiDocs(
  app: FastifyInstance,
  routes: RegisteredRoute[],
  info: ApiInfo,
  assets: ApiDocsAssets,
): void {
  void app.register((docs, _opts, done) => {
    let document: OpenApiDocument;
    try {
      document = buildOpenApiDocument(routes, info);
    } catch (err) {
      // Passed to done, so the app's start fails with this message (a throw here would hang it).
      done(err as Error);
      return;
    }
    const html = page(info.title);
    docs.get(OPENAPI_PATH, (_request, reply) => reply.header('cache-control', 'no-cache').send(document));
    docs.get(DOCS_PATH, (_request, reply) => send(reply, 'text/html; charset=utf-8', html, 0));
    docs.get<{ Params: { file: string } }>(`${DOCS_PATH}/static/:file`, async (request, reply) => {
      const { file } = request.params;
      if (file === INIT_SCRIPT) return send(reply, 'application/javascript; charset=utf-8', INIT, 0);
      const type = Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined;
      if (!type) throw new HeraldError('not_found', `no file ${file.slice(0, 100)} in the docs page`);
      return send(reply, type, await asset(assets.swaggerUiDir, file), 3600);
    });
    done();
  });
}
