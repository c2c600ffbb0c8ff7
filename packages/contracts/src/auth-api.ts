/**
 * The request schemas of auth-svc's public API (docs/api), here because two services read them:
 * auth-svc validates requests with them and the gateway describes the API from them.
 */
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

const PortalRoleInput = z.enum(['user', 'company_admin', 'super_admin'], { error: 'Must be one of user, company_admin, super_admin' });
const MachineRoleInput = z.enum(['', 'viewer', 'operator', 'admin'], { error: 'Must be one of viewer, operator, admin' });
export const ObjectIdParam = z.string().regex(/^[0-9a-f]{24}$/, 'Not a valid id');

export const CreateUserBody = SignupBody.pick({ username: true, email: true, password: true, first_name: true, last_name: true })
  .extend({ role: PortalRoleInput.default('user'), machine_role: MachineRoleInput.optional() });
export const UpdateUserBody = z.object({
  first_name: SignupBody.shape.first_name.optional(), last_name: SignupBody.shape.last_name.optional(),
  role: PortalRoleInput.optional(), machine_role: MachineRoleInput.optional(),
});
export const AssignRolesBody = z.object({ role: PortalRoleInput.optional(), roles: z.array(PortalRoleInput).min(1).max(1).optional(), machine_role: MachineRoleInput.optional() })
  .refine((b) => b.role !== undefined || b.roles !== undefined || b.machine_role !== undefined, 'role: Required');
export const UserListQuery = z.object({ tenant_id: z.string().max(63).optional() });

export const GroupBody = z.object({ name: z.string().trim().min(1, 'Required').max(100, 'At most 100 characters')
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'Must not contain control characters'), description: z.string().max(1000).optional() });
export const GroupUpdateBody = GroupBody.partial();
export const MemberBody = z.object({ user_id: ObjectIdParam });
export const MachinesBody = z.object({
  machine_ids: z.array(z.string().min(1).max(100)).min(1, 'Required').max(500).optional(),
  machine_id: z.string().min(1).max(100).optional(),
}).refine((b) => b.machine_ids || b.machine_id, 'machine_ids: Required');

/** `POST /api/profile/reset-password`: the new password follows signup's rules. */
export const ChangePasswordBody = z.object({
  current_password: z.string({ error: 'Required' }).min(1, 'Required').max(256, 'At most 256 characters'),
  new_password: Password,
});

export const CreateOrganizationBody = z.object({
  organization_name: SignupBody.shape.organization_name, company_name: SignupBody.shape.company_name, otp_enabled: z.boolean().optional(),
});
export const UpdateOrganizationBody = z.object({ company_name: SignupBody.shape.company_name.optional(), otp_enabled: z.boolean().optional() });
