import { useEffect, useState, type ReactNode } from 'react';
import { api } from '../api/console-api.js';
import { listAll } from '../api/list-all.js';
import {
  defaultVersion,
  getVersion,
  listVersions,
  usableVersions,
  versionLabel,
  type TemplateKind,
  type VersionDetail,
} from '../api/template-calls.js';
import { useCan } from '../hooks/use-access.js';
import { useQuery } from '../hooks/use-query.js';
import { Link } from '../router.js';
import { EmptyState, ErrorBanner, Loading } from './ui.js';

export interface PickedVersion {
  templateName: string;
  /** `CUSTOMER_MANAGED` for customer-managed environments or services without a pipeline. */
  provisioning?: string;
  version: VersionDetail;
}

/**
 * Step one of a wizard: a template and one of its usable versions (the recommended one
 * preselected). `initial` is "name" or "name:major.minor" (from a template page's link).
 */
export function TemplateVersionPicker(props: {
  kind: TemplateKind;
  initial?: string;
  onPicked: (picked: PickedVersion | undefined) => void;
}): ReactNode {
  const canRegister = useCan('templates:write');
  const [initialName, initialVersion] = (props.initial ?? '').split(':');
  const [templateName, setTemplateName] = useState(initialName ?? '');
  const [label, setLabel] = useState(initialVersion ?? '');
  const templates = useQuery(
    () =>
      props.kind === 'environment'
        ? listAll(
            (nextToken) => api.call('ListEnvironmentTemplates', { nextToken }),
            (o) => o.templates,
          )
        : listAll(
            (nextToken) => api.call('ListServiceTemplates', { nextToken }),
            (o) => o.templates,
          ),
    [props.kind],
  );
  const template = templates.data?.find((t) => t.name === templateName);
  const versions = useQuery(
    async () => (templateName ? usableVersions(await listVersions(props.kind, templateName)) : []),
    [props.kind, templateName],
  );
  const chosen =
    versions.data?.find((v) => versionLabel(v) === label) ??
    (template && versions.data ? defaultVersion(template, versions.data) : undefined);
  const detail = useQuery(
    async () =>
      chosen
        ? getVersion(props.kind, chosen.templateName, chosen.majorVersion, chosen.minorVersion)
        : undefined,
    [props.kind, chosen?.arn],
  );

  useEffect(() => {
    if (!templateName && templates.data?.length === 1) setTemplateName(templates.data[0]!.name);
  }, [templates.data, templateName]);

  const { onPicked } = props;
  useEffect(() => {
    const t = template as { provisioning?: string; pipelineProvisioning?: string } | undefined;
    const provisioning = t?.provisioning ?? t?.pipelineProvisioning;
    const v = detail.data;
    onPicked(
      v && chosen && v.arn === chosen.arn
        ? { templateName, version: v, ...(provisioning ? { provisioning } : {}) }
        : undefined,
    );
  }, [detail.data, chosen, template, templateName, onPicked]);

  if (templates.data?.length === 0) {
    return (
      <EmptyState title={`No ${props.kind} templates yet`}>
        {canRegister ? (
          <p>
            Register one on the <Link to="/templates">Templates</Link> page first: create the
            template, upload a bundle, and publish the version.
          </p>
        ) : (
          <p>
            Templates are registered by platform engineers and admins: ask one to publish a{' '}
            {props.kind} template you can use.
          </p>
        )}
      </EmptyState>
    );
  }
  return (
    <fieldset className="picker">
      <legend>Template</legend>
      <ErrorBanner
        error={templates.error ?? versions.error ?? detail.error}
        title="Could not load the template"
      />
      {!templates.data && <Loading what="templates" />}
      {templates.data && (
        <div className="picker-row">
          <div className="field">
            <label htmlFor={`${props.kind}-template`}>
              {props.kind === 'environment' ? 'Environment template' : 'Service template'}
            </label>
            <select
              id={`${props.kind}-template`}
              value={templateName}
              onChange={(e) => {
                setTemplateName(e.target.value);
                setLabel('');
              }}
            >
              <option value="">— choose a template —</option>
              {templates.data.map((t) => (
                <option key={t.name} value={t.name}>
                  {t.displayName ? `${t.displayName} (${t.name})` : t.name}
                  {t.recommendedVersion ? '' : ' — nothing published'}
                </option>
              ))}
            </select>
            {template?.description && <div className="hint">{template.description}</div>}
          </div>
          {templateName && versions.data && (
            <div className="field">
              <label htmlFor={`${props.kind}-version`}>Version</label>
              {versions.data.length === 0 ? (
                <p className="muted" id={`${props.kind}-version`}>
                  This template has no published or draft version.{' '}
                  {canRegister && (
                    <>
                      <Link to={`/templates/${props.kind}/${encodeURIComponent(templateName)}`}>
                        Register one
                      </Link>
                      .
                    </>
                  )}
                </p>
              ) : (
                <select
                  id={`${props.kind}-version`}
                  value={chosen ? versionLabel(chosen) : ''}
                  onChange={(e) => setLabel(e.target.value)}
                >
                  {versions.data.map((v) => (
                    <option key={v.arn} value={versionLabel(v)}>
                      {versionLabel(v)}
                      {versionLabel(v) === template?.recommendedVersion
                        ? ' (recommended)'
                        : v.status === 'DRAFT'
                          ? ' (draft)'
                          : ''}
                    </option>
                  ))}
                </select>
              )}
            </div>
          )}
        </div>
      )}
    </fieldset>
  );
}
