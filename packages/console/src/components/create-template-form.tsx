import { useState, type FormEvent, type ReactNode } from 'react';
import { api } from '../api/console-api.js';
import { navigate, pathOf } from '../router.js';
import { ErrorBanner } from './ui.js';

const NAME_PATTERN = /^[0-9A-Za-z]+[0-9A-Za-z_\-]*$/;

/** Creates an empty environment or service template; versions are uploaded on its page. */
export function CreateTemplateForm(props: { onCancel: () => void }): ReactNode {
  const [kind, setKind] = useState<'environment' | 'service'>('environment');
  const [name, setName] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [description, setDescription] = useState('');
  const [customerManaged, setCustomerManaged] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const nameError =
    name && !NAME_PATTERN.test(name)
      ? 'Use letters, digits, - and _, starting with a letter or digit.'
      : undefined;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (nameError) return;
    setBusy(true);
    setError(undefined);
    const common = {
      name,
      ...(displayName ? { displayName } : {}),
      ...(description ? { description } : {}),
    };
    try {
      if (kind === 'environment')
        await api.call('CreateEnvironmentTemplate', {
          ...common,
          ...(customerManaged ? { provisioning: 'CUSTOMER_MANAGED' as const } : {}),
        });
      else
        await api.call('CreateServiceTemplate', {
          ...common,
          ...(customerManaged ? { pipelineProvisioning: 'CUSTOMER_MANAGED' as const } : {}),
        });
      navigate(pathOf('templates', kind, name));
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <form
      className="card form"
      onSubmit={(e) => void submit(e)}
      aria-labelledby="create-template-title"
    >
      <h2 id="create-template-title">New template</h2>
      <fieldset className="radio-row">
        <legend>Kind</legend>
        <label>
          <input
            type="radio"
            name="kind"
            value="environment"
            checked={kind === 'environment'}
            onChange={() => setKind('environment')}
          />{' '}
          Environment template
        </label>
        <label>
          <input
            type="radio"
            name="kind"
            value="service"
            checked={kind === 'service'}
            onChange={() => setKind('service')}
          />{' '}
          Service template
        </label>
      </fieldset>
      <div className={`field${nameError ? ' field-invalid' : ''}`}>
        <label htmlFor="template-name">
          Name <span className="required">(required)</span>
        </label>
        <input
          id="template-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
          maxLength={100}
          aria-invalid={!!nameError}
          aria-describedby="template-name-error"
          autoComplete="off"
        />
        <div id="template-name-error" className="field-error" aria-live="polite">
          {nameError}
        </div>
      </div>
      <div className="field">
        <label htmlFor="template-display-name">Display name</label>
        <input
          id="template-display-name"
          value={displayName}
          onChange={(e) => setDisplayName(e.target.value)}
          maxLength={100}
        />
      </div>
      <div className="field">
        <label htmlFor="template-description">Description</label>
        <textarea
          id="template-description"
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          maxLength={500}
          rows={2}
        />
      </div>
      <div className="field field-checkbox">
        <label htmlFor="template-customer-managed">
          {kind === 'environment' ? 'Customer managed' : 'No pipeline'}
        </label>
        <input
          id="template-customer-managed"
          type="checkbox"
          checked={customerManaged}
          onChange={(e) => setCustomerManaged(e.target.checked)}
          aria-describedby="template-customer-managed-hint"
        />
        <div id="template-customer-managed-hint" className="hint">
          {kind === 'environment'
            ? 'The environment is provisioned outside Nucleon; the template only describes its outputs (provisioning: CUSTOMER_MANAGED).'
            : 'Services from this template have instances but no pipeline (pipelineProvisioning: CUSTOMER_MANAGED).'}
        </div>
      </div>
      <ErrorBanner error={error} title="Could not create the template" />
      <div className="form-actions">
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={busy || !name || !!nameError}>
          {busy ? 'Creating…' : 'Create template'}
        </button>
      </div>
    </form>
  );
}
