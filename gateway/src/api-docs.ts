import { dirname } from 'node:path';
import compression from 'compression';
import express, { type Response, Router } from 'express';
import { buildOpenApiDocument, type OpenApiDocument } from './openapi';

/**
 * The API's description, public: `/api/openapi.json` (OpenAPI 3.1, generated from the route table
 * and the endpoint catalogue) and `/api/docs`, Swagger UI served from the swagger-ui-dist package.
 * The page holds no inline script (its initializer is /api/docs/init.js), so it runs under a CSP
 * with `script-src 'self'`.
 */
export const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // Swagger UI sizes and colours elements with style attributes.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>WebXTerm API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
<link rel="icon" type="image/png" href="/api/docs/assets/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body>
</html>
`;

const INIT_JS = `// Starts Swagger UI on the gateway's own description (a file, so the page needs no inline script).
window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger-ui', deepLinking: true, validatorUrl: null });
});
`;

/** Files of swagger-ui-dist the page loads; nothing else of the package is served. */
const ASSETS = new Set(['swagger-ui.css', 'swagger-ui.css.map', 'swagger-ui-bundle.js', 'swagger-ui-bundle.js.map', 'favicon-32x32.png', 'favicon-16x16.png']);

function swaggerUiDir(): string {
  return dirname(require.resolve('swagger-ui-dist/package.json'));
}

export function serveApiDocs(doc: OpenApiDocument = buildOpenApiDocument()): Router {
  const r = Router();
  const json = JSON.stringify(doc);
  const page = (res: Response, type: string, body: string) => {
    res.setHeader('content-security-policy', DOCS_CSP);
    res.setHeader('cache-control', 'no-cache');
    res.type(type).send(body);
  };
  r.use(['/api/openapi.json', '/api/docs'], compression());
  r.get('/api/openapi.json', (_req, res) => { res.setHeader('cache-control', 'no-cache'); res.type('application/json').send(json); });
  r.get(['/api/docs', '/api/docs/'], (_req, res) => page(res, 'html', PAGE));
  r.get('/api/docs/init.js', (_req, res) => page(res, 'application/javascript', INIT_JS));
  const assets = express.static(swaggerUiDir(), { index: false, fallthrough: false, maxAge: '1d' });
  r.use('/api/docs/assets', (req, res, next) => {
    if (!ASSETS.has(req.path.slice(1))) { res.status(404).json({ error: 'Not found' }); return; }
    res.setHeader('content-security-policy', DOCS_CSP);
    assets(req, res, next);
  });
  return r;
}
