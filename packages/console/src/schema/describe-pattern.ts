const CLASS_WORDS: Array<[string, string]> = [
  ['a-z', 'lowercase letters'],
  ['A-Z', 'uppercase letters'],
  ['0-9', 'digits'],
  ['\\d', 'digits'],
  ['\\w', 'letters, digits and _'],
];

/** `[a-z0-9-]` as words ("lowercase letters, digits and -"), or undefined when it is not simple. */
function describeClass(body: string): string | undefined {
  let rest = body;
  const words: string[] = [];
  for (const [token, word] of CLASS_WORDS) {
    if (rest.includes(token)) {
      words.push(word);
      rest = rest.split(token).join('');
    }
  }
  rest = rest.replace(/\\(.)/g, '$1');
  if (/[\^\[\]\\]/.test(rest)) return undefined;
  for (const ch of rest) words.push(`“${ch}”`);
  if (words.length === 0) return undefined;
  return words.length === 1 ? words[0] : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

/** A whole-value pattern (anchors removed) in words, or undefined. */
function describeBody(body: string): string | undefined {
  const optional = /^\((.*)\)\?$/.exec(body);
  if (optional) {
    const inner = describeBody(optional[1]!);
    return inner && `empty, or ${inner}`;
  }
  const prefix = /^((?:[^\\.*+?()[\]{}|^$]|\\.)+)\.([*+])$/.exec(body);
  if (prefix) {
    const literal = prefix[1]!.replace(/\\(.)/g, '$1');
    return `starting with “${literal}”`;
  }
  const cls = /^\[([^\]]+)\]([*+]|\{(\d+)(?:,(\d*))?\})$/.exec(body);
  if (cls) {
    const words = describeClass(cls[1]!);
    if (!words) return undefined;
    const [, , quant, min, max] = cls;
    const count =
      quant === '+'
        ? ''
        : quant === '*'
          ? ' (or nothing)'
          : max === undefined
            ? ` (exactly ${min})`
            : max === ''
              ? ` (at least ${min})`
              : ` (${min}–${max} of them)`;
    return `only ${words}${count}`;
  }
  return undefined;
}

/**
 * A schema `pattern` as a phrase people read ("empty, or starting with “/”", "only lowercase
 * letters, digits and “-”"), falling back to the pattern itself for anything more involved.
 */
export function describePattern(pattern: string): string {
  const anchored = /^\^(.*)\$$/.exec(pattern);
  const words = anchored ? describeBody(anchored[1]!) : undefined;
  return words ?? `matching the pattern ${pattern}`;
}
