import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { BundleProblem } from './bundle-problem.js';

/** A path into a parsed YAML value: map keys and sequence indexes. */
export type YamlPath = readonly (string | number)[];

/** A YAML file parsed strictly, with a way to find the line of any value in it. */
export interface YamlSource {
  /** The file the text came from, for problem reports. */
  readonly file: string;
  /** The document as plain data (maps become objects, sequences arrays). */
  readonly value: unknown;
  /** 1-based line of the key (or item) at `path`; the nearest existing ancestor's if absent. */
  lineOf(path: YamlPath): number | undefined;
  /** Shorthand for a problem at `path` in this file. */
  problem(path: YamlPath, message: string): BundleProblem;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes UTF-8 file content, or reports that it is not valid UTF-8. */
export function decodeUtf8(
  file: string,
  data: Uint8Array,
): { text?: string; problems: BundleProblem[] } {
  try {
    return { text: utf8.decode(data), problems: [] };
  } catch {
    return { problems: [{ file, message: 'is not valid UTF-8 text' }] };
  }
}

/**
 * Parses one YAML document strictly with the `yaml` package (YAML 1.2 core schema): errors and
 * warnings (unresolved tags such as `!Ref`, duplicate keys, several documents) are all problems,
 * each with its line. Returns a {@link YamlSource} only when there is no problem.
 */
export function parseYamlStrict(
  file: string,
  text: string,
): { source?: YamlSource; problems: BundleProblem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems: BundleProblem[] = [...doc.errors, ...doc.warnings].map((issue) => ({
    file,
    line: lineCounter.linePos(issue.pos[0]).line,
    message: `invalid YAML: ${issue.message.replace(/\s*\n\s*/g, ' ').trim()}`,
  }));
  if (problems.length > 0) return { problems };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { problems: [{ file, message: `invalid YAML: ${(error as Error).message}` }] };
  }
  const lineOf = (path: YamlPath): number | undefined => findLine(doc, lineCounter, path);
  const problem = (path: YamlPath, message: string): BundleProblem => {
    const line = lineOf(path);
    return line === undefined ? { file, message } : { file, line, message };
  };
  return { source: { file, value, lineOf, problem }, problems: [] };
}

function findLine(doc: Document, lineCounter: LineCounter, path: YamlPath): number | undefined {
  let node: unknown = doc.contents;
  let offset = rangeStart(node);
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (pair === undefined) break;
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item: unknown = node.items[segment];
      if (item === undefined) break;
      offset = rangeStart(item) ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset === undefined ? undefined : lineCounter.linePos(offset).line;
}

function rangeStart(node: unknown): number | undefined {
  if (node !== null && typeof node === 'object' && 'range' in node) {
    const range = (node as { range?: readonly number[] | null }).range;
    return range?.[0];
  }
  return undefined;
}
