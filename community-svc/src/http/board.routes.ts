import { Router, type Request, type Response } from 'express';
import { AccessTokenVerifier, OBJECT_ID, parseInput } from '@webxterm/kit';
import type { BoardService, Caller } from '../domain/board.service';
import { FixNotFound, ImageNotFound, IssueNotFound } from '../domain/community.errors';
import { EXTENSION } from '../domain/image-format';
import { CreateFix, CreateIssue, ListIssues, Paging, UpdateIssue } from './inputs';
import { presentFix, presentImage, presentIssue } from './presenters';
import { readUpload } from './upload-body';

export interface BoardRoutesDeps { verifier: AccessTokenVerifier; board: BoardService; uploadMaxBytes: number }

/** /api/community/*: issues, fixes, likes, the accepted fix, and image uploads (document 000, Community). */
export function boardRoutes({ verifier, board, uploadMaxBytes }: BoardRoutesDeps): Router {
  const r = Router();
  const caller = (req: Request): Promise<Caller> => verifier.verifyRequest(req);
  /** An id that cannot exist is simply not found (after the token check: 401 comes first). */
  const id = (req: Request, name: string, notFound: () => Error): string => {
    const v = req.params[name];
    if (typeof v !== 'string' || !OBJECT_ID.test(v)) throw notFound();
    return v;
  };

  r.get('/api/community/issues', async (req, res) => {
    const c = await caller(req);
    const p = parseInput(ListIssues, req.query);
    const tags = [...new Set([...(p.tag ?? []), ...(p.tags ?? [])])];
    const authorId = p.mine === 'true' ? c.user_id : p.author_id;
    const page = await board.listIssues(c, {
      q: p.q || undefined, status: p.status, tags, authorId, sort: p.sort, limit: p.limit, offset: (p.page - 1) * p.limit,
    });
    res.json({ issues: page.items.map(presentIssue), total: page.total, page: p.page, limit: p.limit });
  });
  r.post('/api/community/issues', async (req, res) => {
    const c = await caller(req);
    const body = parseInput(CreateIssue, req.body);
    res.status(201).json(presentIssue(await board.createIssue(c, body)));
  });
  r.get('/api/community/issues/:id', async (req, res) => {
    const c = await caller(req);
    res.json(presentIssue(await board.issue(c, id(req, 'id', IssueNotFound))));
  });
  r.put('/api/community/issues/:id', async (req, res) => {
    const c = await caller(req);
    const issueId = id(req, 'id', IssueNotFound);
    const patch = parseInput(UpdateIssue, req.body);
    res.json(presentIssue(await board.updateIssue(c, issueId, patch)));
  });
  r.delete('/api/community/issues/:id', async (req, res) => {
    const c = await caller(req);
    await board.deleteIssue(c, id(req, 'id', IssueNotFound));
    res.json({ message: 'Issue deleted' });
  });
  r.get('/api/community/issues/:id/fixes', async (req, res) => {
    const c = await caller(req);
    const issueId = id(req, 'id', IssueNotFound);
    const p = parseInput(Paging, req.query);
    const page = await board.fixes(c, issueId, { limit: p.limit, offset: (p.page - 1) * p.limit });
    res.json({ fixes: page.items.map(presentFix), total: page.total, page: p.page, limit: p.limit });
  });
  r.post('/api/community/issues/:id/fixes', async (req, res) => {
    const c = await caller(req);
    const issueId = id(req, 'id', IssueNotFound);
    const body = parseInput(CreateFix, req.body);
    res.status(201).json(presentFix(await board.postFix(c, issueId, body.body)));
  });
  const fixRoute = (req: Request) => [id(req, 'id', IssueNotFound), id(req, 'fix_id', FixNotFound)] as const;
  r.post('/api/community/issues/:id/fixes/:fix_id/like', async (req, res) => {
    const c = await caller(req);
    res.json(presentFix(await board.like(c, ...fixRoute(req))));
  });
  r.delete('/api/community/issues/:id/fixes/:fix_id/like', async (req, res) => {
    const c = await caller(req);
    res.json(presentFix(await board.unlike(c, ...fixRoute(req))));
  });
  r.post('/api/community/issues/:id/fixes/:fix_id/accept', async (req, res) => {
    const c = await caller(req);
    const { issue, fix } = await board.accept(c, ...fixRoute(req));
    res.json({ message: 'Fix accepted', issue: presentIssue(issue), fix: presentFix(fix) });
  });

  r.post('/api/community/upload', async (req, res) => {
    try {
      const c = await caller(req);
      const data = await readUpload(req, uploadMaxBytes);
      res.status(201).json(presentImage(await board.upload(c, data)));
    } catch (e) {
      // Answered before the whole body was read (too large, refused): do not read the rest of it.
      if (!req.complete) res.setHeader('connection', 'close');
      throw e;
    }
  });
  r.get('/api/community/images/:id', async (req, res: Response) => {
    const c = await caller(req);
    const img = await board.image(c, id(req, 'id', ImageNotFound));
    const etag = `"${img.sha256}"`;
    res.set({
      'content-type': img.contentType,
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
      'content-disposition': `inline; filename="${img.id}.${EXTENSION[img.contentType]}"`,
      'cross-origin-resource-policy': 'same-origin',
      'cache-control': 'private, max-age=31536000, immutable',
      etag,
    });
    if (req.headers['if-none-match'] === etag) return void res.status(304).end();
    res.setHeader('content-length', String(img.data.length));
    res.end(img.data);
  });
  return r;
}
