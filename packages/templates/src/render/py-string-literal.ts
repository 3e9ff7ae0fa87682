/**
 * Jinja reads string literals in templates the way Python reads them (`'\x41'` is `A`, `'\d'`
 * stays `\d`), so a pattern such as `'^\d+$'` keeps its backslash. The lexer decodes every string literal
 * with this reader.
 * @internal
 */

const SIMPLE: Readonly<Record<string, string>> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  n: '\n',
  t: '\t',
  r: '\r',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\x0b',
  '\n': '',
};

function hexEscape(raw: string, at: number, digits: number): [string, number] {
  const hex = raw.slice(at, at + digits);
  if (hex.length !== digits || !/^[0-9a-fA-F]+$/.test(hex)) {
    throw new Error(
      `truncated \\${digits === 2 ? 'x' : digits === 4 ? 'u' : 'U'} escape in string literal`,
    );
  }
  const cp = parseInt(hex, 16);
  if (cp > 0x10ffff) throw new Error('illegal Unicode character in string literal');
  return [String.fromCodePoint(cp), at + digits];
}

/** Decodes Python `unicode-escape` sequences in the raw body of a string literal. */
export function decodePyEscapes(raw: string): string {
  let out = '';
  let i = 0;
  while (i < raw.length) {
    const ch = raw[i] ?? '';
    if (ch !== '\\' || i + 1 >= raw.length) {
      out += ch;
      i++;
      continue;
    }
    const next = raw[i + 1] ?? '';
    const simple = SIMPLE[next];
    if (simple !== undefined) {
      out += simple;
      i += 2;
    } else if (next === 'x' || next === 'u' || next === 'U') {
      const [text, end] = hexEscape(raw, i + 2, next === 'x' ? 2 : next === 'u' ? 4 : 8);
      out += text;
      i = end;
    } else if (/[0-7]/.test(next)) {
      const oct = /^[0-7]{1,3}/.exec(raw.slice(i + 1))?.[0] ?? '0';
      out += String.fromCodePoint(parseInt(oct, 8));
      i += 1 + oct.length;
    } else if (next === 'N') {
      throw new Error(
        '\\N{...} escapes are not supported in string literals; write the character itself',
      );
    } else {
      out += `\\${next}`;
      i += 2;
    }
  }
  return out;
}
