import type { ReactNode } from 'react';
import {
  constraintsOf,
  parseTemplateSchema,
  type InputType,
  type TemplateInputs,
} from '../schema/input-schema.js';
import { ErrorBanner } from './ui.js';

const sections: Array<[keyof TemplateInputs, string]> = [
  ['environment', 'Environment inputs'],
  ['service', 'Service instance inputs'],
  ['pipeline', 'Pipeline inputs'],
];

function InputTable(props: { type: InputType; title: string }): ReactNode {
  return (
    <div className="schema-type">
      <h3>
        {props.title} <code className="muted">{props.type.typeName}</code>
      </h3>
      {props.type.description && <p>{props.type.description}</p>}
      {props.type.fields.length === 0 ? (
        <p className="muted">No inputs.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Input</th>
                <th scope="col">Type</th>
                <th scope="col">Required</th>
                <th scope="col">Default</th>
                <th scope="col">Constraints</th>
                <th scope="col">Description</th>
              </tr>
            </thead>
            <tbody>
              {props.type.fields.map((f) => (
                <tr key={f.name}>
                  <td>
                    <code>{f.name}</code>
                    {f.title && <div className="muted">{f.title}</div>}
                  </td>
                  <td>{f.type === 'array' ? `array of ${f.itemType ?? 'string'}` : f.type}</td>
                  <td>{f.required ? 'yes' : 'no'}</td>
                  <td>
                    {f.default === undefined ? '—' : <code>{JSON.stringify(f.default)}</code>}
                  </td>
                  <td>{constraintsOf(f).join('; ') || '—'}</td>
                  <td>{f.description ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

/** A version's schema as a readable reference of the inputs it takes, with the raw YAML below. */
export function SchemaReference(props: { schema: string | undefined }): ReactNode {
  let inputs: TemplateInputs = {};
  let problem: unknown;
  try {
    inputs = parseTemplateSchema(props.schema);
  } catch (e) {
    problem = e;
  }
  const present = sections.filter(([key]) => inputs[key]);
  return (
    <div className="schema-reference">
      <ErrorBanner error={problem} title="The schema cannot be read" />
      {!problem && present.length === 0 && <p className="muted">This version has no schema.</p>}
      {present.map(([key, title]) => (
        <InputTable key={key} type={inputs[key]!} title={title} />
      ))}
      {props.schema && (
        <details>
          <summary>schema.yaml</summary>
          <pre className="code">{props.schema}</pre>
        </details>
      )}
    </div>
  );
}
