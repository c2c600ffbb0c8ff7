import { useEffect, useState, type FormEvent } from 'react';
import { Link, Navigate, useLocation, useNavigate, useSearchParams } from 'react-router';
import { api } from '../api/http';
import type { LoginAnswer, Tenant } from '../api/types';
import { useAuth } from '../auth/AuthProvider';
import { OtpInput } from '../components/OtpInput';
import { Alert, messageOf } from '../components/ui';

type Step =
  | { kind: 'credentials' }
  | { kind: 'tenant'; sessionToken: string; tenants: Tenant[] }
  | { kind: 'otp'; username: string; expiresAt: number; resend: () => Promise<LoginAnswer> };

const RESEND_COOLDOWN_SEC = 30;

/** Where to go after signing in: only paths of this console. */
export function safeNext(raw: string | null): string {
  return raw && raw.startsWith('/') && !raw.startsWith('//') && !raw.startsWith('/signin') ? raw : '/machines';
}

export function SignIn() {
  const { complete, session } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const location = useLocation();
  const [email, setEmail] = useState((location.state as { email?: string } | null)?.email ?? '');
  const [password, setPassword] = useState('');
  const [step, setStep] = useState<Step>({ kind: 'credentials' });
  const [error, setError] = useState<string | null>(null);
  const [info, setInfo] = useState<string | null>(
    params.get('expired') ? 'Your session has ended. Please sign in again.'
      : params.get('created') ? 'Your organization is ready. Sign in to continue.' : null);
  const [busy, setBusy] = useState(false);
  const [code, setCode] = useState('');

  useEffect(() => { document.title = 'Sign in · WebXTerm'; }, []);

  /** Moves on from any login answer: done, pick a workspace, or enter the emailed code. */
  const follow = (a: LoginAnswer, again: () => Promise<LoginAnswer>) => {
    if (a.token && a.user) {
      complete(a);
      navigate(next, { replace: true });
    } else if (a.requires_tenant_selection && a.session_token && a.tenants) {
      setStep({ kind: 'tenant', sessionToken: a.session_token, tenants: a.tenants });
    } else if (a.requires_otp && a.username) {
      setCode('');
      setInfo(`We emailed a 6-digit code to ${email || 'you'}.`);
      setStep({ kind: 'otp', username: a.username, expiresAt: Date.now() + (a.otp_expires_in_min ?? 10) * 60_000, resend: again });
    } else {
      setError('The server gave an answer this console does not understand.');
    }
  };

  const run = async (f: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try { await f(); } catch (e) { setError(messageOf(e)); } finally { setBusy(false); }
  };

  const login = () => api<LoginAnswer>('/api/auth/login', { body: { email: email.trim(), password }, anonymous: true });

  const onCredentials = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => follow(await login(), login));
  };

  const pickTenant = (sessionToken: string, tenantId: string) => {
    const select = () => api<LoginAnswer>('/api/auth/select-tenant', { body: { session_token: sessionToken, tenant_id: tenantId }, anonymous: true });
    void run(async () => follow(await select(), select));
  };

  const verify = (otp: string) => {
    if (step.kind !== 'otp' || otp.length !== 6) return;
    void run(async () => {
      try {
        follow(await api<LoginAnswer>('/api/auth/verify-otp', { body: { username: step.username, otp_code: otp }, anonymous: true }), step.resend);
      } catch (err) {
        setCode('');
        throw new Error(`${messageOf(err)} After five wrong codes the code stops working: send a new one.`);
      }
    });
  };

  if (session && step.kind === 'credentials' && !busy) return <Navigate to={next} replace />;

  return (
    <main className="auth-page" id="main">
      <div className="auth-card">
        <p className="brand-line" aria-hidden="true">▍WebXTerm</p>
        {step.kind === 'credentials' && (
          <form onSubmit={onCredentials} noValidate={false}>
            <h1>Sign in</h1>
            {info && <Alert kind="info">{info}</Alert>}
            {error && <Alert>{error}</Alert>}
            <label className="field">Email
              <input type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
            </label>
            <label className="field">Password
              <input type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
            </label>
            <button className="btn btn-primary btn-block" type="submit" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
            <p className="muted">No account yet? <Link to="/signup">Create an organization</Link></p>
          </form>
        )}
        {step.kind === 'tenant' && (
          <div>
            <h1>Choose a workspace</h1>
            <p className="muted">You belong to several organizations. Which one do you want to work in?</p>
            {error && <Alert>{error}</Alert>}
            <ul className="tenant-list">
              {step.tenants.map((t) => (
                <li key={t.tenant_id}>
                  <button type="button" className="btn btn-block" disabled={busy} onClick={() => pickTenant(step.sessionToken, t.tenant_id)}>
                    <strong>{t.tenant_name}</strong> <span className="muted">{t.tenant_id} · as {t.username}</span>
                  </button>
                </li>
              ))}
            </ul>
            <button type="button" className="btn-link" onClick={() => setStep({ kind: 'credentials' })}>Back</button>
          </div>
        )}
        {step.kind === 'otp' && (
          <OtpStep
            step={step} code={code} setCode={setCode} busy={busy} error={error} info={info}
            onVerify={verify}
            onResend={() => run(async () => { follow(await step.resend(), step.resend); setInfo('A new code is on its way.'); })}
            onBack={() => { setStep({ kind: 'credentials' }); setInfo(null); setError(null); }}
          />
        )}
      </div>
    </main>
  );
}

function OtpStep({ step, code, setCode, busy, error, info, onVerify, onResend, onBack }: {
  step: Extract<Step, { kind: 'otp' }>; code: string; setCode(c: string): void; busy: boolean; error: string | null; info: string | null;
  onVerify(c: string): void; onResend(): void; onBack(): void;
}) {
  const [now, setNow] = useState(Date.now());
  const [sentAt, setSentAt] = useState(Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(t);
  }, []);
  useEffect(() => { setSentAt(Date.now()); }, [step.expiresAt]);
  const left = Math.max(0, Math.round((step.expiresAt - now) / 1000));
  const cooldown = Math.max(0, RESEND_COOLDOWN_SEC - Math.round((now - sentAt) / 1000));
  const mmss = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
  return (
    <form onSubmit={(e) => { e.preventDefault(); onVerify(code); }}>
      <h1>Check your email</h1>
      {info && <Alert kind="info">{info}</Alert>}
      {error && <Alert>{error}</Alert>}
      <OtpInput value={code} onChange={setCode} onComplete={onVerify} disabled={busy} />
      <p className="muted" aria-live="polite">
        {left > 0 ? <>The code expires in <span className="countdown">{mmss}</span>.</> : 'The code has expired. Send a new one.'}
      </p>
      <button className="btn btn-primary btn-block" type="submit" disabled={busy || code.length !== 6 || left === 0}>Verify</button>
      <div className="row-between">
        <button type="button" className="btn-link" onClick={onBack}>Back</button>
        <button type="button" className="btn-link" disabled={busy || cooldown > 0} onClick={onResend}>
          {cooldown > 0 ? `Send a new code (${cooldown} s)` : 'Send a new code'}
        </button>
      </div>
    </form>
  );
}
