import { useState, type ReactNode } from 'react';
import { api } from '../api/console-api.js';
import { useCan } from '../hooks/use-access.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { ErrorBanner } from './ui.js';

/**
 * Pause, resume and abort for a running rollout (deployments:write). Pausing stops new starts
 * and aborting skips every pending instance; deployments already running finish either way.
 */
export function RolloutActions(props: {
  rolloutId: string;
  status: string;
  onChanged(): void;
}): ReactNode {
  const allowed = useCan('deployments:write');
  const [busy, setBusy] = useState(false);
  const [aborting, setAborting] = useState(false);
  const [error, setError] = useState<unknown>();
  if (!allowed || (props.status !== 'IN_PROGRESS' && props.status !== 'PAUSED')) return null;

  const act = async (op: 'PauseRollout' | 'ResumeRollout') => {
    setBusy(true);
    setError(undefined);
    try {
      await api.extension(op, { rolloutId: props.rolloutId });
      props.onChanged();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      {props.status === 'IN_PROGRESS' ? (
        <button type="button" disabled={busy} onClick={() => void act('PauseRollout')}>
          Pause
        </button>
      ) : (
        <button type="button" disabled={busy} onClick={() => void act('ResumeRollout')}>
          Resume
        </button>
      )}
      <button type="button" className="danger" disabled={busy} onClick={() => setAborting(true)}>
        Abort
      </button>
      <ErrorBanner error={error} title="The rollout did not change" />
      {aborting && (
        <ConfirmDialog
          title="Abort this rollout?"
          confirmLabel="Abort rollout"
          danger
          onClose={() => setAborting(false)}
          onConfirm={async () => {
            await api.extension('AbortRollout', { rolloutId: props.rolloutId });
            props.onChanged();
          }}
        >
          <p>
            Instances not started yet are skipped and nothing is rolled back; deployments already
            running finish (cancel them on their instance pages if needed).
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}
