/** The request schemas of auth-svc's routes: defined in the contracts, which the gateway reads too. */
import { AuthApi } from '@webxterm/contracts';

export const {
  AssignRolesBody, ChangePasswordBody, CommunitySignupBody, CreateOrganizationBody, CreateUserBody, GroupBody, GroupUpdateBody,
  LoginBody, MachinesBody, MemberBody, ObjectIdParam, RefreshBody, SelectTenantBody, SignupBody, TokenApiLoginBody,
  UpdateOrganizationBody, UpdateUserBody, UserListQuery, VerifyOtpBody,
} = AuthApi;
