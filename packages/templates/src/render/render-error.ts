/**
 * A template failed to lint, compile or render. Callers print it as `file:line: message`,
 * the same shape a compiler uses, so template authors can jump straight to the line.
 */
export class RenderError extends Error {
  /** The template file (as named by the caller, e.g. `instance_infrastructure/cloudformation.yaml`). */
  readonly file: string;
  /** 1-based line in `file`, when the failure can be tied to one. */
  readonly line: number | undefined;

  constructor(
    file: string,
    line: number | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RenderError';
    this.file = file;
    this.line = line;
  }

  /** `file:line: message`, or `file: message` when no line is known. */
  override toString(): string {
    return this.line === undefined
      ? `${this.file}: ${this.message}`
      : `${this.file}:${this.line}: ${this.message}`;
  }
}

/**
 * A failure raised while a compiled template runs. It carries no position: the renderer adds
 * the file and the line that was executing when it turns it into a {@link RenderError}.
 * @internal
 */
export class TemplateRuntimeError extends Error {
  /**
   * @param pyClass the Python exception class Jinja2 would raise here (`TypeError`,
   *   `ValueError`...), when known; the differential tests compare it.
   */
  constructor(
    message: string,
    readonly pyClass?: string,
  ) {
    super(message);
    this.name = 'TemplateRuntimeError';
  }
}

/** One problem the lint found, pointing at a 1-based line. */
export interface LintIssue {
  file: string;
  line: number;
  message: string;
}
