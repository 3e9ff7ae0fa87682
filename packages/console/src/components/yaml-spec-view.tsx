import { useId, type ReactNode } from 'react';

/** The spec as YAML, editable; it stays in step with the form beside it. */
export function YamlSpecView(props: {
  yaml: string;
  error: string | undefined;
  onEdit(text: string): void;
  label?: string;
}): ReactNode {
  const id = useId();
  const lines = props.yaml.split('\n').length;
  return (
    <div className="yaml-view">
      <label htmlFor={id}>{props.label ?? 'Spec (YAML)'}</label>
      <p className="hint" id={`${id}-hint`}>
        Edits here update the form, and the other way round. This is the document sent as{' '}
        <code>spec</code>.
      </p>
      <textarea
        id={id}
        className="mono"
        rows={Math.min(Math.max(lines + 1, 6), 30)}
        value={props.yaml}
        spellCheck={false}
        aria-invalid={!!props.error}
        aria-describedby={`${id}-hint ${id}-error`}
        onChange={(e) => props.onEdit(e.target.value)}
      />
      <div id={`${id}-error`} className="field-error" aria-live="polite">
        {props.error && `The YAML cannot be read (the form keeps its last values): ${props.error}`}
      </div>
    </div>
  );
}
