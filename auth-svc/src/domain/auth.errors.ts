import { AppError } from '@webxterm/kit';

export const InvalidCredentials = () => new AppError('unauthenticated', 'auth.invalid_credentials', 'Invalid email or password');
export const UsernameTaken = () => new AppError('conflict', 'auth.username_taken', 'Username already exists');
export const EmailTaken = () => new AppError('conflict', 'auth.email_taken', 'Email already registered');
export const OrganizationTaken = () => new AppError('conflict', 'auth.organization_taken', 'Organization already exists');
export const InvalidSessionToken = () => new AppError('unauthenticated', 'auth.session_token_invalid', 'Invalid or expired session token');
export const NotAMember = () => new AppError('forbidden', 'auth.not_a_member', 'You do not belong to this organization');
export const InvalidOtp = () => new AppError('unauthenticated', 'auth.otp_invalid', 'Invalid or expired code');
export const OtpBurnt = () => new AppError('unauthenticated', 'auth.otp_burnt', 'Too many wrong codes; log in again to get a new one');
export const MailUnavailable = () => new AppError('unavailable', 'auth.mail_unavailable', 'Could not send the code, try again');
export const SessionExpired = () => new AppError('unauthenticated', 'auth.session_expired', 'Session expired, log in again');
export const NoOrganization = () => new AppError('unauthenticated', 'auth.no_organization', 'Account belongs to no organization');
export const TenantRequired = () =>
  new AppError('invalid', 'auth.tenant_required', 'This account is in several organizations: use username@organization');
export const OtpRequired = () =>
  new AppError('unauthenticated', 'auth.otp_required', 'This organization requires an emailed code: log in with POST /api/auth/login');
export const UserNotFound = () => new AppError('not_found', 'auth.user_not_found', 'User not found');
export const GroupNameTaken = () => new AppError('conflict', 'groups.name_taken', 'A group with this name already exists');
export const GroupNotFound = () => new AppError('not_found', 'groups.not_found', 'Group not found');
export const OrganizationNotFound = () => new AppError('not_found', 'organizations.not_found', 'Organization not found');
export const Forbidden = (why = 'Insufficient permissions') => new AppError('forbidden', 'auth.forbidden', why);
export const CannotChangeOwnRole = () => new AppError('forbidden', 'users.own_role', 'You cannot change your own role');
export const RoleTooHigh = () => new AppError('forbidden', 'users.role_too_high', 'You cannot grant a role above your own');
export const CannotDeleteSelf = () => new AppError('forbidden', 'users.delete_self', 'You cannot delete yourself');
export const AlreadyMember = () => new AppError('conflict', 'users.already_member', 'This person already belongs to the organization');
export const InvitationNotFound = () => new AppError('not_found', 'users.invitation_not_found', 'Invitation not found');
export const SharedPerson = () =>
  new AppError('forbidden', 'users.shared_person', 'This person belongs to other organizations too; only they or a super_admin can change their name');
export const MachinesUnknown = (ids: string[]) =>
  new AppError('not_found', 'groups.machines_unknown', `Unknown machines: ${ids.join(', ')}`);
export const Throttled = (retryAfterSec: number) =>
  new AppError('rate_limited', 'auth.too_many_attempts', 'Too many failed logins for this account, try again later', retryAfterSec);
export const WrongCurrentPassword = () => new AppError('unauthenticated', 'profile.wrong_password', 'Current password is incorrect');
export const SamePassword = () => new AppError('invalid', 'profile.same_password', 'new_password: Must differ from the current password');
export const NotAnImage = () => new AppError('invalid', 'profile.not_an_image', 'file: must be a PNG, JPEG or WebP image');
export const ImageMissing = () => new AppError('invalid', 'profile.image_missing',
  'file: Required (send the image as multipart/form-data field "file", or as the body with Content-Type image/png, image/jpeg or image/webp)');
export const UploadTooLarge = (max: number) => new AppError('too_large', 'profile.upload_too_large', `Image too large: at most ${max} bytes`);
export const TooManyPixels = (max: number) => new AppError('too_large', 'profile.image_too_many_pixels', `Image too large: at most ${max} pixels`);
export const AvatarNotFound = () => new AppError('not_found', 'profile.avatar_not_found', 'Avatar not found');
export const MalformedUpload = () => new AppError('invalid', 'profile.multipart_invalid', 'Malformed multipart/form-data body');
