import { useState, type ReactNode } from 'react';
import { api } from '../api/console-api.js';
import type { DriftEntry } from '../api/fleet-shapes.js';
import { useCan } from '../hooks/use-access.js';
import { useQuery } from '../hooks/use-query.js';
import { Link, pathOf } from '../router.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { StatusBadge, formatTime, isRunning } from './ui.js';
import { UnifiedDiff } from './unified-diff.js';

/** Where a drift entry's resource lives in the console. */
export function driftEntryPath(e: DriftEntry): string {
  return e.kind === 'ENVIRONMENT'
    ? pathOf('environments', e.name)
    : pathOf('services', e.serviceName ?? '', 'instances', e.name);
}

export const driftEntryLabel = (e: DriftEntry) =>
  e.kind === 'ENVIRONMENT' ? e.name : `${e.serviceName ?? '?'}/${e.name}`;

/** The resource's deployment status, live until its deployment ends. */
function DeploymentStatus(props: { entry: DriftEntry }): ReactNode {
  const { entry } = props;
  const query = useQuery(
    async () =>
      entry.kind === 'ENVIRONMENT'
        ? (await api.call('GetEnvironment', { name: entry.name })).environment
        : (
            await api.call('GetServiceInstance', {
              serviceName: entry.serviceName ?? '',
              name: entry.name,
            })
          ).serviceInstance,
    [entry.kind, entry.serviceName, entry.name],
    { pollMs: 1500, pollWhile: (d) => !d || isRunning(d.deploymentStatus) },
  );
  const status = query.data?.deploymentStatus;
  return (
    <p role="status" className="redeploy-status">
      Redeploy started: <StatusBadge status={status ?? 'IN_PROGRESS'} />{' '}
      {status && !isRunning(status) && 'Check again to see whether it converged.'}
    </p>
  );
}

/** Redeploys the resource on its current version and inputs, after asking. */
function RedeployAction(props: { entry: DriftEntry; onStarted(): void }): ReactNode {
  const { entry } = props;
  const environment = entry.kind === 'ENVIRONMENT';
  const allowed = useCan(environment ? 'environments:write' : 'services:write');
  const [asking, setAsking] = useState(false);
  const label = driftEntryLabel(entry);
  if (!allowed)
    return (
      <p className="hint">
        To converge it, someone allowed to deploy {environment ? 'environments' : 'services'}{' '}
        redeploys it on its current version.
      </p>
    );
  return (
    <>
      <button type="button" className="primary" onClick={() => setAsking(true)}>
        Redeploy {label} to converge
      </button>
      {asking && (
        <ConfirmDialog
          title={`Redeploy ${label}?`}
          confirmLabel="Redeploy"
          onClose={() => setAsking(false)}
          onConfirm={async () => {
            if (environment)
              await api.call('UpdateEnvironment', {
                name: entry.name,
                deploymentType: 'CURRENT_VERSION',
              });
            else
              await api.call('UpdateServiceInstance', {
                serviceName: entry.serviceName ?? '',
                name: entry.name,
                deploymentType: 'CURRENT_VERSION',
              });
            props.onStarted();
          }}
        >
          <p>
            {label} is deployed again on {entry.templateName} {entry.version} with its current
            inputs: what its template renders now replaces what drifted
            {entry.stack?.stackName ? (
              <>
                {' '}
                (the stack <code>{entry.stack.stackName}</code> is updated back to the rendered
                template)
              </>
            ) : (
              ''
            )}
            .
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}

/** Accepts the drift as observed (AcceptDrift with the report's fingerprint), after asking. */
function AcceptAction(props: {
  entry: DriftEntry;
  onAccepted: (e: DriftEntry) => void;
}): ReactNode {
  const { entry } = props;
  const allowed = useCan('deployments:write');
  const [asking, setAsking] = useState(false);
  const label = driftEntryLabel(entry);
  if (!allowed || !entry.driftFingerprint)
    return (
      <p className="hint">
        Someone allowed to deploy the fleet (deployments:write) can accept this drift as it is.
      </p>
    );
  return (
    <>
      <button type="button" onClick={() => setAsking(true)}>
        Accept the drift of {label}
      </button>
      {asking && (
        <ConfirmDialog
          title={`Accept the drift of ${label}?`}
          confirmLabel="Accept drift"
          onClose={() => setAsking(false)}
          onConfirm={async () => {
            const { resource } = await api.extension('AcceptDrift', {
              ...(entry.kind === 'ENVIRONMENT'
                ? { environmentName: entry.name }
                : { serviceName: entry.serviceName ?? '', serviceInstanceName: entry.name }),
              driftFingerprint: entry.driftFingerprint ?? '',
            });
            props.onAccepted(resource);
          }}
        >
          <p>
            {label} stays as it is now and drift reports show it as accepted instead of drifted,
            until it drifts differently or is deployed again (a deployment converges it). Nothing is
            deployed.
          </p>
          <p className="hint">
            Drift fingerprint <code>{entry.driftFingerprint}</code>
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}

/** One drifted (or accepted) resource: what differs, from where, and what to do about it. */
export function DriftEntryCard(props: {
  entry: DriftEntry;
  onAccepted: (e: DriftEntry) => void;
}): ReactNode {
  const e = props.entry;
  const [redeploying, setRedeploying] = useState(false);
  const label = driftEntryLabel(e);
  const detection = e.stack?.detection;
  return (
    <article className="card drift-entry" aria-label={`Drift of ${label}`} data-resource={label}>
      <h3>
        <Link to={driftEntryPath(e)}>{label}</Link>{' '}
        <span className="muted">
          {e.kind === 'ENVIRONMENT' ? 'environment' : `instance in ${e.environmentName ?? '?'}`} ·{' '}
          {e.templateName} {e.version}
          {e.engine ? ` · ${e.engine}` : ''}
        </span>
      </h3>
      {(e.renderedChanges ?? []).length > 0 && (
        <>
          <h4>Its template renders differently now</h4>
          <p className="hint">
            Deployed files (left) against what the template renders with today's inputs and outputs
            (right).
          </p>
          {e.renderedChanges!.map((c) =>
            c.diff ? (
              <UnifiedDiff key={c.path} diff={c.diff} label={`Diff of ${c.path} for ${label}`} />
            ) : (
              <p key={c.path}>
                <code>{c.path}</code> changed.
              </p>
            ),
          )}
        </>
      )}
      {e.stack && (
        <>
          <h4>
            Stack <code>{e.stack.stackName}</code>
          </h4>
          {e.stack.note && <p className="callout callout-danger">{e.stack.note}</p>}
          {e.stack.templateDiff && (
            <>
              <p className="hint">
                The template Nucleon deployed (−) against the stack's template now (+): the stack
                was changed outside Nucleon.
              </p>
              <UnifiedDiff diff={e.stack.templateDiff} label={`Stack template diff for ${label}`} />
            </>
          )}
          {detection && (
            <div>
              <p>
                CloudFormation drift detection: <StatusBadge status={detection.stackDriftStatus} />
              </p>
              {(detection.resources ?? []).length > 0 && (
                <ul className="plain-list">
                  {detection.resources!.map((d) => (
                    <li key={d.logicalResourceId}>
                      <code>{d.logicalResourceId}</code> ({d.resourceType}):{' '}
                      {d.driftStatus?.toLowerCase()}
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}
          {e.stack.detectionNote && <p className="hint">{e.stack.detectionNote}</p>}
        </>
      )}
      {e.acceptance && (
        <p className="callout" data-drift-accepted={label}>
          Drift accepted by {e.acceptance.acceptedBy} {formatTime(e.acceptance.acceptedAt)}: it is
          reported again if it drifts differently, and a deployment converges it.
        </p>
      )}
      <div className="drift-actions">
        <h4>Actions</h4>
        {(e.actions ?? []).map((action) =>
          action.startsWith('accept') ? (
            redeploying ? null : (
              <AcceptAction key={action} entry={e} onAccepted={props.onAccepted} />
            )
          ) : !action.startsWith('redeploy') ? (
            <p key={action}>{action}</p>
          ) : redeploying ? (
            <DeploymentStatus key={action} entry={e} />
          ) : (
            <RedeployAction key={action} entry={e} onStarted={() => setRedeploying(true)} />
          ),
        )}
        <p className="hint">
          To keep an out-of-band change for good, put it in the template and publish a new version.
        </p>
      </div>
    </article>
  );
}
