import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { api } from '../api/http';
import { Alert, messageOf } from '../components/ui';

const FIELDS = [
  { name: 'first_name', label: 'First name', autoComplete: 'given-name' },
  { name: 'last_name', label: 'Last name', autoComplete: 'family-name' },
  { name: 'username', label: 'Username', autoComplete: 'username', hint: '3 to 50 characters, unique on this platform' },
  { name: 'email', label: 'Email', autoComplete: 'email', type: 'email' },
  { name: 'password', label: 'Password', autoComplete: 'new-password', type: 'password', hint: 'At least 8 characters' },
  { name: 'company_name', label: 'Company name', autoComplete: 'organization' },
  { name: 'organization_name', label: 'Organization id', autoComplete: 'off', hint: 'Short name, e.g. acme; lowercased, spaces become hyphens' },
] as const;

type Form = Record<(typeof FIELDS)[number]['name'], string>;

export function SignUp() {
  const navigate = useNavigate();
  const [form, setForm] = useState<Form>({ first_name: '', last_name: '', username: '', email: '', password: '', company_name: '', organization_name: '' });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => { document.title = 'Create an organization · WebXTerm'; }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('/api/auth/signup', { body: { ...form, email: form.email.trim(), username: form.username.trim() }, anonymous: true });
      navigate('/signin?created=1', { replace: true, state: { email: form.email } });
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="auth-page" id="main">
      <div className="auth-card auth-card-wide">
        <p className="brand-line" aria-hidden="true">▍WebXTerm</p>
        <form onSubmit={submit}>
          <h1>Create an organization</h1>
          <p className="muted">You become its administrator and can invite your team.</p>
          {error && <Alert>{error}</Alert>}
          <div className="grid-2">
            {FIELDS.map((f) => (
              <label key={f.name} className="field">{f.label}
                <input
                  name={f.name} type={'type' in f ? f.type : 'text'} autoComplete={f.autoComplete} required
                  minLength={f.name === 'password' ? 8 : f.name === 'username' ? 3 : 1}
                  value={form[f.name]} onChange={(e) => setForm({ ...form, [f.name]: e.target.value })}
                  aria-describedby={'hint' in f ? `${f.name}-hint` : undefined}
                />
                {'hint' in f && <small id={`${f.name}-hint`} className="muted">{f.hint}</small>}
              </label>
            ))}
          </div>
          <button className="btn btn-primary btn-block" type="submit" disabled={busy}>{busy ? 'Creating…' : 'Create organization'}</button>
          <p className="muted">Already have an account? <Link to="/signin">Sign in</Link></p>
        </form>
      </div>
    </main>
  );
}
