import { useState, type ReactNode } from 'react';
import {
  getTemplate,
  getVersion,
  listVersions,
  publishVersion,
  versionLabel,
  type TemplateKind,
  type VersionSummary,
} from '../api/template-calls.js';
import { SchemaReference } from '../components/schema-reference.js';
import { UploadVersionForm } from '../components/upload-version-form.js';
import {
  EmptyState,
  ErrorBanner,
  Facts,
  Loading,
  PageHeader,
  Section,
  StatusBadge,
  TimeAgo,
} from '../components/ui.js';
import { useCan } from '../hooks/use-access.js';
import { useQuery } from '../hooks/use-query.js';
import { Link, navigate, pathOf } from '../router.js';

function VersionDetails(props: {
  kind: TemplateKind;
  name: string;
  version: VersionSummary;
}): ReactNode {
  const { majorVersion, minorVersion } = props.version;
  const query = useQuery(
    () => getVersion(props.kind, props.name, majorVersion, minorVersion),
    [props.kind, props.name, majorVersion, minorVersion],
    {
      refreshKey: props.version.status,
    },
  );
  const v = query.data;
  const canCreate = useCan(props.kind === 'environment' ? 'environments:write' : 'services:write');
  const usable =
    canCreate && (props.version.status === 'PUBLISHED' || props.version.status === 'DRAFT');
  const create = props.kind === 'environment' ? '/create/environment' : '/create/service';
  return (
    <Section
      title={`Version ${versionLabel(props.version)}`}
      actions={
        usable && (
          <button
            type="button"
            onClick={() =>
              navigate(
                `${create}?template=${encodeURIComponent(`${props.name}:${versionLabel(props.version)}`)}`,
              )
            }
          >
            Create {props.kind === 'environment' ? 'an environment' : 'a service'} from{' '}
            {versionLabel(props.version)}
          </button>
        )
      }
    >
      <ErrorBanner error={query.error} title="Could not load the version" />
      {!v && query.loading && <Loading what="the version" />}
      {v && (
        <>
          <Facts
            items={[
              ['Status', <StatusBadge key="s" status={v.status} />],
              ['Status message', v.statusMessage],
              ['Description', v.description],
              [
                'Compatible environment templates',
                v.compatibleEnvironmentTemplates?.map((c) => (
                  <span key={c.templateName} className="chip">
                    <Link to={pathOf('templates', 'environment', c.templateName)}>
                      {c.templateName}
                    </Link>{' '}
                    major {c.majorVersion}
                  </span>
                )),
              ],
            ]}
          />
          <SchemaReference schema={v.schema} />
        </>
      )}
    </Section>
  );
}

/** One template: its versions (publish, register new ones) and the inputs each version takes. */
export function TemplatePage(props: { kind: TemplateKind; name: string }): ReactNode {
  const { kind, name } = props;
  const [uploading, setUploading] = useState(false);
  const [selected, setSelected] = useState<string>();
  const [actionError, setActionError] = useState<unknown>();
  const [publishing, setPublishing] = useState<string>();
  const canWrite = useCan('templates:write');
  const query = useQuery(
    async () => ({
      template: await getTemplate(kind, name),
      versions: await listVersions(kind, name),
    }),
    [kind, name],
    {
      pollMs: 1500,
      pollWhile: (d) => !!d?.versions.some((v) => v.status === 'REGISTRATION_IN_PROGRESS'),
    },
  );

  const publish = async (v: VersionSummary) => {
    setActionError(undefined);
    setPublishing(versionLabel(v));
    try {
      await publishVersion(kind, name, v.majorVersion, v.minorVersion);
      query.reload();
    } catch (e) {
      setActionError(e);
    } finally {
      setPublishing(undefined);
    }
  };

  const t = query.data?.template;
  const versions = query.data?.versions ?? [];
  const shown =
    versions.find((v) => versionLabel(v) === selected) ??
    versions.find((v) => versionLabel(v) === t?.recommendedVersion) ??
    versions[0];
  const label = kind === 'environment' ? 'Environment template' : 'Service template';
  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Templates', to: '/templates' }, { label }]}
        title={t?.displayName ?? name}
        subtitle={t?.description}
        actions={
          !uploading &&
          canWrite && (
            <button
              type="button"
              className="primary"
              onClick={() => setUploading(true)}
              disabled={!t}
            >
              Register a new version
            </button>
          )
        }
      />
      <ErrorBanner error={query.error} title="Could not load the template" />
      {!t && query.loading && <Loading what="the template" />}
      {t && (
        <Facts
          items={[
            ['Name', <code key="n">{t.name}</code>],
            ['Kind', label],
            ['Recommended version', t.recommendedVersion ?? 'none published yet'],
            [
              kind === 'environment' ? 'Provisioning' : 'Pipeline',
              kind === 'environment'
                ? 'provisioning' in t && t.provisioning === 'CUSTOMER_MANAGED'
                  ? 'customer managed'
                  : 'by Nucleon'
                : 'pipelineProvisioning' in t && t.pipelineProvisioning === 'CUSTOMER_MANAGED'
                  ? 'excludes pipeline'
                  : 'includes pipeline',
            ],
            ['Created', <TimeAgo key="c" date={t.createdAt} />],
          ]}
        />
      )}
      {uploading && (
        <UploadVersionForm
          kind={kind}
          templateName={name}
          versions={versions}
          onCancel={() => setUploading(false)}
          onCreated={() => {
            setUploading(false);
            setSelected(undefined);
            query.reload();
          }}
        />
      )}
      {t && (
        <Section title="Versions">
          <ErrorBanner
            error={actionError}
            title="Could not publish"
            onDismiss={() => setActionError(undefined)}
          />
          {versions.length === 0 ? (
            <EmptyState title="No versions yet">
              <p>
                Upload a template bundle (<code>.tar.gz</code>) with{' '}
                <strong>Register a new version</strong>. Nucleon checks it in the background; a good
                bundle becomes a <em>draft</em> you can try, then publish so developers get it by
                default.
              </p>
            </EmptyState>
          ) : (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Version</th>
                    <th scope="col">Status</th>
                    <th scope="col">Description</th>
                    <th scope="col">Created</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {versions.map((v) => (
                    <tr
                      key={v.arn}
                      className={v === shown ? 'selected' : undefined}
                      data-version={versionLabel(v)}
                    >
                      <td>
                        <button
                          type="button"
                          className="link-button"
                          aria-pressed={v === shown}
                          onClick={() => setSelected(versionLabel(v))}
                        >
                          {versionLabel(v)}
                        </button>
                        {versionLabel(v) === t.recommendedVersion && (
                          <span className="chip">recommended</span>
                        )}
                      </td>
                      <td>
                        <StatusBadge status={v.status} />
                        {v.statusMessage && <div className="status-message">{v.statusMessage}</div>}
                      </td>
                      <td>{v.description ?? '—'}</td>
                      <td>
                        <TimeAgo date={v.createdAt} />
                      </td>
                      <td className="row-actions">
                        {v.status === 'DRAFT' && canWrite && (
                          <button
                            type="button"
                            onClick={() => void publish(v)}
                            disabled={!!publishing}
                          >
                            {publishing === versionLabel(v)
                              ? 'Publishing…'
                              : `Publish ${versionLabel(v)}`}
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Section>
      )}
      {t && shown && <VersionDetails key={shown.arn} kind={kind} name={name} version={shown} />}
    </>
  );
}
