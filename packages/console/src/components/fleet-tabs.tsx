import type { ReactNode } from 'react';
import { useAccess } from '../hooks/use-access.js';
import { Link, useLocation } from '../router.js';

/** The fleet pages and the action each needs (the server refuses the rest anyway). */
export const fleetPages: Array<{ to: string; label: string; needs: string }> = [
  { to: '/rollouts', label: 'Rollouts', needs: 'deployments:read' },
  { to: '/preview', label: 'Preview', needs: 'deployments:write' },
  { to: '/drift', label: 'Drift', needs: 'deployments:read' },
  { to: '/currency', label: 'Currency', needs: 'deployments:read' },
];

/** The tabs above every fleet page: rollouts, impact preview, drift and version currency. */
export function FleetTabs(): ReactNode {
  const access = useAccess();
  const { path } = useLocation();
  return (
    <nav aria-label="Fleet" className="tabs">
      {fleetPages
        .filter((p) => access.can(p.needs))
        .map((p) => (
          <Link
            key={p.to}
            to={p.to}
            aria-current={path === p.to || path.startsWith(`${p.to}/`) ? 'page' : undefined}
          >
            {p.label}
          </Link>
        ))}
    </nav>
  );
}
