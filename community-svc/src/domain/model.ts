/** The community board's records, as the domain sees them. */
import { CommunityApi } from '@webxterm/contracts';

export const ISSUE_STATUSES = CommunityApi.ISSUE_STATUSES;
export type IssueStatus = (typeof ISSUE_STATUSES)[number];

export interface Author { userId: string; username: string }

export interface Issue {
  id: string;
  tenantId: string;
  title: string;
  /** Markdown, exactly as written (rendering it safely is the reader's job). */
  body: string;
  tags: string[];
  status: IssueStatus;
  author: Author;
  acceptedFixId: string | null;
  fixesCount: number;
  createdAt: Date;
  updatedAt: Date;
  solvedAt: Date | null;
}

export interface Fix {
  id: string;
  issueId: string;
  body: string;
  author: Author;
  likes: number;
  likedByMe: boolean;
  accepted: boolean;
  createdAt: Date;
}

export interface IssueFilter {
  /** Full text, websearch syntax ("quoted phrase", -excluded, or). */
  q?: string;
  status?: IssueStatus;
  /** Issues carrying every one of these tags. */
  tags?: string[];
  authorId?: string;
  sort: 'newest' | 'oldest' | 'updated';
  limit: number;
  offset: number;
}

export interface Page<T> { items: T[]; total: number }

export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];

export interface StoredImage {
  id: string;
  contentType: ImageType;
  width: number;
  height: number;
  size: number;
  sha256: string;
  createdAt: Date;
}
