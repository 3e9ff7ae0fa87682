import { describe, expect, it } from 'vitest';
import {
  formatBundleProblem,
  formatBundleProblems,
  MAX_STATUS_MESSAGE_LENGTH,
} from './bundle-problem.js';

describe('formatBundleProblems', () => {
  it('names the file and line of each problem and joins them with "; "', () => {
    const text = formatBundleProblems([
      {
        file: 'schema/schema.yaml',
        line: 12,
        message: 'environment_input_type "EnvInput" is not defined under types',
      },
      { file: 'infrastructure/manifest.yaml', message: 'is missing' },
    ]);
    expect(text).toBe(
      'schema/schema.yaml:12: environment_input_type "EnvInput" is not defined under types; infrastructure/manifest.yaml: is missing',
    );
  });

  it('returns an empty string when there is no problem', () => {
    expect(formatBundleProblems([])).toBe('');
  });

  it('caps the message at 5000 characters and says how many problems were left out', () => {
    const problems = Array.from({ length: 300 }, (_, i) => ({
      file: `f${i}.yaml`,
      line: i + 1,
      message: 'x'.repeat(40),
    }));
    const text = formatBundleProblems(problems);
    expect(text.length).toBeLessThanOrEqual(MAX_STATUS_MESSAGE_LENGTH);
    expect(text).toMatch(/; and \d+ more problems$/);
    expect(text.startsWith(formatBundleProblem(problems[0] ?? { file: '', message: '' }))).toBe(
      true,
    );
  });

  it('cuts a single problem that is longer than the cap', () => {
    const text = formatBundleProblems(
      [
        { file: 'a', message: 'y'.repeat(9000) },
        { file: 'b', message: 'z' },
      ],
      100,
    );
    expect(text.length).toBeLessThanOrEqual(100);
    expect(text).toContain('…; and 1 more problem');
  });

  it('keeps every problem when they fit exactly', () => {
    const text = formatBundleProblems([{ file: 'a', message: 'b' }], 4);
    expect(text).toBe('a: b');
  });
});
