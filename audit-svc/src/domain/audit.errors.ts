import { AppError } from '@webxterm/kit';

export const AuditForbidden = () => new AppError('forbidden', 'audit.forbidden', 'Audit log access requires company_admin or super_admin');
export const TenantNotFound = () => new AppError('not_found', 'audit.tenant_not_found', 'Tenant not found');
export const InvalidCursor = () => new AppError('invalid', 'audit.invalid_cursor', 'cursor: Invalid cursor');
export const TenantRequired = () => new AppError('invalid', 'request.invalid', 'tenant_id: Required');
