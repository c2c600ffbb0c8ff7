import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import compression from 'compression';
import express, { type RequestHandler, type Response, Router } from 'express';

/** Where `npm start` (scripts/lib/console.mjs) builds the console: web/dist of this repository. */
export const DEFAULT_CONSOLE_DIR = resolve(__dirname, '..', '..', 'web', 'dist');

/** Vite names every file under assets/ by its content hash: safe to keep for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** A host as a browser sends it (name or address, optional port): nothing that could break out of a header. */
const HOST = /^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/i;

/**
 * The console's Content-Security-Policy. No inline script anywhere (the build has none);
 * 'wasm-unsafe-eval' lets the replay player compile its WebAssembly terminal; styles allow inline
 * because xterm.js and the player size their elements with <style> and style attributes.
 * connect-src names the WebSocket origin too (older engines do not count ws: as 'self').
 */
export function consoleCsp(host: string | undefined): string {
  const ws = host && HOST.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${ws}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Paths the console never answers: the API and the document-004 login routes stay the gateway's 404. */
const NOT_CONSOLE = /^\/(api|login|logout|health|healthz|readyz|metrics)(\/|$)/;

/**
 * Serves the production build of web/ at `/`: hashed assets with a year of cache, index.html (no
 * cache) for every client-side route, compressed, under a strict CSP. Mounted after the API
 * routes, so the API always has priority. Without a build, pages answer 503 saying how to build it.
 */
export function serveConsole(dir: string = DEFAULT_CONSOLE_DIR): Router {
  const r = Router();
  const index = join(dir, 'index.html');
  let cached: { mtimeMs: number; html: Buffer } | null = null;
  const indexHtml = (): Buffer | null => {
    try {
      const st = statSync(index);
      if (!cached || cached.mtimeMs !== st.mtimeMs) cached = { mtimeMs: st.mtimeMs, html: readFileSync(index) };
      return cached.html;
    } catch {
      return null;
    }
  };
  const isConsoleRequest: RequestHandler = (req, _res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || NOT_CONSOLE.test(req.path)) return next('router');
    next();
  };
  const csp: RequestHandler = (req, res, next) => {
    res.setHeader('content-security-policy', consoleCsp(req.headers.host));
    next();
  };
  r.use(isConsoleRequest, csp, compression());
  r.use('/assets', express.static(join(dir, 'assets'), {
    index: false, fallthrough: true, immutable: true, maxAge: '365d',
    setHeaders: (res: Response) => { res.setHeader('cache-control', IMMUTABLE); },
  }));
  r.use(express.static(dir, {
    index: false, fallthrough: true,
    setHeaders: (res: Response, path: string) => { res.setHeader('cache-control', path === index ? 'no-cache' : 'public, max-age=3600'); },
  }));
  // Client-side routes: any other page path gets index.html. A missing file (a dot in the last
  // segment) stays a 404.
  r.use((req, res, next) => {
    if (/\.[a-z0-9]+$/i.test(req.path)) return next('router');
    const html = indexHtml();
    if (!html) {
      res.status(503).type('text/plain').setHeader('cache-control', 'no-store');
      res.send(existsSync(dir) ? 'The console build is incomplete: run `npm start` or `npm run build -w web`.\n'
        : 'The console is not built: run `npm start` or `npm run build -w web`.\n');
      return;
    }
    res.status(200).type('html').setHeader('cache-control', 'no-cache');
    res.send(html);
  });
  return r;
}
