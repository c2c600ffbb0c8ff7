import { connect, nanos, NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, JetStreamClient } from '@nats-io/jetstream';
import type { EventContract, StreamDefinition } from '@webxterm/contracts';
import type { z } from 'zod';

export type { NatsConnection, JetStreamClient };

export async function connectNats(servers: string, name: string): Promise<NatsConnection> {
  return connect({ servers: servers.split(','), name, maxReconnectAttempts: -1, reconnectTimeWait: 500 });
}

/** Creates the stream or brings its subjects and limits up to date; safe to call from every replica. */
export async function ensureStream(nc: NatsConnection, def: StreamDefinition): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const cfg = {
    name: def.name,
    subjects: def.subjects,
    duplicate_window: nanos(def.duplicateWindowSec * 1000),
    max_age: nanos(def.maxAgeDays * 86_400_000),
    ...(def.maxBytes ? { max_bytes: def.maxBytes } : {}),
  };
  try {
    await jsm.streams.info(def.name);
    await jsm.streams.update(def.name, cfg);
  } catch {
    await jsm.streams.add(cfg);
  }
}

/** Validates the payload against its contract and publishes it to JetStream, de-duplicated by `msgID`. */
export async function publishDurable<S extends z.ZodType>(
  js: JetStreamClient, contract: EventContract<S>, payload: z.infer<S>, msgID: string,
): Promise<void> {
  const value = contract.schema.parse(payload);
  await js.publish(contract.subjectFor(value), JSON.stringify(value), { msgID });
}

export { jetstream };
