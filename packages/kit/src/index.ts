export * from './config';
export * from './logger';
export * from './errors';
export * from './ids';
export * from './postgres';
export * from './redis';
export * from './nats';
export * from './audit';
export * from './tokens';
export * from './http';
export * from './safe-input';
export * from './lifecycle';
export * from './client-ip';
export {
  Bus, DEFAULT_RETRY, ensureDurableConsumer, on, retryDelay,
  type ConsumeOptions, type DurableConsumerSettings, type EventHandler, type Handles, type MessageContext, type RetryPolicy,
} from './bus';
export * from './metrics';
export * from './request-context';
