import { AppError } from '@webxterm/kit';

export const MachineNotFound = () => new AppError('not_found', 'machine.not_found', 'Machine not found');
export const MachineForbidden = () => new AppError('forbidden', 'machine.forbidden', 'Insufficient permissions for this machine');
export const MachinePending = () => new AppError('conflict', 'machine.pending', 'Machine has not connected yet');
export const InvalidRegistration = () => new AppError('unauthenticated', 'agent.registration_invalid', 'Invalid registration token');
export const RegistrationRequired = () => new AppError('unauthenticated', 'agent.registration_required', 'This machine needs its registration token');
export const CommandTimedOut = () => new AppError('timeout', 'machine.command_timeout', 'Command timed out');
export const InvalidCredential = () => new AppError('unauthenticated', 'agent.credential_invalid', 'Invalid machine credential');
export const CredentialRequired = () => new AppError('unauthenticated', 'agent.credential_required', 'This machine is registered: its agent connects with its own credential');
export const RegistrationForbidden = () => new AppError('forbidden', 'agent.registration_forbidden', 'Insufficient permissions to register a machine');
export const UserNotFound = () => new AppError('not_found', 'machine.user_not_found', 'User not found');
