import { useCallback, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { EnvironmentSummary } from '@nucleon/protocol';
import { api } from '../api/console-api.js';
import { listAll } from '../api/list-all.js';
import { InputFields } from '../components/input-fields.js';
import {
  TemplateVersionPicker,
  type PickedVersion,
} from '../components/template-version-picker.js';
import { EmptyState, ErrorBanner, Loading, PageHeader } from '../components/ui.js';
import { YamlSpecView } from '../components/yaml-spec-view.js';
import { useQuery } from '../hooks/use-query.js';
import { useSpecSync } from '../hooks/use-spec-sync.js';
import { Link, navigate, pathOf } from '../router.js';
import { initialRaw, rawFromSpec, typedValues, type RawValues } from '../schema/form-values.js';
import { parseTemplateSchema, type InputField } from '../schema/input-schema.js';
import { readServiceSpec, serviceSpecText } from '../schema/spec-documents.js';
import { nameProblem, specValues } from '../schema/spec-values.js';

interface InstanceForm {
  key: string;
  name: string;
  environment: string;
  raw: RawValues;
}

interface ServiceForm {
  pipeline: RawValues;
  instances: InstanceForm[];
}

interface Schema {
  service: InputField[];
  /** Present when services of this version get a pipeline. */
  pipeline: InputField[] | undefined;
}

function TextField(props: {
  id: string;
  label: string;
  value: string;
  onChange(v: string): void;
  error?: string | undefined;
  hint?: string;
  required?: boolean;
}): ReactNode {
  return (
    <div className={`field${props.error ? ' field-invalid' : ''}`}>
      <label htmlFor={props.id}>
        {props.label}
        {props.required && <span className="required"> (required)</span>}
      </label>
      <input
        id={props.id}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        autoComplete="off"
        spellCheck={false}
        aria-invalid={!!props.error}
        aria-describedby={`${props.id}-hint ${props.id}-error`}
      />
      {props.hint && (
        <div id={`${props.id}-hint`} className="hint">
          {props.hint}
        </div>
      )}
      <div id={`${props.id}-error`} className="field-error" aria-live="polite">
        {props.error}
      </div>
    </div>
  );
}

function ServiceFormView(props: {
  picked: PickedVersion;
  schema: Schema;
  environments: EnvironmentSummary[];
}): ReactNode {
  const { picked, schema, environments } = props;
  const counter = useRef(1);
  const newInstance = (): InstanceForm => ({
    key: `i${counter.current++}`,
    name: '',
    environment: environments[0]?.name ?? '',
    raw: initialRaw(schema.service),
  });
  const toText = useCallback(
    (s: ServiceForm) =>
      serviceSpecText({
        ...(schema.pipeline ? { pipeline: specValues(schema.pipeline, s.pipeline) } : {}),
        instances: s.instances.map((i) => ({
          name: i.name,
          environment: i.environment,
          spec: specValues(schema.service, i.raw),
        })),
      }),
    [schema],
  );
  const fromText = useCallback(
    (text: string): ServiceForm => {
      const doc = readServiceSpec(text);
      return {
        pipeline: rawFromSpec(schema.pipeline ?? [], doc.pipeline),
        instances: doc.instances.map((i, n) => ({
          key: `y${n}`,
          name: i.name,
          environment: i.environment,
          raw: rawFromSpec(schema.service, i.spec),
        })),
      };
    },
    [schema],
  );
  const spec = useSpecSync<ServiceForm>(
    { pipeline: initialRaw(schema.pipeline ?? []), instances: [newInstance()] },
    toText,
    fromText,
  );
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [repo, setRepo] = useState({
    repositoryConnectionArn: '',
    repositoryId: '',
    branchName: '',
  });
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const show = (e: string | undefined, value: string) => (submitted || value ? e : undefined);
  const nameError = nameProblem(name);
  const pipelineTyped = typedValues(schema.pipeline ?? [], spec.state.pipeline);
  const instances = spec.state.instances.map((i, n) => ({
    form: i,
    typed: typedValues(schema.service, i.raw),
    nameError:
      nameProblem(i.name) ??
      (spec.state.instances.findIndex((o) => o.name === i.name) !== n
        ? 'Each instance needs its own name.'
        : undefined),
    envError: environments.some((e) => e.name === i.environment)
      ? undefined
      : 'Choose a compatible environment.',
  }));
  const invalid =
    !!nameError ||
    !!spec.yamlError ||
    instances.length === 0 ||
    Object.keys(pipelineTyped.errors).length > 0 ||
    instances.some((i) => i.nameError || i.envError || Object.keys(i.typed.errors).length > 0);
  const setInstance = (key: string, change: Partial<InstanceForm>) =>
    spec.update((s) => ({
      ...s,
      instances: s.instances.map((i) => (i.key === key ? { ...i, ...change } : i)),
    }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (invalid) return;
    setBusy(true);
    setError(undefined);
    try {
      const text = serviceSpecText({
        ...(schema.pipeline ? { pipeline: pipelineTyped.values } : {}),
        instances: instances.map((i) => ({
          name: i.form.name,
          environment: i.form.environment,
          spec: i.typed.values,
        })),
      });
      const repository = schema.pipeline
        ? Object.fromEntries(Object.entries(repo).filter(([, v]) => v))
        : {};
      await api.call('CreateService', {
        name,
        templateName: picked.templateName,
        templateMajorVersion: picked.version.majorVersion,
        templateMinorVersion: picked.version.minorVersion,
        spec: text,
        ...(description ? { description } : {}),
        ...repository,
      });
      navigate(pathOf('services', name));
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <form className="form" onSubmit={(e) => void submit(e)} noValidate>
      <div className="card">
        <h2>Service settings</h2>
        <TextField
          id="service-name"
          label="Name"
          required
          value={name}
          onChange={setName}
          error={show(nameError, name)}
        />
        <TextField
          id="service-description"
          label="Description"
          value={description}
          onChange={setDescription}
        />
      </div>
      <div className="card spec-editor">
        <div>
          {schema.pipeline && (
            <fieldset className="instance">
              <legend>Pipeline</legend>
              <TextField
                id="repo-connection"
                label="Repository connection ARN"
                value={repo.repositoryConnectionArn}
                onChange={(v) => setRepo({ ...repo, repositoryConnectionArn: v })}
              />
              <TextField
                id="repo-id"
                label="Repository (owner/name)"
                value={repo.repositoryId}
                onChange={(v) => setRepo({ ...repo, repositoryId: v })}
              />
              <TextField
                id="repo-branch"
                label="Branch"
                value={repo.branchName}
                onChange={(v) => setRepo({ ...repo, branchName: v })}
              />
              <InputFields
                fields={schema.pipeline}
                values={spec.state.pipeline}
                errors={pipelineTyped.errors}
                showAllErrors={submitted}
                idPrefix="pipeline-input"
                onChange={(k, v) =>
                  spec.update((s) => ({ ...s, pipeline: { ...s.pipeline, [k]: v } }))
                }
              />
            </fieldset>
          )}
          {instances.map(({ form, typed, nameError: instanceNameError, envError }, n) => (
            <fieldset key={form.key} className="instance" data-instance={n}>
              <legend>Instance {n + 1}</legend>
              <TextField
                id={`${form.key}-name`}
                label="Instance name"
                required
                value={form.name}
                onChange={(v) => setInstance(form.key, { name: v })}
                error={show(instanceNameError, form.name)}
              />
              <div className={`field${submitted && envError ? ' field-invalid' : ''}`}>
                <label htmlFor={`${form.key}-environment`}>Environment</label>
                <select
                  id={`${form.key}-environment`}
                  value={form.environment}
                  onChange={(e) => setInstance(form.key, { environment: e.target.value })}
                  aria-invalid={submitted && !!envError}
                >
                  {!environments.some((e) => e.name === form.environment) && (
                    <option value={form.environment}>— choose —</option>
                  )}
                  {environments.map((e) => (
                    <option key={e.name} value={e.name}>
                      {e.name} ({e.templateName} {e.templateMajorVersion}.{e.templateMinorVersion}
                      {e.deploymentStatus === 'SUCCEEDED'
                        ? ''
                        : `, ${e.deploymentStatus.toLowerCase()}`}
                      )
                    </option>
                  ))}
                </select>
                <div className="field-error">{submitted && envError}</div>
              </div>
              <InputFields
                fields={schema.service}
                values={form.raw}
                errors={typed.errors}
                showAllErrors={submitted}
                idPrefix={`${form.key}-input`}
                onChange={(k, v) => setInstance(form.key, { raw: { ...form.raw, [k]: v } })}
              />
              {instances.length > 1 && (
                <button
                  type="button"
                  className="link-button"
                  onClick={() =>
                    spec.update((s) => ({
                      ...s,
                      instances: s.instances.filter((i) => i.key !== form.key),
                    }))
                  }
                >
                  Remove instance {n + 1}
                </button>
              )}
            </fieldset>
          ))}
          <button
            type="button"
            onClick={() =>
              spec.update((s) => ({ ...s, instances: [...s.instances, newInstance()] }))
            }
          >
            Add another instance
          </button>
        </div>
        <YamlSpecView yaml={spec.yaml} error={spec.yamlError} onEdit={spec.editYaml} />
      </div>
      <ErrorBanner error={error} title="Could not create the service" />
      {submitted && invalid && !error && (
        <p className="field-error" role="alert">
          Fix the fields marked above first.
        </p>
      )}
      <div className="form-actions">
        <button type="button" onClick={() => navigate('/services')}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create service'}
        </button>
      </div>
    </form>
  );
}

/** The service wizard: a template version, then instances in compatible environments and their inputs. */
export function CreateServicePage(props: { template?: string }): ReactNode {
  const [picked, setPicked] = useState<PickedVersion>();
  const compatible = picked?.version.compatibleEnvironmentTemplates ?? [];
  const environments = useQuery(
    async () =>
      compatible.length === 0
        ? []
        : listAll(
            (nextToken) =>
              api.call('ListEnvironments', {
                nextToken,
                environmentTemplates: compatible.map((c) => ({
                  templateName: c.templateName,
                  majorVersion: c.majorVersion,
                })),
              }),
            (o) => o.environments,
          ),
    [picked?.version.arn],
  );
  let schema: Schema | undefined;
  let schemaError: unknown;
  try {
    if (picked) {
      const inputs = parseTemplateSchema(picked.version.schema);
      schema = {
        service: inputs.service?.fields ?? [],
        pipeline: picked.provisioning === 'CUSTOMER_MANAGED' ? undefined : inputs.pipeline?.fields,
      };
    }
  } catch (e) {
    schemaError = e;
  }
  const first = compatible[0];
  return (
    <>
      <PageHeader crumbs={[{ label: 'Services', to: '/services' }]} title="Create service" />
      <div className="card">
        <TemplateVersionPicker kind="service" initial={props.template} onPicked={setPicked} />
        {picked && (
          <p className="hint">
            Runs in environments built from{' '}
            {compatible.map((c) => `${c.templateName} major ${c.majorVersion}`).join(', ') ||
              'no environment template'}
            .{picked.provisioning === 'CUSTOMER_MANAGED' ? ' Excludes pipeline.' : ''}
          </p>
        )}
      </div>
      <ErrorBanner error={schemaError ?? environments.error} title="Could not prepare the form" />
      {picked && !environments.data && environments.loading && (
        <Loading what="compatible environments" />
      )}
      {picked && environments.data?.length === 0 && (
        <EmptyState title="No compatible environment">
          <p>
            Services from this version run only in environments built from{' '}
            {compatible.map((c) => `${c.templateName} (major ${c.majorVersion})`).join(' or ')}.{' '}
            {first && (
              <Link to={`/create/environment?template=${encodeURIComponent(first.templateName)}`}>
                Create such an environment
              </Link>
            )}{' '}
            first.
          </p>
        </EmptyState>
      )}
      {picked && schema && environments.data && environments.data.length > 0 && (
        <ServiceFormView
          key={picked.version.arn}
          picked={picked}
          schema={schema}
          environments={environments.data}
        />
      )}
    </>
  );
}
