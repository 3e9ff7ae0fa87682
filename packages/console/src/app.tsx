import { useEffect, useRef, useState, type ReactNode } from 'react';
import { api, type SessionInfo } from './api/console-api.js';
import { ErrorBanner, Loading } from './components/ui.js';
import { AccessProvider, accessOf, type Access } from './hooks/use-access.js';
import { AccessKeysPage } from './pages/access-keys-page.js';
import { AuditPage } from './pages/audit-page.js';
import { CurrencyPage } from './pages/currency-page.js';
import { DriftPage } from './pages/drift-page.js';
import { PreviewPage } from './pages/preview-page.js';
import { ImportPage } from './pages/import-page.js';
import { RolloutPage, RolloutsPage } from './pages/rollouts-page.js';
import { ComponentPage } from './pages/component-page.js';
import { ConnectPage } from './pages/connect-page.js';
import { CreateEnvironmentPage } from './pages/create-environment-page.js';
import { CreateServicePage } from './pages/create-service-page.js';
import { DashboardPage } from './pages/dashboard-page.js';
import { EnvironmentGraphPage } from './pages/environment-graph-page.js';
import { EnvironmentPage } from './pages/environment-page.js';
import { EnvironmentsPage } from './pages/environments-page.js';
import { InstancePage } from './pages/instance-page.js';
import { ServicePage } from './pages/service-page.js';
import { ServicesPage } from './pages/services-page.js';
import { SignInPage } from './pages/sign-in-page.js';
import { TemplatePage } from './pages/template-page.js';
import { TemplatesPage } from './pages/templates-page.js';
import { UsersPage } from './pages/users-page.js';
import { Link, matchPath, navigate, useLocation, type Location } from './router.js';

/** Pages, with the action a principal needs to see them (admin pages are hidden from others). */
const nav: Array<{ to: string; label: string; needs?: string; also?: string[] }> = [
  { to: '/', label: 'Dashboard' },
  { to: '/templates', label: 'Templates' },
  { to: '/environments', label: 'Environments' },
  { to: '/services', label: 'Services' },
  // Rollouts, preview, drift and currency; the fleet pages have their own tabs.
  {
    to: '/rollouts',
    label: 'Fleet',
    needs: 'deployments:read',
    also: ['/preview', '/drift', '/currency'],
  },
  { to: '/users', label: 'Users', needs: 'access:read' },
  { to: '/keys', label: 'Access keys', needs: 'access:read' },
  { to: '/audit', label: 'Audit', needs: 'audit:read' },
  { to: '/import', label: 'Import', needs: 'access:write' },
  { to: '/connect', label: 'Connect tools' },
];

/** Pages that change things or administer the server, with the action they need. */
const guarded: Array<{ path: string; needs: string; what: string }> = [
  { path: '/create/environment', needs: 'environments:write', what: 'create environments' },
  { path: '/create/service', needs: 'services:write', what: 'create services' },
  { path: '/users', needs: 'access:read', what: 'manage users and grants' },
  { path: '/keys', needs: 'access:read', what: 'manage access keys' },
  { path: '/audit', needs: 'audit:read', what: 'read the audit log' },
  { path: '/preview', needs: 'deployments:write', what: 'preview or start rollouts' },
  { path: '/drift', needs: 'deployments:read', what: 'read the drift report' },
  { path: '/currency', needs: 'deployments:read', what: 'read version currency' },
  { path: '/import', needs: 'access:write', what: 'import what AWS Proton left behind' },
];

function routeOf(location: Location, session: SessionInfo, access: Access): ReactNode {
  const { path, query } = location;
  const m = (pattern: string) => matchPath(pattern, path);
  let p: Record<string, string> | undefined;
  const refused = guarded.find((g) => g.path === path && !access.can(g.needs));
  if (refused) {
    return (
      <div className="card">
        <h1>Not allowed</h1>
        <p>
          Your role (<code>{access.caller.role}</code>) may not {refused.what}. Ask an admin if you
          need to. <Link to="/">Go to the dashboard</Link>.
        </p>
      </div>
    );
  }
  if (path === '/') return <DashboardPage />;
  if (path === '/users') return <UsersPage />;
  if (path === '/keys') return <AccessKeysPage />;
  if (path === '/audit') return <AuditPage />;
  if (path === '/import') return <ImportPage />;
  if (path === '/rollouts') return <RolloutsPage />;
  if ((p = m('/rollouts/:id'))) return <RolloutPage id={p.id!} />;
  if (path === '/preview')
    return (
      <PreviewPage
        template={query.get('template') ?? undefined}
        to={query.get('to') ?? undefined}
        kind={query.get('kind') === 'environment' ? 'ENVIRONMENT' : undefined}
      />
    );
  if (path === '/drift') return <DriftPage />;
  if (path === '/currency') return <CurrencyPage />;
  if (path === '/connect') return <ConnectPage accessKeyId={session.accessKeyId || undefined} />;
  if (path === '/templates') return <TemplatesPage />;
  if ((p = m('/templates/:kind/:name')) && (p.kind === 'environment' || p.kind === 'service'))
    return <TemplatePage kind={p.kind} name={p.name!} />;
  if (path === '/environments') return <EnvironmentsPage />;
  if (path === '/create/environment')
    return <CreateEnvironmentPage template={query.get('template') ?? undefined} />;
  if ((p = m('/environments/:name'))) return <EnvironmentPage name={p.name!} />;
  if ((p = m('/environments/:name/graph'))) return <EnvironmentGraphPage name={p.name!} />;
  if ((p = m('/components/:name'))) return <ComponentPage name={p.name!} />;
  if (path === '/services') return <ServicesPage />;
  if (path === '/create/service')
    return <CreateServicePage template={query.get('template') ?? undefined} />;
  if ((p = m('/services/:name'))) return <ServicePage name={p.name!} />;
  if ((p = m('/services/:service/instances/:name')))
    return <InstancePage serviceName={p.service!} name={p.name!} />;
  return (
    <div className="card">
      <h1>Page not found</h1>
      <p>
        There is no console page at <code>{path}</code>. <Link to="/">Go to the dashboard</Link>.
      </p>
    </div>
  );
}

function Shell(props: {
  session: SessionInfo;
  access: Access;
  onSignOut: () => void;
  children: ReactNode;
}): ReactNode {
  const { path } = useLocation();
  const under = (to: string) => path === to || path.startsWith(`${to}/`);
  const active = (n: (typeof nav)[number]) =>
    n.to === '/' ? path === '/' : [n.to, ...(n.also ?? [])].some(under);
  // After moving to another page, put keyboard and screen-reader focus at its start.
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) first.current = false;
    else main.current?.focus({ preventScroll: true });
  }, [path]);
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand">
          <span className="brand-mark" aria-hidden="true">
            ◎
          </span>{' '}
          Nucleon
        </Link>
        <nav aria-label="Main" className="main-nav">
          {nav
            .filter((n) => !n.needs || props.access.can(n.needs))
            .map((n) => (
              <Link key={n.to} to={n.to} aria-current={active(n) ? 'page' : undefined}>
                {n.label}
              </Link>
            ))}
        </nav>
        <div className="who">
          {props.access.caller.userName ? (
            <span
              title={
                props.session.accessKeyId
                  ? `Signed in as this user, with the access key ${props.session.accessKeyId}`
                  : 'Signed in as this user, with a password'
              }
            >
              <code>{props.access.caller.userName}</code>
            </span>
          ) : (
            <span title="Signed in with this access key">
              <code>{props.session.accessKeyId}</code>
            </span>
          )}
          <span className="chip" title="Your role: the console shows only what it allows">
            {props.access.caller.role}
          </span>
          <button type="button" onClick={props.onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" className="content" ref={main} tabIndex={-1}>
        {props.children}
      </main>
    </>
  );
}

/** The console: a session check, then the signed-in shell and its pages. */
export function App(): ReactNode {
  const [session, setSession] = useState<SessionInfo | null | undefined>(undefined);
  const [access, setAccess] = useState<Access>();
  const [error, setError] = useState<unknown>();
  const location = useLocation();

  useEffect(() => {
    api.currentSession().then((s) => setSession(s ?? null), setError);
    return api.onSignedOut(() => setSession(null));
  }, []);

  // Who the principal is and what it may do: asked once per session.
  useEffect(() => {
    setAccess(undefined);
    if (!session) return;
    let live = true;
    api.extension('GetCallerAccess', {}).then(
      (caller) => live && setAccess(accessOf(caller)),
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [session]);

  const signOut = async () => {
    try {
      await api.signOut();
    } finally {
      setSession(null);
      navigate('/', { replace: true });
    }
  };

  if (error)
    return <ErrorBanner error={error} title="The console cannot reach the Nucleon server" />;
  if (session === undefined) return <Loading what="the console" />;
  if (session === null) return <SignInPage onSignedIn={setSession} />;
  if (!access) return <Loading what="your access" />;
  return (
    <AccessProvider access={access}>
      <Shell session={session} access={access} onSignOut={() => void signOut()}>
        {routeOf(location, session, access)}
      </Shell>
    </AccessProvider>
  );
}
