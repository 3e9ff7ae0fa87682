import type { ReactNode } from 'react';
import type { NucleonImportInventoryItem } from '@nucleon/protocol';
import { EmptyState, StatusBadge } from './ui.js';

const template = (i: NucleonImportInventoryItem) =>
  i.templateName
    ? `${i.templateName}${i.templateMajorVersion ? `:${i.templateMajorVersion}${i.templateMinorVersion ? `.${i.templateMinorVersion}` : ''}` : ''}`
    : '—';

/** What discovery found: one row per stack or self-managed folder, with its template version. */
export function ImportInventory(props: {
  inventory: NucleonImportInventoryItem[];
  notes: string[];
}): ReactNode {
  return (
    <>
      {props.inventory.length === 0 ? (
        <EmptyState title="Nothing found">
          <p>
            No stack carries Proton&apos;s <code>proton:*</code> tags in these regions and accounts.
            Check the regions, and that Nucleon&apos;s AWS credentials reach the account.
          </p>
        </EmptyState>
      ) : (
        <table aria-label="Inventory">
          <thead>
            <tr>
              <th>Kind</th>
              <th>Resource</th>
              <th>Environment</th>
              <th>Template</th>
              <th>Stack or folder</th>
              <th>Where</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {props.inventory.map((i) => (
              <tr key={`${i.kind}/${i.serviceName ?? ''}/${i.name}/${i.stackName ?? i.folder}`}>
                <td>{i.kind.replace(/_/g, ' ').toLowerCase()}</td>
                <td>
                  {i.serviceName && i.kind !== 'COMPONENT' ? `${i.serviceName}/${i.name}` : i.name}
                </td>
                <td>{i.environmentName ?? '—'}</td>
                <td>{template(i)}</td>
                <td>
                  <code>{i.stackName ?? `${i.folder ?? ''}/`}</code>
                </td>
                <td>{i.account ? `${i.account}/${i.region ?? ''}` : 'repository'}</td>
                <td>
                  <StatusBadge status={i.status} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.notes.length > 0 && (
        <ul aria-label="Discovery notes" className="hint">
          {props.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
    </>
  );
}
