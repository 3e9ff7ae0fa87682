import type { ReactNode } from 'react';

/** The kind of one line of a unified diff, for colour and for screen readers. */
export function diffLineKind(line: string): 'add' | 'remove' | 'hunk' | 'header' | 'context' {
  if (line.startsWith('+++') || line.startsWith('---') || line.startsWith('===')) return 'header';
  if (line.startsWith('Index:')) return 'header';
  if (line.startsWith('@@')) return 'hunk';
  if (line.startsWith('+')) return 'add';
  if (line.startsWith('-')) return 'remove';
  return 'context';
}

/**
 * A unified diff (as the server's `diff` package writes it) with added lines green and removed
 * lines red; the `+`/`-` stay visible (and are read out) so colour is never the only signal.
 */
export function UnifiedDiff(props: { diff: string; label: string }): ReactNode {
  const lines = props.diff.replace(/\n$/, '').split('\n');
  // The `Index:` and `===` lines the library writes first say nothing the file name does not.
  const shown = lines.filter((l) => !l.startsWith('Index:') && !/^=+$/.test(l));
  return (
    <pre className="diff" aria-label={props.label} tabIndex={0}>
      {shown.map((line, i) => {
        const kind = diffLineKind(line);
        return (
          <span key={i} className={`diff-line diff-${kind}`}>
            {line || ' '}
            {'\n'}
          </span>
        );
      })}
    </pre>
  );
}
