import { useState, type ReactNode } from 'react';
import { editsAsLines, editsAsYaml, type RawValue, type RawValues } from '../schema/form-values.js';
import { constraintsOf, labelOf, type InputField } from '../schema/input-schema.js';

export interface InputFieldsProps {
  fields: InputField[];
  values: RawValues;
  errors: Record<string, string>;
  /** Show every error (after a submit attempt), not only those of fields already visited. */
  showAllErrors: boolean;
  onChange(name: string, value: RawValue): void;
  /** Makes control ids unique when several forms share a page (one per service instance). */
  idPrefix: string;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A hint as a sentence of its own, so hints never run together. */
function sentence(text: string): string {
  const t = text.trim();
  return /[.!?:]$/.test(t) ? t : `${t}.`;
}

function Control(props: {
  field: InputField;
  id: string;
  value: RawValue | undefined;
  invalid: boolean;
  describedBy: string;
  onChange(v: RawValue): void;
  onBlur: () => void;
}): ReactNode {
  const { field, id } = props;
  const common = {
    id,
    name: field.name,
    'aria-invalid': props.invalid,
    'aria-describedby': props.describedBy,
    onBlur: props.onBlur,
  };
  const text = typeof props.value === 'string' ? props.value : '';
  if (field.type === 'boolean') {
    return (
      <input
        type="checkbox"
        {...common}
        checked={props.value === true}
        onChange={(e) => props.onChange(e.target.checked)}
      />
    );
  }
  if (field.enum) {
    const emptyLabel =
      field.default !== undefined
        ? `— default (${describe(field.default)}) —`
        : field.required
          ? '— choose —'
          : '— not set —';
    return (
      <select {...common} value={text} onChange={(e) => props.onChange(e.target.value)}>
        <option value="">{emptyLabel}</option>
        {field.enum.map((option) => (
          <option key={describe(option)} value={String(option)}>
            {String(option)}
          </option>
        ))}
      </select>
    );
  }
  if (editsAsLines(field) || editsAsYaml(field)) {
    return (
      <textarea
        {...common}
        className={editsAsYaml(field) ? 'mono' : undefined}
        rows={4}
        value={text}
        spellCheck={false}
        onChange={(e) => props.onChange(e.target.value)}
      />
    );
  }
  const numeric = field.type === 'number' || field.type === 'integer';
  return (
    <input
      type="text"
      {...common}
      inputMode={numeric ? (field.type === 'integer' ? 'numeric' : 'decimal') : undefined}
      value={text}
      spellCheck={false}
      autoComplete="off"
      placeholder={field.default !== undefined ? describe(field.default) : undefined}
      onChange={(e) => props.onChange(e.target.value)}
    />
  );
}

/** Controls generated from a template's input schema, validated as the user types. */
export function InputFields(props: InputFieldsProps): ReactNode {
  const [visited, setVisited] = useState<Set<string>>(new Set());
  if (props.fields.length === 0) return <p className="hint">This template takes no inputs.</p>;
  return (
    <div className="input-fields">
      {props.fields.map((field) => {
        const id = `${props.idPrefix}-${field.name}`;
        const error = props.errors[field.name];
        const shown = error && (props.showAllErrors || visited.has(field.name)) ? error : undefined;
        const constraints = constraintsOf(field);
        const hints = [
          field.description ? sentence(field.description) : undefined,
          editsAsLines(field) ? 'One item per line.' : undefined,
          editsAsYaml(field)
            ? `Write the ${field.type === 'array' ? 'list' : 'mapping'} as YAML.`
            : undefined,
          constraints.length > 0 ? `Allowed: ${constraints.join('; ')}.` : undefined,
        ].filter(Boolean);
        return (
          <div
            key={field.name}
            className={`field${field.type === 'boolean' ? ' field-checkbox' : ''}${shown ? ' field-invalid' : ''}`}
          >
            <label htmlFor={id}>
              {labelOf(field)}
              {field.required && <span className="required"> (required)</span>}
              {field.title && <code className="input-name">{field.name}</code>}
            </label>
            <Control
              field={field}
              id={id}
              value={props.values[field.name]}
              invalid={!!shown}
              describedBy={`${id}-hint ${id}-error`}
              onChange={(v) => {
                setVisited((s) => new Set(s).add(field.name));
                props.onChange(field.name, v);
              }}
              onBlur={() => setVisited((s) => new Set(s).add(field.name))}
            />
            <div id={`${id}-hint`} className="hint">
              {hints.join(' ')}
              {field.default === '' && (
                <>
                  {hints.length > 0 && ' '}
                  Empty by default.
                </>
              )}
              {field.default !== undefined && field.default !== '' && (
                <>
                  {hints.length > 0 && ' '}
                  Default: <code>{describe(field.default)}</code>
                </>
              )}
            </div>
            <div id={`${id}-error`} className="field-error" aria-live="polite">
              {shown}
            </div>
          </div>
        );
      })}
    </div>
  );
}
