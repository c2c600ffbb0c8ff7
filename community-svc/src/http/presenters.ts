import { EXTENSION } from '../domain/image-format';
import type { Fix, Issue, StoredImage } from '../domain/model';

export function presentIssue(i: Issue) {
  return {
    id: i.id, title: i.title, body: i.body, tags: i.tags, status: i.status,
    author_id: i.author.userId, author_username: i.author.username,
    accepted_fix_id: i.acceptedFixId, fixes_count: i.fixesCount,
    created_at: i.createdAt.toISOString(), updated_at: i.updatedAt.toISOString(), solved_at: i.solvedAt?.toISOString() ?? null,
  };
}

export function presentFix(f: Fix) {
  return {
    id: f.id, issue_id: f.issueId, body: f.body, author_id: f.author.userId, author_username: f.author.username,
    likes: f.likes, liked_by_me: f.likedByMe, accepted: f.accepted, created_at: f.createdAt.toISOString(),
  };
}

export const imageUrl = (id: string) => `/api/community/images/${id}`;

export function presentImage(i: StoredImage) {
  const url = imageUrl(i.id);
  return {
    id: i.id, url, content_type: i.contentType, width: i.width, height: i.height, size: i.size, sha256: i.sha256,
    filename: `${i.id}.${EXTENSION[i.contentType]}`, markdown: `![image](${url})`, created_at: i.createdAt.toISOString(),
  };
}
