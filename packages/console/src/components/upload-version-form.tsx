import { useState, type FormEvent, type ReactNode } from 'react';
import type { CompatibleEnvironmentTemplate } from '@nucleon/protocol';
import { api } from '../api/console-api.js';
import { listAll } from '../api/list-all.js';
import {
  createVersion,
  fileToBase64,
  listVersions,
  type TemplateKind,
  type VersionSummary,
} from '../api/template-calls.js';
import { useQuery } from '../hooks/use-query.js';
import { ErrorBanner } from './ui.js';

/** PutBundle takes at most 7,000,000 base64 characters. */
const MAX_BUNDLE_BYTES = 5_000_000;

function CompatibleTemplatesPicker(props: {
  value: CompatibleEnvironmentTemplate[];
  onChange(v: CompatibleEnvironmentTemplate[]): void;
}): ReactNode {
  const query = useQuery(async () => {
    const templates = await listAll(
      (nextToken) => api.call('ListEnvironmentTemplates', { nextToken }),
      (o) => o.templates,
    );
    return Promise.all(
      templates.map(async (t) => {
        const majors = [
          ...new Set(
            (await listVersions('environment', t.name))
              .filter((v) => v.status === 'PUBLISHED' || v.status === 'DRAFT')
              .map((v) => v.majorVersion),
          ),
        ];
        return { name: t.name, majors };
      }),
    );
  }, []);
  const chosen = (name: string) => props.value.find((c) => c.templateName === name);
  const set = (name: string, major: string | undefined) =>
    props.onChange([
      ...props.value.filter((c) => c.templateName !== name),
      ...(major ? [{ templateName: name, majorVersion: major }] : []),
    ]);
  return (
    <fieldset className="compatible">
      <legend>Compatible environment templates (at least one)</legend>
      <p className="hint">
        Services from this version can run only in environments built from these templates' major
        versions.
      </p>
      <ErrorBanner error={query.error} title="Could not list environment templates" />
      {query.data?.length === 0 && (
        <p className="muted">
          There are no environment templates yet: create and register one first.
        </p>
      )}
      {query.data?.map((t) => (
        <div key={t.name} className="compatible-row">
          <label>
            <input
              type="checkbox"
              checked={!!chosen(t.name)}
              disabled={t.majors.length === 0}
              onChange={(e) => set(t.name, e.target.checked ? t.majors[0] : undefined)}
            />{' '}
            {t.name}
          </label>
          {t.majors.length === 0 ? (
            <span className="muted">no usable version</span>
          ) : (
            <select
              aria-label={`Major version of ${t.name}`}
              value={chosen(t.name)?.majorVersion ?? t.majors[0]}
              disabled={!chosen(t.name)}
              onChange={(e) => set(t.name, e.target.value)}
            >
              {t.majors.map((m) => (
                <option key={m} value={m}>
                  major version {m}
                </option>
              ))}
            </select>
          )}
        </div>
      ))}
    </fieldset>
  );
}

/** Registers a new version from a bundle archive: PutBundle, then Create…TemplateVersion. */
export function UploadVersionForm(props: {
  kind: TemplateKind;
  templateName: string;
  versions: VersionSummary[];
  onCreated(): void;
  onCancel: () => void;
}): ReactNode {
  const majors = [...new Set(props.versions.map((v) => v.majorVersion))].sort(
    (a, b) => Number(b) - Number(a),
  );
  const nextMajor = (Number(majors[0] ?? 0) + 1).toString();
  const [file, setFile] = useState<File>();
  const [major, setMajor] = useState('');
  const [description, setDescription] = useState('');
  const [compatible, setCompatible] = useState<CompatibleEnvironmentTemplate[]>([]);
  const [step, setStep] = useState<string>();
  const [error, setError] = useState<unknown>();
  const tooLarge = file && file.size > MAX_BUNDLE_BYTES;
  const needsCompatible = props.kind === 'service' && compatible.length === 0;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file || tooLarge || needsCompatible) return;
    setError(undefined);
    try {
      setStep('Uploading the bundle…');
      const safeName = file.name.replace(/[^A-Za-z0-9._-]/g, '_');
      const put = await api.extension('PutBundle', {
        key: `console/${props.templateName}/${Date.now()}-${safeName}`,
        content: await fileToBase64(file),
      });
      setStep('Registering the version…');
      await createVersion(props.kind, props.templateName, {
        source: put.s3,
        ...(major ? { majorVersion: major } : {}),
        ...(description ? { description } : {}),
        ...(props.kind === 'service' ? { compatibleEnvironmentTemplates: compatible } : {}),
      });
      props.onCreated();
    } catch (e) {
      setError(e);
      setStep(undefined);
    }
  };

  return (
    <form className="card form" onSubmit={(e) => void submit(e)} aria-labelledby="upload-title">
      <h2 id="upload-title">Register a new version</h2>
      <div className={`field${tooLarge ? ' field-invalid' : ''}`}>
        <label htmlFor="bundle-file">
          Bundle archive (.tar.gz) <span className="required">(required)</span>
        </label>
        <input
          id="bundle-file"
          type="file"
          accept=".tar.gz,.tgz,application/gzip"
          required
          onChange={(e) => setFile(e.target.files?.[0])}
          aria-describedby="bundle-file-hint bundle-file-error"
        />
        <div id="bundle-file-hint" className="hint">
          The template folder packed with <code>tar -czf bundle.tar.gz -C my-template .</code> — it
          holds <code>schema/schema.yaml</code> and{' '}
          {props.kind === 'environment' ? (
            <code>infrastructure/</code>
          ) : (
            <code>instance_infrastructure/</code>
          )}
          .
        </div>
        <div id="bundle-file-error" className="field-error" aria-live="polite">
          {tooLarge &&
            'This archive is over 5 MB: push it with `npx nucleon bundle push` and register it with the AWS CLI.'}
        </div>
      </div>
      <div className="field">
        <label htmlFor="version-major">Version</label>
        <select id="version-major" value={major} onChange={(e) => setMajor(e.target.value)}>
          <option value="">New major version ({nextMajor}.0)</option>
          {majors.map((m) => (
            <option key={m} value={m}>
              New minor version of {m} (must stay compatible with {m}.x inputs)
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="version-description">Description</label>
        <input
          id="version-description"
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          maxLength={500}
        />
      </div>
      {props.kind === 'service' && (
        <CompatibleTemplatesPicker value={compatible} onChange={setCompatible} />
      )}
      <ErrorBanner error={error} title="Could not register the version" />
      <div className="form-actions">
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
        <button
          type="submit"
          className="primary"
          disabled={!!step || !file || !!tooLarge || needsCompatible}
        >
          {step ?? 'Upload and register'}
        </button>
      </div>
    </form>
  );
}
