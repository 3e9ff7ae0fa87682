import { useCallback, useState, type FormEvent, type ReactNode } from 'react';
import { api } from '../api/console-api.js';
import { InputFields } from '../components/input-fields.js';
import {
  TemplateVersionPicker,
  type PickedVersion,
} from '../components/template-version-picker.js';
import { ErrorBanner, PageHeader } from '../components/ui.js';
import { YamlSpecView } from '../components/yaml-spec-view.js';
import { useSpecSync } from '../hooks/use-spec-sync.js';
import { navigate, pathOf } from '../router.js';
import { initialRaw, rawFromSpec, typedValues, type RawValues } from '../schema/form-values.js';
import { parseTemplateSchema, type InputField } from '../schema/input-schema.js';
import { environmentSpecText, readEnvironmentSpec } from '../schema/spec-documents.js';
import { nameProblem, specValues } from '../schema/spec-values.js';

function EnvironmentForm(props: { picked: PickedVersion; fields: InputField[] }): ReactNode {
  const { picked, fields } = props;
  const toText = useCallback(
    (raw: RawValues) => environmentSpecText(specValues(fields, raw)),
    [fields],
  );
  const fromText = useCallback(
    (text: string) => rawFromSpec(fields, readEnvironmentSpec(text)),
    [fields],
  );
  const spec = useSpecSync<RawValues>(initialRaw(fields), toText, fromText);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [codebuildRoleArn, setCodebuildRoleArn] = useState('');
  const [protonServiceRoleArn, setProtonServiceRoleArn] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const typed = typedValues(fields, spec.state);
  const nameError = nameProblem(name);
  const invalid = !!nameError || Object.keys(typed.errors).length > 0 || !!spec.yamlError;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (invalid) return;
    setBusy(true);
    setError(undefined);
    try {
      await api.call('CreateEnvironment', {
        name,
        templateName: picked.templateName,
        templateMajorVersion: picked.version.majorVersion,
        templateMinorVersion: picked.version.minorVersion,
        spec: environmentSpecText(typed.values),
        ...(description ? { description } : {}),
        ...(codebuildRoleArn ? { codebuildRoleArn } : {}),
        ...(protonServiceRoleArn ? { protonServiceRoleArn } : {}),
      });
      navigate(pathOf('environments', name));
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <form className="form" onSubmit={(e) => void submit(e)} noValidate>
      <div className="card">
        <h2>Environment settings</h2>
        <div className={`field${submitted && nameError ? ' field-invalid' : ''}`}>
          <label htmlFor="environment-name">
            Name <span className="required">(required)</span>
          </label>
          <input
            id="environment-name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            autoComplete="off"
            spellCheck={false}
            aria-invalid={!!(name || submitted) && !!nameError}
            aria-describedby="environment-name-error"
          />
          <div id="environment-name-error" className="field-error" aria-live="polite">
            {(name || submitted) && nameError}
          </div>
        </div>
        <div className="field">
          <label htmlFor="environment-description">Description</label>
          <input
            id="environment-description"
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            maxLength={500}
          />
        </div>
        <details>
          <summary>Provisioning roles (optional)</summary>
          <div className="field">
            <label htmlFor="codebuild-role">CodeBuild role ARN</label>
            <input
              id="codebuild-role"
              value={codebuildRoleArn}
              onChange={(e) => setCodebuildRoleArn(e.target.value)}
              spellCheck={false}
            />
            <div className="hint">For templates provisioned by CodeBuild commands.</div>
          </div>
          <div className="field">
            <label htmlFor="proton-role">Proton service role ARN</label>
            <input
              id="proton-role"
              value={protonServiceRoleArn}
              onChange={(e) => setProtonServiceRoleArn(e.target.value)}
              spellCheck={false}
            />
            <div className="hint">For CloudFormation templates provisioned by Nucleon.</div>
          </div>
        </details>
      </div>
      <div className="card spec-editor">
        <div>
          <h2>Inputs</h2>
          {picked.provisioning === 'CUSTOMER_MANAGED' && (
            <p className="hint">
              This template is customer managed: enter the outputs of the infrastructure you manage
              elsewhere.
            </p>
          )}
          <InputFields
            fields={fields}
            values={spec.state}
            errors={typed.errors}
            showAllErrors={submitted}
            idPrefix="env-input"
            onChange={(k, v) => spec.update((s) => ({ ...s, [k]: v }))}
          />
        </div>
        <YamlSpecView yaml={spec.yaml} error={spec.yamlError} onEdit={spec.editYaml} />
      </div>
      <ErrorBanner error={error} title="Could not create the environment" />
      {submitted && invalid && !error && (
        <p className="field-error" role="alert">
          Fix the fields marked above first.
        </p>
      )}
      <div className="form-actions">
        <button type="button" onClick={() => navigate('/environments')}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create environment'}
        </button>
      </div>
    </form>
  );
}

/** The environment wizard: a template version, then a form generated from its schema. */
export function CreateEnvironmentPage(props: { template?: string }): ReactNode {
  const [picked, setPicked] = useState<PickedVersion>();
  let fields: InputField[] | undefined;
  let schemaError: unknown;
  try {
    fields = picked
      ? (parseTemplateSchema(picked.version.schema).environment?.fields ?? [])
      : undefined;
  } catch (e) {
    schemaError = e;
  }
  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Environments', to: '/environments' }]}
        title="Create environment"
      />
      <div className="card">
        <TemplateVersionPicker kind="environment" initial={props.template} onPicked={setPicked} />
      </div>
      <ErrorBanner error={schemaError} title="The version's schema cannot be read" />
      {picked && fields && (
        <EnvironmentForm key={picked.version.arn} picked={picked} fields={fields} />
      )}
    </>
  );
}
