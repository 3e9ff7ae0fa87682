import { NucleonError } from '@nucleon/core';
import { RenderError } from '@nucleon/templates';

/**
 * A failure the toolkit reports to the template author and stops on: each line is printed on
 * stderr as it is (`file:line: message` wherever a file is known) and the command exits 1.
 */
export class TemplateToolkitError extends Error {
  readonly lines: readonly string[];

  constructor(lines: readonly string[]) {
    super(lines.join('\n'));
    this.name = 'TemplateToolkitError';
    this.lines = lines;
  }
}

/**
 * Runs a `template` subcommand: the action returns its exit status; a
 * {@link TemplateToolkitError}, a {@link RenderError} or a validation error from the template
 * library is printed on stderr and exits 1. Anything else is a bug and propagates.
 */
export async function runToolkitAction(
  setExit: (code: number) => void,
  action: () => Promise<number>,
): Promise<void> {
  try {
    setExit(await action());
  } catch (error) {
    const lines = toolkitErrorLines(error);
    if (lines === undefined) throw error;
    process.stderr.write(lines.map((line) => `${line}\n`).join(''));
    setExit(1);
  }
}

function toolkitErrorLines(error: unknown): readonly string[] | undefined {
  if (error instanceof TemplateToolkitError) return error.lines;
  if (error instanceof RenderError) return [error.toString()];
  if (error instanceof NucleonError) return [error.message];
  return undefined;
}
