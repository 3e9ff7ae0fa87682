import { useState, type FormEvent, type ReactNode } from 'react';
import type {
  DiscoverProtonResourcesOutput,
  NucleonImportResult,
  ProtonImportRequest,
} from '@nucleon/protocol';
import { api } from '../api/console-api.js';
import {
  editableYaml,
  requestWith,
  resourceLabel,
  verdictOf,
  type MatchOutcome,
} from '../api/import-requests.js';
import { ImportInventory } from '../components/import-inventory.js';
import { ImportResourceCard } from '../components/import-resource-card.js';
import { ErrorBanner, PageHeader, Section } from '../components/ui.js';

/** One discovered resource as the wizard holds it. */
interface Row {
  discovered: ProtonImportRequest;
  inferred: string[];
  yaml: string;
  match?: MatchOutcome;
  selected: boolean;
  acceptDifferences: boolean;
  adoption?: { results: NucleonImportResult[]; adopted: boolean; error?: string };
}

const words = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((w) => w.trim())
    .filter(Boolean);

/** `GITHUB:acme/infra@main` → the repository as linked in Nucleon. */
function repositoryOf(text: string) {
  if (!text.trim()) return undefined;
  const m = /^([A-Z_]+):([^@\s]+?)(?:@(\S+))?$/.exec(text.trim());
  if (!m)
    throw new Error(
      `Provisioning repository ${text}: give it as <provider>:<name>[@<branch>], e.g. GITHUB:acme/infra@main, as it is linked in Nucleon.`,
    );
  return { provider: m[1]!, name: m[2]!, branch: m[3] ?? 'main' };
}

const errorText = (e: unknown) =>
  `${(e as Error).name && (e as Error).name !== 'Error' ? `${(e as Error).name}: ` : ''}${(e as Error).message}`;

/**
 * The import wizard (ADR 0030): the console's `nucleon import proton`, through the same
 * extension operations. Discover reads the stacks Proton left (with Nucleon's AWS credentials),
 * Match renders each resource with its spec and compares, Adopt creates the records bound to
 * the existing stacks — nothing is created, updated or deleted in CloudFormation.
 */
export function ImportPage(): ReactNode {
  const [regions, setRegions] = useState('');
  const [roles, setRoles] = useState('');
  const [repository, setRepository] = useState('');
  const [busy, setBusy] = useState<'discover' | 'match' | 'adopt' | undefined>();
  const [error, setError] = useState<unknown>();
  const [found, setFound] = useState<DiscoverProtonResourcesOutput>();
  const [rows, setRows] = useState<Row[]>([]);
  const [matched, setMatched] = useState(false);
  const [adopted, setAdopted] = useState(false);

  const update = (i: number, change: Partial<Row>) =>
    setRows((all) => all.map((r, j) => (j === i ? { ...r, ...change } : r)));

  const discover = async (event: FormEvent) => {
    event.preventDefault();
    setBusy('discover');
    setError(undefined);
    try {
      const provisioningRepository = repositoryOf(repository);
      const out = await api.extension('DiscoverProtonResources', {
        ...(words(regions).length ? { regions: words(regions) } : {}),
        ...(words(roles).length ? { roleArns: words(roles) } : {}),
        ...(provisioningRepository ? { provisioningRepository } : {}),
      });
      setFound(out);
      setRows(
        out.resources.map((r) => ({
          discovered: r.request,
          inferred: r.inferredInputs ?? [],
          yaml: editableYaml(r.request),
          selected: false,
          acceptDifferences: false,
        })),
      );
      setMatched(false);
      setAdopted(false);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(undefined);
    }
  };

  /** Matches every resource in order (environments, services, components). */
  const match = async () => {
    setBusy('match');
    setError(undefined);
    const next: Row[] = [];
    for (const row of rows) {
      let outcome: MatchOutcome;
      try {
        const out = await api.extension(
          'MatchProtonResource',
          requestWith(row.discovered, row.yaml),
        );
        outcome = { results: out.results };
      } catch (e) {
        outcome = { results: [], unmatched: errorText(e) };
      }
      const verdict = verdictOf(outcome);
      next.push({
        ...row,
        match: outcome,
        adoption: undefined,
        acceptDifferences: false,
        // Identical ones are selected; the user picks the rest.
        selected: verdict === 'identical' && !outcome.results.every((r) => r.adopted),
      });
    }
    setRows(next);
    setMatched(true);
    setAdopted(false);
    setBusy(undefined);
  };

  /** Adopts the selected resources in order, so a service follows its environment. */
  const adopt = async () => {
    setBusy('adopt');
    setError(undefined);
    const next = [...rows];
    for (let i = 0; i < next.length; i++) {
      const row = next[i]!;
      if (!row.selected) continue;
      try {
        const out = await api.extension('AdoptProtonResource', {
          ...requestWith(row.discovered, row.yaml),
          acceptDifferences: row.acceptDifferences,
        });
        next[i] = { ...row, adoption: { results: out.results, adopted: out.adopted } };
      } catch (e) {
        next[i] = { ...row, adoption: { results: [], adopted: false, error: errorText(e) } };
      }
      setRows([...next]);
    }
    setAdopted(true);
    setBusy(undefined);
  };

  const selected = rows.filter((r) => r.selected).length;
  return (
    <>
      <PageHeader
        title="Import from AWS Proton"
        subtitle={
          <>
            Adopt what Proton deployed — environments, services with their instances and pipeline,
            components — as Nucleon resources bound to their existing stacks. Register the template
            versions Proton deployed first. Discovery and matching only read; adoption creates,
            updates and deletes no stack. The CLI does the same: <code>nucleon import proton</code>.
          </>
        }
      />
      {error !== undefined && <ErrorBanner error={error} onDismiss={() => setError(undefined)} />}
      <Section title="1. Discover">
        <form className="card form" onSubmit={(e) => void discover(e)}>
          <div className="field">
            <label htmlFor="import-regions">Regions</label>
            <input
              id="import-regions"
              value={regions}
              placeholder="Nucleon's region"
              aria-describedby="import-regions-hint"
              onChange={(e) => setRegions(e.target.value)}
            />
            <div id="import-regions-hint" className="hint">
              Separated by spaces or commas. Nucleon reads them with its own AWS credentials.
            </div>
          </div>
          <div className="field">
            <label htmlFor="import-roles">Role ARNs</label>
            <textarea
              id="import-roles"
              className="mono"
              rows={2}
              value={roles}
              aria-describedby="import-roles-hint"
              onChange={(e) => setRoles(e.target.value)}
            />
            <div id="import-roles-hint" className="hint">
              One per line: each is assumed (STS AssumeRole) to read another account.
            </div>
          </div>
          <div className="field">
            <label htmlFor="import-repository">Provisioning repository</label>
            <input
              id="import-repository"
              value={repository}
              placeholder="GITHUB:acme/infra@main"
              aria-describedby="import-repository-hint"
              onChange={(e) => setRepository(e.target.value)}
            />
            <div id="import-repository-hint" className="hint">
              Optional: a self-managed Terraform repository Proton committed to, linked in Nucleon
              with its git remote.
            </div>
          </div>
          <div className="form-actions">
            <button type="submit" className="primary" disabled={busy !== undefined}>
              {busy === 'discover' ? 'Discovering…' : 'Discover'}
            </button>
          </div>
        </form>
        {found && <ImportInventory inventory={found.inventory} notes={found.notes} />}
      </Section>
      {found && rows.length > 0 && (
        <Section
          title="2. Match"
          actions={
            <button
              type="button"
              className="primary"
              disabled={busy !== undefined}
              onClick={() => void match()}
            >
              {busy === 'match' ? 'Matching…' : matched ? 'Match again' : 'Match'}
            </button>
          }
        >
          <p className="hint">
            Complete each spec with the inputs Proton deployed the resource with (those exposed as
            stack parameters are filled in), then match: Nucleon renders the registered version and
            compares it with the template the stack runs. A service matches once its environment is
            adopted, a component once its instance is.
          </p>
          {rows.map((row, i) => (
            <ImportResourceCard
              key={resourceLabel(row.discovered)}
              discovered={row.discovered}
              inferred={row.inferred}
              yaml={row.yaml}
              onYaml={(yaml) => update(i, { yaml })}
              match={row.match}
              selected={row.selected}
              onSelected={(s) => update(i, { selected: s })}
              acceptDifferences={row.acceptDifferences}
              onAcceptDifferences={(a) =>
                update(i, { acceptDifferences: a, ...(a ? {} : { selected: false }) })
              }
              adoption={row.adoption}
              disabled={busy !== undefined}
            />
          ))}
        </Section>
      )}
      {matched && (
        <Section title="3. Adopt">
          <p className="hint">
            Selected resources are adopted in order (environments, services, components). One that
            differs is adopted only when you accept its differences; it is then shown as drifted
            until its next deployment. Adopting again changes nothing.
          </p>
          <div className="form-actions">
            <button
              type="button"
              className="primary"
              disabled={busy !== undefined || selected === 0}
              onClick={() => void adopt()}
            >
              {busy === 'adopt' ? 'Adopting…' : `Adopt ${selected} selected`}
            </button>
          </div>
          {adopted && <AdoptionSummary rows={rows} />}
        </Section>
      )}
    </>
  );
}

function AdoptionSummary(props: { rows: Row[] }): ReactNode {
  const done = props.rows.filter((r) => r.adoption);
  return (
    <table aria-label="Adoption results">
      <thead>
        <tr>
          <th>Resource</th>
          <th>Adopted</th>
          <th>Message</th>
        </tr>
      </thead>
      <tbody>
        {done.map((r) => (
          <tr key={resourceLabel(r.discovered)}>
            <td>{resourceLabel(r.discovered)}</td>
            <td>{r.adoption!.adopted ? 'yes' : 'no'}</td>
            <td>
              {r.adoption!.error ??
                r.adoption!.results.map((x) => `${x.target}: ${x.message ?? x.match}`).join(' ')}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
