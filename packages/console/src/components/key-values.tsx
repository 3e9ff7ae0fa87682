import type { ReactNode } from 'react';
import type { Output } from '@nucleon/protocol';

function show(value: unknown): ReactNode {
  if (typeof value === 'string') return value;
  return <code>{JSON.stringify(value)}</code>;
}

/** A resource's inputs (from its spec) as a table, with the spec document itself below. */
export function InputsTable(props: {
  inputs: Record<string, unknown>;
  spec: string | undefined;
}): ReactNode {
  const entries = Object.entries(props.inputs);
  return (
    <>
      {entries.length === 0 ? (
        <p className="muted">No inputs set: every input has its default.</p>
      ) : (
        <table className="kv" aria-label="Inputs">
          <tbody>
            {entries.map(([k, v]) => (
              <tr key={k}>
                <th scope="row">
                  <code>{k}</code>
                </th>
                <td>{show(v)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.spec && (
        <details>
          <summary>Spec (YAML)</summary>
          <pre className="code">{props.spec}</pre>
        </details>
      )}
    </>
  );
}

/** Outputs reported by the last successful deployment. */
export function OutputsTable(props: { outputs: Output[] | undefined }): ReactNode {
  const outputs = props.outputs ?? [];
  if (outputs.length === 0)
    return (
      <p className="muted">
        No outputs yet. They appear once a deployment succeeds and reports them.
      </p>
    );
  return (
    <table className="kv" aria-label="Outputs">
      <tbody>
        {outputs.map((o) => (
          <tr key={o.key}>
            <th scope="row">
              <code>{o.key}</code>
            </th>
            <td className="mono">{o.valueString}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
