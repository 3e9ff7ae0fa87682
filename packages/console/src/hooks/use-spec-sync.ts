import { useCallback, useRef, useState } from 'react';

export interface SpecSync<S> {
  state: S;
  /** Changes the form; the YAML follows. */
  update(next: S | ((current: S) => S)): void;
  yaml: string;
  /** Changes the YAML; the form follows while the YAML is readable. */
  editYaml: (text: string) => void;
  yamlError: string | undefined;
}

/**
 * Keeps a form and its YAML spec in step, in both directions. The form is the source of truth
 * until someone types in the YAML; then the YAML is, and the form is read from it each time it
 * parses (the text is never rewritten under the user's cursor).
 */
export function useSpecSync<S>(
  initial: S,
  toText: (state: S) => string,
  fromText: (text: string) => S,
): SpecSync<S> {
  const [state, setState] = useState(initial);
  const current = useRef(initial);
  const [yaml, setYaml] = useState(() => toText(initial));
  const [yamlError, setYamlError] = useState<string>();

  const update = useCallback(
    (next: S | ((current: S) => S)) => {
      const value = typeof next === 'function' ? (next as (c: S) => S)(current.current) : next;
      current.current = value;
      setState(value);
      setYaml(toText(value));
      setYamlError(undefined);
    },
    [toText],
  );

  const editYaml = useCallback(
    (text: string) => {
      setYaml(text);
      try {
        const value = fromText(text);
        current.current = value;
        setState(value);
        setYamlError(undefined);
      } catch (error) {
        setYamlError((error as Error).message.split('\n')[0]);
      }
    },
    [fromText],
  );

  return { state, update, yaml, editYaml, yamlError };
}
