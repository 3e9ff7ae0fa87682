import { describe, expect, test } from 'vitest';
import { LineSplitter } from './line-splitter.js';

function split(chunks: (string | Buffer)[], max = 16): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter(max, (line) => lines.push(line));
  for (const chunk of chunks) splitter.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  splitter.end();
  return lines;
}

describe('LineSplitter', () => {
  test('joins lines across chunks and flushes the partial last line at the end', () => {
    expect(split(['ab', 'c\nde', 'f\n\ng'])).toEqual(['abc', 'def', '', 'g']);
  });

  test('drops the CR of CRLF line endings', () => {
    expect(split(['one\r\ntwo\r\n'])).toEqual(['one', 'two']);
  });

  test('emits nothing for empty input and no extra line after a final newline', () => {
    expect(split([])).toEqual([]);
    expect(split(['x\n'])).toEqual(['x']);
  });

  test('cuts an over-long line at the cap and says how much was dropped', () => {
    expect(split(['0123456789', '0123456789', '01234\nnext'], 16)).toEqual([
      '0123456789012345 …[line truncated: 9 more bytes dropped]',
      'next',
    ]);
  });

  test('keeps multi-byte characters split across chunks intact', () => {
    const bytes = Buffer.from('héllo wörld\n');
    expect(split([bytes.subarray(0, 2), bytes.subarray(2, 9), bytes.subarray(9)], 64)).toEqual([
      'héllo wörld',
    ]);
  });

  test('rejects a cap that is not a positive integer', () => {
    expect(() => new LineSplitter(0, () => undefined)).toThrow(RangeError);
  });
});
