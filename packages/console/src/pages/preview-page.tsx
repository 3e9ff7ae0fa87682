import { useState, type FormEvent, type ReactNode } from 'react';
import { api } from '../api/console-api.js';
import type {
  FleetTemplateType,
  PreviewRolloutInput,
  PreviewRolloutOutput,
} from '../api/fleet-shapes.js';
import { selectorOf, type SelectorText } from '../api/fleet-selector.js';
import { listAll } from '../api/list-all.js';
import { listVersions, versionLabel } from '../api/template-calls.js';
import { FleetTabs } from '../components/fleet-tabs.js';
import { PreviewResourceCard } from '../components/preview-resource.js';
import { StartRolloutForm } from '../components/start-rollout-form.js';
import { fleetMember } from '../components/fleet-member.js';
import {
  CheckboxField,
  EmptyState,
  ErrorBanner,
  Facts,
  Loading,
  PageHeader,
  Section,
} from '../components/ui.js';
import { useQuery } from '../hooks/use-query.js';

const selectorFields: Array<{ key: keyof SelectorText; label: string; placeholder: string }> = [
  { key: 'environments', label: 'Environments', placeholder: 'dev, staging' },
  { key: 'services', label: 'Services', placeholder: 'orders, web' },
  { key: 'instances', label: 'Instances', placeholder: 'orders/orders-prod' },
  { key: 'tags', label: 'Tags', placeholder: 'team=payments' },
];

interface Shown {
  input: PreviewRolloutInput;
  output: PreviewRolloutOutput;
}

function PreviewSummary(props: { shown: Shown }): ReactNode {
  const { input, output } = props.shown;
  const rs = output.resources;
  const risky = rs.reduce((n, r) => n + (r.changeSet?.statefulReplacements?.length ?? 0), 0);
  const failed = rs.filter((r) => r.error).length;
  const files = rs.reduce(
    (n, r) => n + (r.files ?? []).filter((f) => f.change !== 'UNCHANGED').length,
    0,
  );
  const s = input.selector;
  return (
    <Facts
      items={[
        ['Preview hash', <code key="h">{output.previewHash}</code>],
        [
          'Target',
          `${output.templateName} ${output.targetMajorVersion}.${output.targetMinorVersion}`,
        ],
        [
          'Selector',
          s
            ? [
                s.environments && `environments ${s.environments.join(', ')}`,
                s.services && `services ${s.services.join(', ')}`,
                s.instances && `instances ${s.instances.join(', ')}`,
                s.tags && `tags ${s.tags.map((t) => `${t.key}=${t.value}`).join(', ')}`,
              ]
                .filter(Boolean)
                .join('; ')
            : 'every instance of the template not on the target',
        ],
        ['Instances', String(rs.length)],
        ['Changed files', String(files)],
        [
          'Data at risk',
          risky ? <strong className="bad-text">{risky} stateful change(s)</strong> : 'none found',
        ],
        ['Cannot be previewed', failed ? String(failed) : undefined],
      ]}
    />
  );
}

/** Impact preview: what moving a template's instances to a version would change, per instance. */
export function PreviewPage(props: {
  template?: string;
  to?: string;
  kind?: FleetTemplateType;
}): ReactNode {
  const [kind, setKind] = useState<FleetTemplateType>(props.kind ?? 'SERVICE');
  const [template, setTemplate] = useState(props.template ?? '');
  const [to, setTo] = useState(props.to ?? '');
  const [text, setText] = useState<SelectorText>({
    environments: '',
    services: '',
    instances: '',
    tags: '',
  });
  const [changeSets, setChangeSets] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [shown, setShown] = useState<Shown>();

  const templates = useQuery(async () => {
    const [services, environments] = await Promise.all([
      listAll(
        (nextToken) => api.call('ListServiceTemplates', { nextToken }),
        (o) => o.templates,
      ),
      listAll(
        (nextToken) => api.call('ListEnvironmentTemplates', { nextToken }),
        (o) => o.templates,
      ),
    ]);
    return { services, environments };
  }, []);
  const versions = useQuery(
    async () =>
      template
        ? (await listVersions(kind === 'ENVIRONMENT' ? 'environment' : 'service', template)).filter(
            (v) => v.status === 'PUBLISHED' || v.status === 'DRAFT',
          )
        : [],
    [kind, template],
  );
  const choices = versions.data ?? [];
  const version = choices.some((v) => versionLabel(v) === to)
    ? to
    : choices[0]
      ? versionLabel(choices[0])
      : '';
  const parsed = selectorOf(text);

  const run = async (event: FormEvent) => {
    event.preventDefault();
    if (!template || !version || parsed.error) return;
    const [major, minor] = version.split('.') as [string, string];
    const input: PreviewRolloutInput = {
      templateName: template,
      templateType: kind,
      targetMajorVersion: major,
      targetMinorVersion: minor,
      ...(parsed.selector ? { selector: parsed.selector } : {}),
      changeSets,
    };
    setBusy(true);
    setError(undefined);
    setShown(undefined);
    try {
      setShown({ input, output: await api.extension('PreviewRollout', input) });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeader
        title="Preview"
        subtitle="What moving a template's service instances (or an environment template's environments) to a version would change, before anything is deployed."
      />
      <FleetTabs />
      <form className="card form" onSubmit={(e) => void run(e)} aria-label="Preview" noValidate>
        <div className="filter-row">
          <div className="field">
            <label htmlFor="preview-template">Template</label>
            <select
              id="preview-template"
              value={template ? `${kind}:${template}` : ''}
              onChange={(e) => {
                const [k, ...name] = e.target.value.split(':');
                setKind(k === 'ENVIRONMENT' ? 'ENVIRONMENT' : 'SERVICE');
                setTemplate(name.join(':'));
                setTo('');
              }}
            >
              <option value="">Choose a template…</option>
              <optgroup label="Service templates (their instances)">
                {(templates.data?.services ?? []).map((t) => (
                  <option key={`s:${t.name}`} value={`SERVICE:${t.name}`}>
                    {t.displayName ? `${t.displayName} (${t.name})` : t.name}
                  </option>
                ))}
              </optgroup>
              <optgroup label="Environment templates (their environments)">
                {(templates.data?.environments ?? []).map((t) => (
                  <option key={`e:${t.name}`} value={`ENVIRONMENT:${t.name}`}>
                    {t.displayName ? `${t.displayName} (${t.name})` : t.name}
                  </option>
                ))}
              </optgroup>
            </select>
          </div>
          <div className="field">
            <label htmlFor="preview-version">Target version</label>
            <select
              id="preview-version"
              value={version}
              disabled={!template || choices.length === 0}
              onChange={(e) => setTo(e.target.value)}
            >
              {choices.map((v) => (
                <option key={versionLabel(v)} value={versionLabel(v)}>
                  {versionLabel(v)} ({v.status.toLowerCase()})
                  {v.description ? ` — ${v.description}` : ''}
                </option>
              ))}
            </select>
            {template && versions.data && choices.length === 0 && (
              <div className="hint">This template has no registered version to move to.</div>
            )}
          </div>
        </div>
        <fieldset>
          <legend>
            Only these instances (optional; comma-separated, every criterion must match)
          </legend>
          <div className="filter-row">
            {selectorFields.map((f) => (
              <div className="field" key={f.key}>
                <label htmlFor={`preview-${f.key}`}>{f.label}</label>
                <input
                  id={`preview-${f.key}`}
                  value={text[f.key]}
                  placeholder={f.placeholder}
                  onChange={(e) => setText({ ...text, [f.key]: e.target.value })}
                />
              </div>
            ))}
          </div>
          {parsed.error && <p className="field-error">{parsed.error}</p>}
        </fieldset>
        <CheckboxField id="preview-change-sets" checked={changeSets} onChange={setChangeSets}>
          Ask CloudFormation for a change set per stack (created, described and deleted; nothing is
          executed)
        </CheckboxField>
        <ErrorBanner error={templates.error ?? versions.error} title="Could not list templates" />
        <div className="form-actions">
          <button
            type="submit"
            className="primary"
            disabled={busy || !template || !version || !!parsed.error}
          >
            {busy ? 'Previewing…' : 'Run preview'}
          </button>
        </div>
      </form>
      <ErrorBanner error={error} title="The preview failed" />
      {busy && <Loading what="the preview (change sets can take a while)" />}
      {shown && (
        <Section title="Impact">
          <PreviewSummary shown={shown} />
          {shown.output.resources.length === 0 ? (
            <EmptyState title="Nothing to move">
              <p>
                No instance of {shown.input.templateName} that the selector takes is on another
                version than {shown.input.targetMajorVersion}.{shown.input.targetMinorVersion}.
              </p>
            </EmptyState>
          ) : (
            <>
              {shown.output.resources.map((r) => (
                <PreviewResourceCard key={fleetMember(r).label} resource={r} />
              ))}
              <StartRolloutForm
                key={shown.output.previewHash}
                templateName={shown.input.templateName}
                templateType={shown.input.templateType}
                major={shown.input.targetMajorVersion}
                minor={shown.input.targetMinorVersion}
                selector={shown.input.selector}
                previewHash={shown.output.previewHash}
                instanceCount={shown.output.resources.length}
              />
            </>
          )}
        </Section>
      )}
    </>
  );
}
