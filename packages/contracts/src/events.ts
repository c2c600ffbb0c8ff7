import { z } from 'zod';

/** A message contract: where it travels and what it carries, defined once. */
export interface EventContract<S extends z.ZodType> {
  /** The subject for one message; variable tokens are validated by `subject()`. */
  subjectFor: (payload: z.infer<S>) => string;
  /** The wildcard a consumer subscribes to. */
  filter: string;
  schema: S;
}

export function defineEvent<S extends z.ZodType>(c: EventContract<S>): EventContract<S> {
  return c;
}

/** A JetStream stream the platform relies on; created idempotently by whoever publishes first. */
export interface StreamDefinition {
  name: string;
  subjects: string[];
  /** Seconds a message id is remembered for de-duplication. */
  duplicateWindowSec: number;
  /** Days messages are kept. */
  maxAgeDays: number;
  /** Bytes the stream may hold before the oldest messages go; unbounded when absent. */
  maxBytes?: number;
}
