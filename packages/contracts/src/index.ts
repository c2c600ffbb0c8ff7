export * from './subjects';
export * from './events';
export * from './audit';
export * from './roles';
export * from './tokens';
export * from './rpc';
export * from './auth-rpc';
