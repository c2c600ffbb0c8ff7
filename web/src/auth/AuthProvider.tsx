import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api } from '../api/http';
import type { LoginAnswer, User } from '../api/types';
import { expiryOf, getSession, rememberApiKey, setSession, subscribeSession, type Session } from './session';

interface AuthValue {
  session: Session | null;
  user: User | null;
  /** Stores the token of a finished login (an answer that carries `token` and `user`). */
  complete(answer: LoginAnswer): void;
  logout(): Promise<void>;
}

const AuthContext = createContext<AuthValue | null>(null);

/** Refresh this long before the token expires (or at half its life when it is shorter). */
const REFRESH_AHEAD_MS = 5 * 60_000;

export function AuthProvider({ children }: { children: ReactNode }) {
  const [session, setLocal] = useState<Session | null>(getSession());
  useEffect(() => subscribeSession(setLocal), []);

  // The token is refreshed before it expires; a refused refresh ends the session.
  useEffect(() => {
    if (!session) return undefined;
    const left = session.expiresAt - Date.now();
    const delay = Math.max(5_000, left > 2 * REFRESH_AHEAD_MS ? left - REFRESH_AHEAD_MS : left / 2);
    const timer = window.setTimeout(() => {
      api<{ token: string; expires_in?: number }>('/api/auth/refresh', { body: { token: session.token } })
        .then((r) => setSession({ ...session, token: r.token, expiresAt: expiryOf(r.token, r.expires_in) }))
        .catch(() => { /* a 401 already ended the session; a network error retries at the next render */ });
    }, Math.min(delay, 2 ** 31 - 1));
    return () => window.clearTimeout(timer);
  }, [session]);

  const complete = useCallback((answer: LoginAnswer) => {
    if (!answer.token || !answer.user) throw new Error('The login did not finish.');
    // The agents' API key is not kept: the Profile page shows a new one once, when it is made.
    const user = { ...answer.user };
    rememberApiKey(user.api_key);
    delete user.api_key;
    setSession({ token: answer.token, user, expiresAt: expiryOf(answer.token, answer.expires_in) });
  }, []);

  const logout = useCallback(async () => {
    try { await api('/api/auth/logout', { method: 'POST' }); } catch { /* the token is dropped either way */ }
    rememberApiKey(null);
    setSession(null);
  }, []);

  const value = useMemo(() => ({ session, user: session?.user ?? null, complete, logout }), [session, complete, logout]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const v = useContext(AuthContext);
  if (!v) throw new Error('useAuth outside AuthProvider');
  return v;
}

export const isAdmin = (u: User | null) => u?.role === 'company_admin' || u?.role === 'super_admin';
export const isSuperAdmin = (u: User | null) => u?.role === 'super_admin';
