/**
 * The request schemas of community-svc's public API (docs/api), here because two services read
 * them: community-svc validates requests with them and the gateway describes the API from them.
 */
import { z } from 'zod';

export const ISSUE_STATUSES = ['open', 'solved'] as const;

const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const noNul = (s: string) => !s.includes('\u0000');

const Title = z.string().trim().min(1, 'Required').max(200, 'At most 200 characters')
  .refine((s) => !CONTROL.test(s) && !/[\r\n\t]/.test(s), 'Must be one line without control characters');
/** Markdown, stored exactly as written (not trimmed, not sanitised: the console renders it safely). */
const Markdown = z.string().max(50_000, 'At most 50000 characters')
  .refine((s) => s.trim().length > 0, 'Required').refine(noNul, 'Must not contain NUL characters');
const Tag = z.string().trim().toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._+#-]{0,31}$/, 'Tags are 1–32 of a–z 0–9 . _ + # -, starting with a letter or digit');
const Tags = z.array(Tag).max(10, 'At most 10 tags').transform((t) => [...new Set(t)]);

export const CreateIssue = z.object({ title: Title, body: Markdown, tags: Tags.default([]) });

export const UpdateIssue = z.object({
  title: Title.optional(), body: Markdown.optional(), tags: Tags.optional(),
  status: z.enum(ISSUE_STATUSES, { error: 'Must be one of open, solved' }).optional(),
}).refine((p) => Object.values(p).some((v) => v !== undefined), 'Nothing to update: give title, body, tags or status');

export const CreateFix = z.object({ body: Markdown });

const pageFields = {
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
};
export const Paging = z.object(pageFields);

/** `tag=a&tag=b` or `tags=a,b`: issues with all of them. */
const TagList = z.union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean))
  .pipe(z.array(Tag).max(10, 'At most 10 tags'));

export const ListIssues = z.object({
  ...pageFields,
  q: z.string().trim().max(200, 'At most 200 characters').refine(noNul, 'Must not contain NUL characters').optional(),
  status: z.enum(ISSUE_STATUSES, { error: 'Must be one of open, solved' }).optional(),
  tag: TagList.optional(),
  tags: TagList.optional(),
  author_id: z.string().min(1).max(64).refine(noNul, 'Must not contain NUL characters').optional(),
  mine: z.enum(['true', 'false']).optional(),
  sort: z.enum(['newest', 'oldest', 'updated'], { error: 'Must be one of newest, oldest, updated' }).default('newest'),
});
