import { useState, type FormEvent, type ReactNode } from 'react';
import type { DeploymentUpdateType } from '@nucleon/protocol';
import {
  getTemplate,
  getVersion,
  listVersions,
  versionLabel,
  type TemplateKind,
} from '../api/template-calls.js';
import { useQuery } from '../hooks/use-query.js';
import { initialRaw, typedValues, type RawValues } from '../schema/form-values.js';
import { parseTemplateSchema, type TemplateInputs } from '../schema/input-schema.js';
import { InputFields } from './input-fields.js';
import { ErrorBanner, Loading } from './ui.js';

export interface UpdateTarget {
  deploymentType: DeploymentUpdateType;
  major: string;
  minor: string;
  /** The target version's description, shown next to the choice. */
  description?: string;
}

export interface UpdatePanelProps {
  kind: TemplateKind;
  templateName: string;
  major: string;
  minor: string;
  /** Which inputs of the schema this resource takes. */
  inputs: keyof TemplateInputs;
  currentInputs: Record<string, unknown>;
  onSubmit(target: UpdateTarget, values: Record<string, unknown>): Promise<void>;
  onClose: () => void;
}

/** The three ways to redeploy a resource: new inputs on its version, the latest minor, the latest major. */
async function targetsOf(
  kind: TemplateKind,
  templateName: string,
  major: string,
  minor: string,
): Promise<UpdateTarget[]> {
  const [template, versions] = await Promise.all([
    getTemplate(kind, templateName),
    listVersions(kind, templateName),
  ]);
  const targets: UpdateTarget[] = [{ deploymentType: 'CURRENT_VERSION', major, minor }];
  const described = (t: UpdateTarget): UpdateTarget => {
    const description = versions.find(
      (v) => v.majorVersion === t.major && v.minorVersion === t.minor,
    )?.description;
    return description ? { ...t, description } : t;
  };
  // The newest published minor of this major (listVersions sorts newest first).
  const minors = versions.filter(
    (v) =>
      v.status === 'PUBLISHED' &&
      v.majorVersion === major &&
      Number(v.minorVersion) > Number(minor),
  );
  if (minors[0])
    targets.push(
      described({ deploymentType: 'MINOR_VERSION', major, minor: minors[0].minorVersion }),
    );
  const [recMajor, recMinor] = (template.recommendedVersion ?? '').split('.');
  if (recMajor && recMinor && Number(recMajor) > Number(major))
    targets.push(described({ deploymentType: 'MAJOR_VERSION', major: recMajor, minor: recMinor }));
  return targets;
}

const typeLabel: Record<string, string> = {
  CURRENT_VERSION: 'Redeploy on the current version',
  MINOR_VERSION: 'Update to the latest minor version',
  MAJOR_VERSION: 'Update to the latest major version',
};

function InputsForTarget(props: UpdatePanelProps & { target: UpdateTarget }): ReactNode {
  const { target } = props;
  const version = useQuery(
    () => getVersion(props.kind, props.templateName, target.major, target.minor),
    [props.kind, props.templateName, target.major, target.minor],
  );
  const [raw, setRaw] = useState<RawValues>();
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  let fields;
  let schemaError: unknown;
  try {
    fields = version.data
      ? (parseTemplateSchema(version.data.schema)[props.inputs]?.fields ?? [])
      : undefined;
  } catch (e) {
    schemaError = e;
  }
  if (version.error || schemaError)
    return (
      <ErrorBanner
        error={version.error ?? schemaError}
        title="Could not read the target version's schema"
      />
    );
  if (!fields) return <Loading what="the inputs" />;
  const values = raw ?? initialRaw(fields, props.currentInputs);
  const typed = typedValues(fields, values);
  const invalid = Object.keys(typed.errors).length > 0;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (invalid) return;
    setBusy(true);
    setError(undefined);
    try {
      await props.onSubmit(target, typed.values);
      props.onClose();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      <InputFields
        fields={fields}
        values={values}
        errors={typed.errors}
        showAllErrors={submitted}
        idPrefix="update-input"
        onChange={(k, v) => setRaw({ ...values, [k]: v })}
      />
      <ErrorBanner error={error} title="Could not start the deployment" />
      <div className="form-actions">
        <button type="button" onClick={props.onClose}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Starting…' : `Deploy ${target.major}.${target.minor}`}
        </button>
      </div>
    </form>
  );
}

/** Picks how to redeploy, then edits the inputs (prefilled with the current ones) for the target version. */
export function UpdatePanel(props: UpdatePanelProps): ReactNode {
  const targets = useQuery(
    () => targetsOf(props.kind, props.templateName, props.major, props.minor),
    [props.kind, props.templateName, props.major, props.minor],
  );
  const [type, setType] = useState<DeploymentUpdateType>('CURRENT_VERSION');
  const target = targets.data?.find((t) => t.deploymentType === type);
  const current = versionLabel({ majorVersion: props.major, minorVersion: props.minor });
  return (
    <div className="card form update-panel">
      <h2>Update</h2>
      <ErrorBanner error={targets.error} title="Could not find the versions to update to" />
      {!targets.data && <Loading what="versions" />}
      {targets.data && (
        <fieldset className="radio-column">
          <legend>Deployment</legend>
          {(['CURRENT_VERSION', 'MINOR_VERSION', 'MAJOR_VERSION'] as const).map((t) => {
            const available = targets.data!.find((x) => x.deploymentType === t);
            const to =
              available &&
              versionLabel({ majorVersion: available.major, minorVersion: available.minor });
            return (
              <label key={t} className={available ? undefined : 'muted'} data-deployment-type={t}>
                <input
                  type="radio"
                  name="deployment-type"
                  value={t}
                  checked={type === t}
                  disabled={!available}
                  onChange={() => setType(t)}
                />{' '}
                {typeLabel[t]}{' '}
                {!to
                  ? '(none newer)'
                  : t === 'CURRENT_VERSION'
                    ? `(${to})`
                    : `(${current} → ${to})`}
                {available?.description && t !== 'CURRENT_VERSION' && (
                  <span className="hint"> — {available.description}</span>
                )}
              </label>
            );
          })}
        </fieldset>
      )}
      {target && (
        <InputsForTarget key={`${target.major}.${target.minor}`} {...props} target={target} />
      )}
    </div>
  );
}
