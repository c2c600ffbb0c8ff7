import { createHash } from 'node:crypto';

/**
 * The hash chain that makes each tenant's audit log tamper-evident (docs/events.md, "Tamper
 * evidence"). Pure functions: no SQL, no I/O.
 *
 *   hash(n) = sha256_hex( hash(n-1) + canonicalJson(event n) )      hash(0) = GENESIS_HASH
 *
 * `+` is string concatenation; the input is hashed as UTF-8. `event` is the event exactly as stored
 * (the validated payload, unknown fields dropped). `seq` is the event's position in its tenant's
 * chain, 1, 2, 3, … without gaps.
 */

/** The `prev_hash` of a tenant's first event: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * THE canonical JSON: object keys sorted by UTF-16 code unit (JavaScript's default sort), no
 * whitespace, strings and numbers as `JSON.stringify` writes them, array order kept, members whose
 * value is `undefined` left out (as `JSON.stringify` does). Two events with the same content always
 * give the same text, whatever order their keys arrived or were stored in (PostgreSQL's jsonb
 * reorders keys).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError(`not representable in JSON: ${typeof value}`);
    return text;
  }
  if (Array.isArray(value)) {
    return `[${value.map((v) => (v === undefined || typeof v === 'function' ? 'null' : canonicalJson(v))).join(',')}]`;
  }
  const obj = value as Record<string, unknown>;
  const members = Object.keys(obj)
    .sort()
    .filter((k) => obj[k] !== undefined && typeof obj[k] !== 'function')
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`);
  return `{${members.join(',')}}`;
}

/** The hash of one link: sha256 over the previous hash (hex) followed by the event's canonical JSON. */
export function chainHash(prevHash: string, event: unknown): string {
  return createHash('sha256').update(prevHash).update(canonicalJson(event)).digest('hex');
}

/** A stored link as the verifier reads it, in `seq` order. */
export interface ChainLink {
  seq: number;
  id: string;
  prev_hash: string;
  hash: string;
  event: unknown;
}

export type BreakReason =
  | 'seq_gap'            // this link does not follow the one before it: a link was deleted, or seq edited
  | 'prev_hash_mismatch' // the link does not point at the one before it (reordered, inserted, deleted)
  | 'hash_mismatch'      // the event's content (or its stored hash) was changed
  | 'head_mismatch';     // the tenant's chain head disagrees with the last link (tail deleted or rewritten)

export interface BrokenLink { seq: number; id: string | null; reason: BreakReason }

/**
 * Walks one tenant's chain, fed page by page in `seq` order, and remembers the first broken link.
 * Kept incremental so a long chain is verified in constant memory.
 */
export class ChainVerifier {
  private expectedSeq = 1;
  private prevHash = GENESIS_HASH;
  private broken: BrokenLink | null = null;
  checked = 0;

  /** Feeds the next links; returns false once a break was found (feeding more is pointless). */
  add(links: readonly ChainLink[]): boolean {
    for (const link of links) {
      if (this.broken) return false;
      this.checked++;
      if (link.seq !== this.expectedSeq) {
        this.broken = { seq: link.seq, id: link.id, reason: 'seq_gap' };
      } else if (link.prev_hash !== this.prevHash) {
        this.broken = { seq: link.seq, id: link.id, reason: 'prev_hash_mismatch' };
      } else if (chainHash(link.prev_hash, link.event) !== link.hash) {
        this.broken = { seq: link.seq, id: link.id, reason: 'hash_mismatch' };
      }
      this.expectedSeq = link.seq + 1;
      this.prevHash = link.hash;
    }
    return this.broken === null;
  }

  /** Compares the end of the walk with the tenant's chain head (null when the tenant has none). */
  finish(head: { seq: number; hash: string } | null): BrokenLink | null {
    if (this.broken) return this.broken;
    const lastSeq = this.expectedSeq - 1;
    const headSeq = head?.seq ?? 0;
    const headHash = head?.hash ?? GENESIS_HASH;
    if (headSeq !== lastSeq || headHash !== this.prevHash) {
      this.broken = { seq: Math.max(headSeq, lastSeq), id: null, reason: 'head_mismatch' };
    }
    return this.broken;
  }
}
