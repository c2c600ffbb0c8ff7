import { z } from 'zod';

/** No control characters: they have no place in names and break logs and e-mail headers. */
const printable = (max: number) => z.string().trim().min(1, 'Required').max(max, `At most ${max} characters`)
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'Must not contain control characters');

export const Username = z.string()
  .min(3, 'Must be 3–50 characters').max(50, 'Must be 3–50 characters')
  .regex(/^[A-Za-z0-9._-]+$/, 'Use letters, digits, dot, underscore and hyphen only');
export const Email = z.email('Invalid email address').max(254, 'Invalid email address');
/** Long enough to be worth hashing, short enough that hashing stays cheap. */
export const Password = z.string().min(8, 'Must be at least 8 characters').max(256, 'At most 256 characters');

export const SignupBody = z.object({
  username: Username,
  email: Email,
  password: Password,
  first_name: printable(100),
  last_name: printable(100),
  organization_name: printable(63),
  company_name: printable(200),
});

export const CommunitySignupBody = SignupBody.pick({ username: true, email: true, password: true });

/** Logins only check a password: its length rules were enforced when it was set. */
export const LoginBody = z.object({ email: Email, password: z.string().min(1, 'Required').max(256, 'At most 256 characters') });

export const TokenApiLoginBody = z.object({
  username: z.string({ error: 'User name is required' }).min(1, 'User name is required').max(320, 'At most 320 characters'),
  password: z.string().min(1, 'Required').max(256, 'At most 256 characters'),
});

export const SelectTenantBody = z.object({ session_token: z.string().min(1, 'Required').max(4096), tenant_id: z.string().min(1, 'Required').max(63) });

export const VerifyOtpBody = z.object({
  username: z.string().min(1, 'Required').max(50, 'At most 50 characters'),
  otp_code: z.string().regex(/^\d{6}$/, 'Must be exactly 6 digits'),
});

export const RefreshBody = z.object({ token: z.string().min(1).max(8192).optional() });
