import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import type { Deployment, Output } from '@nucleon/protocol';
import { api, type DeploymentEvent, type RenderedFile } from '../api/console-api.js';
import { ErrorBanner, Facts, StatusBadge, formatTime, isRunning } from './ui.js';

const POLL_MS = 1000;

interface Details {
  deployment: Deployment;
  engine?: string;
  operation?: string;
  outputs?: Output[];
}

const clock = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

/** Follows a deployment: its log streams in (polled every second while it runs), then its rendered files. */
export function DeploymentLog(props: {
  id: string;
  onFinished?: (status: string) => void;
}): ReactNode {
  const [details, setDetails] = useState<Details>();
  const [events, setEvents] = useState<DeploymentEvent[]>([]);
  const [files, setFiles] = useState<RenderedFile[]>();
  const [error, setError] = useState<unknown>();
  const logRef = useRef<HTMLPreElement>(null);
  const stickToBottom = useRef(true);
  const onFinished = useRef(props.onFinished);
  onFinished.current = props.onFinished;

  useEffect(() => {
    let stopped = false;
    let timer: number | undefined;
    let afterEventId = 0;
    let sawRunning = false;
    setEvents([]);
    setFiles(undefined);
    setDetails(undefined);
    const poll = async (includeRendered: boolean) => {
      try {
        const d = await api.extension('GetDeploymentDetails', {
          id: props.id,
          afterEventId,
          includeRendered,
        });
        if (stopped) return;
        setError(undefined);
        if (d.events.length > 0) {
          afterEventId = d.events[d.events.length - 1]!.id;
          setEvents((e) => [...e, ...d.events]);
        }
        setDetails({
          deployment: d.deployment,
          engine: d.engine,
          operation: d.operation,
          outputs: d.outputs,
        });
        if (d.renderedFiles) setFiles(d.renderedFiles);
        const running = isRunning(d.deployment.deploymentStatus);
        if (running) {
          sawRunning = true;
          timer = window.setTimeout(() => void poll(false), POLL_MS);
        } else if (sawRunning) {
          // Just finished: one last read for the final lines and the rendered files.
          sawRunning = false;
          void poll(true);
          onFinished.current?.(d.deployment.deploymentStatus);
        }
      } catch (e) {
        if (stopped) return;
        setError(e);
        timer = window.setTimeout(() => void poll(includeRendered), POLL_MS * 3);
      }
    };
    void poll(true);
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [props.id]);

  useLayoutEffect(() => {
    const el = logRef.current;
    if (el && stickToBottom.current) el.scrollTop = el.scrollHeight;
  }, [events]);

  const d = details?.deployment;
  return (
    <div className="deployment-log" data-deployment-id={props.id}>
      <ErrorBanner error={error} title="Could not read the deployment (retrying)" />
      {d && (
        <Facts
          items={[
            ['Status', <StatusBadge key="s" status={d.deploymentStatus} />],
            ['Message', d.deploymentStatusMessage],
            [
              'Operation',
              details?.operation && details.engine
                ? `${details.operation.toLowerCase()} with ${details.engine}`
                : details?.operation,
            ],
            ['Started', formatTime(d.createdAt)],
            [
              'Completed',
              d.completedAt
                ? formatTime(d.completedAt)
                : isRunning(d.deploymentStatus)
                  ? 'still running'
                  : '—',
            ],
          ]}
        />
      )}
      <h3 id={`log-${props.id}`}>Log</h3>
      <pre
        ref={logRef}
        className="log"
        role="log"
        aria-live="polite"
        aria-labelledby={`log-${props.id}`}
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        {events.length === 0 ? (
          <span className="muted">
            {d && isRunning(d.deploymentStatus) ? 'Waiting for output…' : 'No log lines.'}
          </span>
        ) : (
          events.map((e) => (
            <span key={e.id} className={`log-line log-${e.kind}`}>
              <span className="log-time">{clock.format(e.at)}</span> {e.message}
              {'\n'}
            </span>
          ))
        )}
      </pre>
      {files && files.length > 0 && (
        <>
          <h3>Rendered files</h3>
          <p className="hint">
            Exactly what this deployment ran, after rendering the template with its inputs.
          </p>
          {files.map((f) => (
            <details key={f.path} className="rendered-file">
              <summary>
                <code>{f.path}</code>
              </summary>
              <pre className="code">{f.content}</pre>
            </details>
          ))}
        </>
      )}
    </div>
  );
}
