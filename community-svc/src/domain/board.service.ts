import { createHash } from 'node:crypto';
import type { Actor } from '@webxterm/contracts';
import { objectId } from '@webxterm/kit';
import type { BoardRepository, IssuePatch, TenantBoard } from '../store/board.repository';
import type { ImageRepository } from '../store/image.repository';
import { boardAccess, type BoardAction } from './board.policy';
import { BoardForbidden, CommunityForbidden, FixNotFound, ImageNotFound, IssueNotFound } from './community.errors';
import type { ImageSanitizer } from './image-sanitizer';
import type { Fix, Issue, IssueFilter, Page, StoredImage } from './model';

/** The caller as the board needs them: the token's identity and organization. */
export type Caller = Actor & { username: string };

/**
 * The community board of the caller's organization. Every query runs scoped to that organization
 * (row-level security), so another organization's issue is simply not found; the policy
 * (board.policy.ts) decides the rest.
 */
export class BoardService {
  constructor(
    private readonly board: BoardRepository,
    private readonly images: ImageRepository,
    private readonly sanitizer: ImageSanitizer,
  ) {}

  private boardOf(caller: Caller, action: BoardAction): TenantBoard {
    this.require(caller, action);
    return this.board.forTenant(caller.tenant_id);
  }

  private require(caller: Caller, action: BoardAction, authorId?: string, what = 'do this'): void {
    const d = boardAccess(caller, action, caller.tenant_id, authorId);
    if (d === 'not_found') throw IssueNotFound();
    if (d === 'forbidden') throw action === 'own' ? BoardForbidden(what) : CommunityForbidden();
  }

  createIssue(caller: Caller, i: { title: string; body: string; tags: string[] }): Promise<Issue> {
    return this.boardOf(caller, 'write').createIssue({ id: objectId(), ...i, author: authorOf(caller) });
  }

  listIssues(caller: Caller, f: IssueFilter): Promise<Page<Issue>> {
    return this.boardOf(caller, 'read').listIssues(f);
  }

  async issue(caller: Caller, id: string): Promise<Issue> {
    const found = await this.boardOf(caller, 'read').issue(id);
    if (!found) throw IssueNotFound();
    return found;
  }

  async updateIssue(caller: Caller, id: string, patch: IssuePatch): Promise<Issue> {
    const existing = await this.issue(caller, id);
    this.require(caller, 'own', existing.author.userId, 'edit this issue');
    const updated = await this.board.forTenant(caller.tenant_id).updateIssue(id, patch);
    if (!updated) throw IssueNotFound();
    return updated;
  }

  async deleteIssue(caller: Caller, id: string): Promise<void> {
    const existing = await this.issue(caller, id);
    this.require(caller, 'own', existing.author.userId, 'delete this issue');
    if (!(await this.board.forTenant(caller.tenant_id).deleteIssue(id))) throw IssueNotFound();
  }

  async fixes(caller: Caller, issueId: string, page: { limit: number; offset: number }): Promise<Page<Fix>> {
    await this.issue(caller, issueId);
    return this.board.forTenant(caller.tenant_id).fixes(issueId, caller.user_id, page);
  }

  async postFix(caller: Caller, issueId: string, body: string): Promise<Fix> {
    const fix = await this.boardOf(caller, 'write').createFix({ id: objectId(), issueId, body, author: authorOf(caller) });
    if (!fix) throw IssueNotFound();
    return fix;
  }

  /** Liking twice is harmless: the answer is the same. */
  async like(caller: Caller, issueId: string, fixId: string): Promise<Fix> {
    return found(await this.boardOf(caller, 'write').like(issueId, fixId, caller.user_id));
  }

  /** Unliking what one never liked is harmless too. */
  async unlike(caller: Caller, issueId: string, fixId: string): Promise<Fix> {
    return found(await this.boardOf(caller, 'write').unlike(issueId, fixId, caller.user_id));
  }

  /** The issue's author or a moderator picks the fix that solved it. */
  async accept(caller: Caller, issueId: string, fixId: string): Promise<{ issue: Issue; fix: Fix }> {
    const existing = await this.issue(caller, issueId);
    const board = this.board.forTenant(caller.tenant_id);
    if (!(await board.fix(issueId, fixId, caller.user_id))) throw FixNotFound();
    this.require(caller, 'own', existing.author.userId, 'accept a fix');
    const issue = await board.accept(issueId, fixId);
    if (!issue) throw FixNotFound();
    return { issue, fix: found(await board.fix(issueId, fixId, caller.user_id)) };
  }

  /** Checks and re-encodes the upload (image-sanitizer.ts), then keeps it for the caller's organization. */
  async upload(caller: Caller, data: Buffer): Promise<StoredImage> {
    this.require(caller, 'write');
    const clean = await this.sanitizer.clean(data);
    return this.images.forTenant(caller.tenant_id).create({
      id: objectId(), tenantId: caller.tenant_id, uploadedBy: caller.user_id, contentType: clean.contentType,
      width: clean.width, height: clean.height, size: clean.data.length, sha256: createHash('sha256').update(clean.data).digest('hex'),
      data: clean.data,
    });
  }

  async image(caller: Caller, id: string) {
    this.require(caller, 'read');
    const img = await this.images.forTenant(caller.tenant_id).get(id);
    if (!img) throw ImageNotFound();
    return img;
  }
}

function authorOf(caller: Caller) {
  return { userId: caller.user_id, username: caller.username };
}

function found(fix: Fix | null): Fix {
  if (!fix) throw FixNotFound();
  return fix;
}
