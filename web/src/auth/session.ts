import type { User } from '../api/types';

/**
 * Where the access token lives (docs/decisions.md, "Console"): in this module's memory, mirrored
 * to sessionStorage so a reload of the same tab keeps the login; never in localStorage or a
 * cookie, so other tabs, other sites and a closed browser do not carry it.
 */
export interface Session {
  token: string;
  user: User;
  /** Epoch ms when the token expires. */
  expiresAt: number;
}

const KEY = 'webxterm.session';
type Listener = (s: Session | null) => void;

let current: Session | null = read();
const listeners = new Set<Listener>();

function read(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    return typeof s.token === 'string' && s.expiresAt > Date.now() ? s : null;
  } catch {
    return null;
  }
}

export function getSession(): Session | null {
  return current;
}

export function setSession(s: Session | null): void {
  current = s;
  try {
    if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
    else sessionStorage.removeItem(KEY);
  } catch { /* storage refused: memory only */ }
  for (const l of listeners) l(s);
}

export function subscribeSession(l: Listener): () => void {
  listeners.add(l);
  return () => { listeners.delete(l); };
}

/** Expiry of a JWT from its `exp` claim, or `fallbackSec` from now. */
export function expiryOf(token: string, fallbackSec = 3600): number {
  try {
    const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: number };
    if (typeof payload.exp === 'number') return payload.exp * 1000;
  } catch { /* not a JWT we can read */ }
  return Date.now() + fallbackSec * 1000;
}

/** The agents' API key from the login answer: memory only (never stored), for the agent command. */
let apiKey: string | null = null;
export function rememberApiKey(k: string | null | undefined): void { apiKey = k ?? null; }
export function knownApiKey(): string | null { return apiKey; }
