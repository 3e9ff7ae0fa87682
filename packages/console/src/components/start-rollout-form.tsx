import { useState, type FormEvent, type ReactNode } from 'react';
import { api } from '../api/console-api.js';
import type { FleetSelector, FleetTemplateType } from '../api/fleet-shapes.js';
import { navigate, pathOf } from '../router.js';
import { CheckboxField, ErrorBanner } from './ui.js';

interface NumberField {
  key: 'waves' | 'maxInFlight' | 'bakeSeconds' | 'failureThreshold';
  label: string;
  hint: string;
  min: number;
}

const fields: NumberField[] = [
  {
    key: 'waves',
    label: 'Waves',
    hint: 'Equal parts of the instances, one after another.',
    min: 1,
  },
  {
    key: 'maxInFlight',
    label: 'Max in flight',
    hint: 'Deployments of a wave running at once.',
    min: 1,
  },
  {
    key: 'bakeSeconds',
    label: 'Bake (seconds)',
    hint: 'How long to watch a wave after it deployed before the next one starts.',
    min: 0,
  },
  {
    key: 'failureThreshold',
    label: 'Failure threshold',
    hint: 'Failed instances a wave may have before the rollout stops.',
    min: 0,
  },
];

type Values = Record<NumberField['key'], string>;

function errorsOf(values: Values): Partial<Values> {
  const errors: Partial<Values> = {};
  for (const f of fields) {
    const v = values[f.key].trim();
    if (!/^\d+$/.test(v) || Number(v) < f.min)
      errors[f.key] = `Give a whole number${f.min > 0 ? ` of at least ${f.min}` : ''}.`;
  }
  return errors;
}

/**
 * Starts a rollout of exactly what was previewed: the same template, version and selector, and
 * the preview's hash, which the server recomputes and refuses if anything changed since.
 */
export function StartRolloutForm(props: {
  templateName: string;
  templateType?: FleetTemplateType | undefined;
  major: string;
  minor: string;
  selector: FleetSelector | undefined;
  previewHash: string;
  instanceCount: number;
}): ReactNode {
  const [values, setValues] = useState<Values>({
    waves: String(Math.min(3, Math.max(1, props.instanceCount))),
    maxInFlight: '10',
    bakeSeconds: '60',
    failureThreshold: '0',
  });
  const [autoRollback, setAutoRollback] = useState(true);
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const errors = errorsOf(values);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(errors).length > 0) return;
    setBusy(true);
    setError(undefined);
    try {
      const { rollout } = await api.extension('StartRollout', {
        templateName: props.templateName,
        ...(props.templateType ? { templateType: props.templateType } : {}),
        targetMajorVersion: props.major,
        targetMinorVersion: props.minor,
        ...(props.selector ? { selector: props.selector } : {}),
        previewHash: props.previewHash,
        waves: Number(values.waves),
        maxInFlight: Number(values.maxInFlight),
        bakeSeconds: Number(values.bakeSeconds),
        failureThreshold: Number(values.failureThreshold),
        autoRollback,
      });
      navigate(pathOf('rollouts', rollout.rolloutId));
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <form className="card form start-rollout" onSubmit={(e) => void submit(e)} noValidate>
      <h2>Start rollout with this preview</h2>
      <p className="hint">
        The rollout takes the {props.instanceCount} previewed instance
        {props.instanceCount === 1 ? '' : 's'} and is bound to the preview{' '}
        <code>{props.previewHash.slice(0, 19)}…</code>: if anything it covers changed since, the
        server refuses to start it and you preview again.
      </p>
      <div className="filter-row">
        {fields.map((f) => (
          <div className="field" key={f.key}>
            <label htmlFor={`rollout-${f.key}`}>{f.label}</label>
            <input
              id={`rollout-${f.key}`}
              inputMode="numeric"
              value={values[f.key]}
              aria-invalid={submitted && !!errors[f.key]}
              aria-describedby={`rollout-${f.key}-hint`}
              onChange={(e) => setValues({ ...values, [f.key]: e.target.value })}
            />
            <div className="hint" id={`rollout-${f.key}-hint`}>
              {submitted && errors[f.key] ? (
                <span className="field-error">{errors[f.key]}</span>
              ) : (
                f.hint
              )}
            </div>
          </div>
        ))}
      </div>
      <CheckboxField id="rollout-auto-rollback" checked={autoRollback} onChange={setAutoRollback}>
        Roll back automatically: when a wave fails past the threshold, deploy every instance the
        rollout touched back to its previous version and inputs
      </CheckboxField>
      <ErrorBanner error={error} title="The rollout did not start" />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Starting…' : 'Start rollout with this preview'}
        </button>
      </div>
    </form>
  );
}
