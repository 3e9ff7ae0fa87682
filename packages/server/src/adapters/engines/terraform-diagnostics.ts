/**
 * Terraform's stderr turned into typed diagnostics, so a failed deployment says *what* failed
 * ("Invalid reference (main.tf line 3): …") instead of dumping the CLI's output. Handles both
 * the plain `-no-color` layout and the boxed one (`╷ │ Error: … ╵`) Terraform also prints.
 */
export interface TerraformDiagnostic {
  severity: 'error' | 'warning';
  summary: string;
  /** The explanation, whitespace-collapsed, without source snippets. */
  detail: string;
  /** `with <address>`: the resource the diagnostic is about. */
  address?: string;
  /** `on <file> line <n>`. */
  location?: string;
}

const HEADER = /^(Error|Warning): (.*)$/;
const BOX_PREFIX = /^[│╷╵]\s?/;
const SNIPPET = /^\s*\d+:\s/;
const SNIPPET_CONTINUATION = /^\s*[│├└]/;

/** Parses every `Error:` and `Warning:` block out of Terraform's output lines. */
export function parseTerraformDiagnostics(lines: readonly string[]): TerraformDiagnostic[] {
  const diagnostics: TerraformDiagnostic[] = [];
  let current: { diagnostic: TerraformDiagnostic; detail: string[] } | undefined;
  const close = (): void => {
    if (current === undefined) return;
    current.diagnostic.detail = current.detail.join(' ').replace(/\s+/g, ' ').trim();
    diagnostics.push(current.diagnostic);
    current = undefined;
  };
  for (const raw of lines) {
    const boxEnd = raw.startsWith('╵');
    const line = raw.replace(BOX_PREFIX, '');
    const header = HEADER.exec(line);
    if (header !== null) {
      close();
      const severity = header[1] === 'Error' ? 'error' : 'warning';
      current = {
        diagnostic: { severity, summary: (header[2] ?? '').trim(), detail: '' },
        detail: [],
      };
      continue;
    }
    if (current === undefined) continue;
    if (boxEnd) {
      close();
      continue;
    }
    addDetailLine(current, line);
  }
  close();
  return diagnostics;
}

function addDetailLine(
  current: { diagnostic: TerraformDiagnostic; detail: string[] },
  line: string,
): void {
  const location = /^\s*on (.+?) line (\d+)/.exec(line);
  if (location !== null && current.diagnostic.location === undefined) {
    current.diagnostic.location = `${location[1]} line ${location[2]}`;
    return;
  }
  const address = /^\s*with ([^,]+),?\s*$/.exec(line);
  if (address !== null && current.diagnostic.address === undefined) {
    current.diagnostic.address = address[1];
    return;
  }
  if (SNIPPET.test(line) || SNIPPET_CONTINUATION.test(line)) return;
  current.detail.push(line.trim());
}

/** How many errors a failure message names before "and N more". */
const MAX_ERRORS_IN_MESSAGE = 3;
const MAX_MESSAGE_CHARS = 2_000;

/**
 * One message for a failed step: its errors (`summary (where): detail`), or, when Terraform
 * printed no `Error:` block, the last lines it wrote to stderr.
 */
export function describeTerraformFailure(
  step: string,
  exitCode: number | null,
  stderrLines: readonly string[],
): string {
  const errors = parseTerraformDiagnostics(stderrLines).filter((d) => d.severity === 'error');
  let text: string;
  if (errors.length > 0) {
    const shown = errors.slice(0, MAX_ERRORS_IN_MESSAGE).map(formatDiagnostic);
    const more = errors.length - shown.length;
    text = shown.join('; ') + (more > 0 ? `; and ${more} more error${more === 1 ? '' : 's'}` : '');
  } else {
    const tail = stderrLines
      .map((l) => l.trim())
      .filter((l) => l !== '')
      .slice(-5)
      .join(' | ');
    text = tail === '' ? `exit status ${exitCode ?? 'unknown'}` : tail;
  }
  const message = `terraform ${step} failed: ${text}`;
  return message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS)}…` : message;
}

export function formatDiagnostic(d: TerraformDiagnostic): string {
  const where = [d.address, d.location].filter((x) => x !== undefined).join(', ');
  return `${d.summary}${where === '' ? '' : ` (${where})`}${d.detail === '' ? '' : `: ${d.detail}`}`;
}
