import { useEffect, useState } from 'react';
import { NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { isAdmin, useAuth } from '../auth/AuthProvider';

const LINKS = [
  { to: '/dashboard', label: 'Dashboard' },
  { to: '/machines', label: 'Machines' },
  { to: '/terminal', label: 'Terminals' },
  { to: '/sessions', label: 'Sessions' },
  { to: '/community', label: 'Community' },
];

/** The signed-in frame: skip link, navigation, the page. */
export function Layout() {
  const { user, logout } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const [open, setOpen] = useState(false);
  useEffect(() => { setOpen(false); }, [location.pathname]);
  const links = [
    ...LINKS,
    ...(isAdmin(user) ? [{ to: '/audit', label: 'Audit' }, { to: '/admin', label: 'Administration' }] : []),
    { to: '/profile', label: 'Profile' },
  ];
  const full = location.pathname.startsWith('/terminal') || location.pathname.startsWith('/view');
  return (
    <div className={full ? 'app app-full' : 'app'}>
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="topbar">
        <NavLink to="/machines" className="brand" aria-label="WebXTerm home">▍WebXTerm</NavLink>
        <button type="button" className="btn menu-toggle" aria-expanded={open} aria-controls="main-nav" onClick={() => setOpen(!open)}>Menu</button>
        <nav id="main-nav" aria-label="Main" className={open ? 'nav open' : 'nav'}>
          <ul>
            {links.map((l) => <li key={l.to}><NavLink to={l.to}>{l.label}</NavLink></li>)}
          </ul>
        </nav>
        <div className="whoami">
          <span className="muted" title={user?.email}>{user?.username} · {user?.tenant_name ?? user?.tenant_id}</span>
          <button type="button" className="btn" onClick={async () => { await logout(); navigate('/signin', { replace: true }); }}>Sign out</button>
        </div>
      </header>
      <main id="main" tabIndex={-1} className={full ? 'main main-full' : 'main'}>
        <Outlet />
      </main>
    </div>
  );
}
