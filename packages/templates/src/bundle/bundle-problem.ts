/** One thing wrong with a template bundle, reported to the template author. */
export interface BundleProblem {
  /** Bundle-relative POSIX path of the file the problem is in (or would be in, when missing). */
  readonly file: string;
  /** 1-based line number inside `file`, when known. */
  readonly line?: number;
  /** What is wrong and, where possible, what to do about it. */
  readonly message: string;
}

/** Proton caps `statusMessage` at 5,000 characters (spec §9.9). */
export const MAX_STATUS_MESSAGE_LENGTH = 5000;

/** Renders one problem as `file:line: message` (or `file: message` without a line). */
export function formatBundleProblem(problem: BundleProblem): string {
  const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}`;
  return `${where}: ${problem.message}`;
}

/**
 * Joins problems into one template-version `statusMessage`, separated by `; `, capped to
 * `maxLength` characters. When problems are dropped, the message ends with how many.
 */
export function formatBundleProblems(
  problems: readonly BundleProblem[],
  maxLength: number = MAX_STATUS_MESSAGE_LENGTH,
): string {
  const parts = problems.map(formatBundleProblem);
  let text = '';
  for (const [i, part] of parts.entries()) {
    const next = i === 0 ? part : `${text}; ${part}`;
    const suffix = moreSuffix(parts.length - i - 1);
    if (next.length + suffix.length <= maxLength) {
      text = next;
      continue;
    }
    if (i > 0) {
      const dropped = moreSuffix(parts.length - i);
      if (text.length + dropped.length <= maxLength) return text + dropped;
    }
    // Cut the current text (or this first, very long problem) and mark the cut.
    const base = i === 0 ? part : text;
    const tail = moreSuffix(parts.length - (i === 0 ? 1 : i));
    return `${base.slice(0, Math.max(0, maxLength - tail.length - 1))}…${tail}`.slice(0, maxLength);
  }
  return text;
}

function moreSuffix(count: number): string {
  return count > 0 ? `; and ${count} more problem${count === 1 ? '' : 's'}` : '';
}
