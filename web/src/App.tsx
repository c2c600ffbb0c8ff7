import { lazy, Suspense, useEffect } from 'react';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { SESSION_EXPIRED } from './api/http';
import { isAdmin, useAuth } from './auth/AuthProvider';
import { Layout } from './components/Layout';
import { Admin } from './pages/Admin';
import { Audit } from './pages/Audit';
import { Community } from './pages/Community';
import { Dashboard } from './pages/Dashboard';
import { MachineDetail } from './pages/MachineDetail';
import { Machines } from './pages/Machines';
import { NotFound } from './pages/NotFound';
import { Profile } from './pages/Profile';
import { Sessions } from './pages/Sessions';
import { SignIn } from './pages/SignIn';
import { SignUp } from './pages/SignUp';

// The terminal (xterm.js) and the player (asciinema-player) load when first needed.
const TerminalPage = lazy(() => import('./terminal/TerminalPage'));
const ViewerPage = lazy(() => import('./terminal/ViewerPage'));
const Replay = lazy(() => import('./pages/Replay'));

function RequireAuth({ children }: { children: React.ReactNode }) {
  const { session } = useAuth();
  const location = useLocation();
  if (!session) {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/signin?next=${next}`} replace />;
  }
  return <>{children}</>;
}

function AdminOnly({ children }: { children: React.ReactNode }) {
  const { user } = useAuth();
  return isAdmin(user) ? <>{children}</> : <NotFound />;
}

/** An expired or revoked session goes to sign-in, then back to the page the person was on. */
function SessionExpiry() {
  const navigate = useNavigate();
  const location = useLocation();
  useEffect(() => {
    const onExpired = () => {
      if (location.pathname.startsWith('/signin')) return;
      navigate(`/signin?expired=1&next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true });
    };
    window.addEventListener(SESSION_EXPIRED, onExpired);
    return () => window.removeEventListener(SESSION_EXPIRED, onExpired);
  }, [navigate, location]);
  return null;
}

const loading = <p className="muted" role="status">Loading…</p>;

export function App() {
  return (
    <>
      <SessionExpiry />
      <Suspense fallback={loading}>
        <Routes>
          <Route path="/signin" element={<SignIn />} />
          <Route path="/signup" element={<SignUp />} />
          <Route element={<RequireAuth><Layout /></RequireAuth>}>
            <Route index element={<Navigate to="/machines" replace />} />
            <Route path="/dashboard" element={<Dashboard />} />
            <Route path="/machines" element={<Machines />} />
            <Route path="/machines/:agentId" element={<MachineDetail />} />
            <Route path="/terminal" element={<TerminalPage />} />
            <Route path="/terminal/:agentId" element={<TerminalPage />} />
            <Route path="/view/:agentId/:sessionId" element={<ViewerPage />} />
            <Route path="/sessions" element={<Sessions />} />
            <Route path="/sessions/:sessionId" element={<Replay />} />
            <Route path="/audit" element={<AdminOnly><Audit /></AdminOnly>} />
            <Route path="/admin" element={<AdminOnly><Admin /></AdminOnly>} />
            <Route path="/profile" element={<Profile />} />
            <Route path="/community" element={<Community />} />
            <Route path="*" element={<NotFound />} />
          </Route>
        </Routes>
      </Suspense>
    </>
  );
}
