import { AppError } from '@webxterm/kit';

export const IssueNotFound = () => new AppError('not_found', 'community.issue_not_found', 'Issue not found');
export const FixNotFound = () => new AppError('not_found', 'community.fix_not_found', 'Fix not found');
export const ImageNotFound = () => new AppError('not_found', 'community.image_not_found', 'Image not found');
export const BoardForbidden = (what: string) => new AppError('forbidden', 'community.forbidden', `Only the author or an admin may ${what}`);
export const CommunityForbidden = () => new AppError('forbidden', 'community.forbidden', 'Insufficient permissions for the community board');
export const NotAnImage = () => new AppError('invalid', 'community.not_an_image', 'file: must be a PNG, JPEG or WebP image');
export const ImageMissing = () => new AppError('invalid', 'community.image_missing',
  'file: Required (multipart/form-data with a file field, or the image itself as the body)');
export const UploadTooLarge = (max: number) => new AppError('too_large', 'community.upload_too_large', `Image too large: at most ${max} bytes`);
export const TooManyPixels = (max: number) => new AppError('too_large', 'community.image_too_many_pixels', `Image too large: at most ${max} pixels`);
