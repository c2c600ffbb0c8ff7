import { z } from 'zod';
import { platformFilter, platformSubject } from './subjects';

/** A message contract: where it travels and what it carries, defined once. */
export interface EventContract<S extends z.ZodType> {
  /** A name for logs and docs (`auth.group_members`). */
  name: string;
  /** The subject for one message; variable tokens are validated by `subject()`. */
  subjectFor: (payload: z.infer<S>) => string;
  /** The wildcard a consumer subscribes to. */
  filter: string;
  /**
   * Filters of the subjects this event was published on before the current layout. Streams still
   * take them and durable consumers still dispatch them for one release (docs/events.md), so a
   * message stored under an old subject is handled, not lost.
   */
  legacyFilters?: readonly string[];
  schema: S;
}

export function defineEvent<S extends z.ZodType>(c: EventContract<S>): EventContract<S> {
  return c;
}

/**
 * An event of the platform layout: `<domain>.v1.evt.<name>[.<tokens(payload)>]`. The tokens (a
 * tenant, an agent, a session) let a consumer take a part of the event by subject.
 */
export function domainEvent<S extends z.ZodType>(d: {
  domain: string; name: string; schema: S; tokens?: (payload: z.infer<S>) => string[]; legacyFilters?: readonly string[];
}): EventContract<S> {
  const tokens = d.tokens;
  return {
    name: `${d.domain}.${d.name}`,
    subjectFor: (payload) => platformSubject(d.domain, 'evt', d.name, ...(tokens ? tokens(payload) : [])),
    filter: platformFilter(d.domain, 'evt', d.name, tokens !== undefined),
    ...(d.legacyFilters ? { legacyFilters: d.legacyFilters } : {}),
    schema: d.schema,
  };
}

/** Every filter a consumer of this contract takes: the current one and, for one release, the old ones. */
export function contractFilters(c: EventContract<z.ZodType>): string[] {
  return [c.filter, ...(c.legacyFilters ?? [])];
}

/** The subjects of a stream that stores these contracts (their filters, old ones included). */
export function streamSubjects(...contracts: EventContract<z.ZodType>[]): string[] {
  return [...new Set(contracts.flatMap(contractFilters))];
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
