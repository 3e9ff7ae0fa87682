/**
 * Jinja's lexer, re-expressed from Jinja2 3.1's grammar (default delimiters, `trim_blocks` and
 * `lstrip_blocks` off, as Proton configured it): template data, `{{ }}`, `{% %}` and `{# #}`
 * with `-` (strip all whitespace on that side) and `+` (keep it; a no-op with lstrip/trim off)
 * whitespace control, `{% raw %}` bodies, and inside tags Python's names, numbers
 * (`1_000`, `0x1f`, `1e3`), string literals with Python escapes and Jinja's operators. Like
 * Jinja, an end delimiter inside open brackets (`{"a": {"b": 1}}`) is read as brackets, and
 * unbalanced brackets are syntax errors.
 *
 * Token types use the names the parser expects (`block-start`, `symbol`, `left-curly`...).
 * @internal
 */
import { decodePyEscapes } from './py-string-literal.js';

/** One token; `lineno` and `colno` are 0-based. */
export interface JinjaToken {
  type: string;
  value: string;
  lineno: number;
  colno: number;
}

/** A syntax error at a 1-based template line, worded as Jinja2 words it. */
export class JinjaSyntaxError extends Error {
  constructor(
    message: string,
    readonly lineno: number,
  ) {
    super(message);
    this.name = 'TemplateSyntaxError';
  }
}

const SINGLE: Readonly<Record<string, string>> = {
  '(': 'left-paren',
  ')': 'right-paren',
  '[': 'left-bracket',
  ']': 'right-bracket',
  '{': 'left-curly',
  '}': 'right-curly',
  ',': 'comma',
  ':': 'colon',
  '~': 'tilde',
  '|': 'pipe',
};
const CLOSERS: Readonly<Record<string, string>> = { '(': ')', '[': ']', '{': '}' };
const OPERATOR = /\/\/|\*\*|==|!=|>=|<=|[+\-/*%~[\](){}><=.:|,;]/y;
const FLOAT = /(?:\d+_)*\d+(?:(?:\.(?:\d+_)*\d+)?e[+-]?(?:\d+_)*\d+|\.(?:\d+_)*\d+)/iy;
const INTEGER = /0b(?:_?[01])+|0o(?:_?[0-7])+|0x(?:_?[\da-f])+|[1-9](?:_?\d)*|0(?:_?0)*/iy;
const NAME = /[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*/uy;
const STRING = /'([^'\\]*(?:\\.[^'\\]*)*)'|"([^"\\]*(?:\\.[^"\\]*)*)"/sy;
const WHITESPACE = /\s+/y;
const TAG_START = /\{([{%#])([-+]?)/g;
const RAW_START = /\{%([-+]?)\s*raw\s*(-?)%\}/y;
const RAW_END = /\{%([-+]?)\s*endraw\s*([-+]?)%\}/g;
const COMMENT_END = /([-+]?)#\}/g;
const TRAILING_SPACE = /\s+$/;

const LITERAL_NAMES = new Map([
  ['true', 'boolean'],
  ['false', 'boolean'],
  ['none', 'none'],
]);

class Lexer {
  private pos = 0;
  private line = 0;
  private lineStart = 0;
  readonly tokens: JinjaToken[] = [];

  constructor(private readonly src: string) {}

  private push(type: string, value: string, at: number): void {
    this.tokens.push({ type, value, lineno: this.line, colno: at - this.lineStart });
  }

  /** Advances the line counter over `src[from, to)`. */
  private advance(from: number, to: number): void {
    for (
      let i = this.src.indexOf('\n', from);
      i >= 0 && i < to;
      i = this.src.indexOf('\n', i + 1)
    ) {
      this.line++;
      this.lineStart = i + 1;
    }
    this.pos = to;
  }

  private fail(message: string): never {
    throw new JinjaSyntaxError(message, this.line + 1);
  }

  private data(text: string, at: number): void {
    if (text !== '') this.push('data', text, at);
  }

  /** Skips whitespace after a `-` end delimiter. */
  private skipSpace(): void {
    WHITESPACE.lastIndex = this.pos;
    const m = WHITESPACE.exec(this.src);
    if (m) this.advance(this.pos, this.pos + m[0].length);
  }

  run(): JinjaToken[] {
    const { src } = this;
    while (this.pos < src.length) {
      TAG_START.lastIndex = this.pos;
      const m = TAG_START.exec(src);
      if (!m) {
        this.data(src.slice(this.pos), this.pos);
        this.advance(this.pos, src.length);
        break;
      }
      let text = src.slice(this.pos, m.index);
      if (m[2] === '-') text = text.replace(TRAILING_SPACE, '');
      this.data(text, this.pos);
      this.advance(this.pos, m.index);
      const kind = m[1];
      RAW_START.lastIndex = m.index;
      const raw = kind === '%' ? RAW_START.exec(src) : null;
      if (raw) this.raw(raw);
      else if (kind === '#') this.comment(m.index + m[0].length);
      else this.tag(kind === '%' ? 'block' : 'variable', m.index, m[0].length);
    }
    return this.tokens;
  }

  private raw(open: RegExpExecArray): void {
    const at = open.index;
    this.push('block-start', '{%', at);
    this.push('symbol', 'raw', at);
    this.push('block-end', '%}', at);
    this.advance(at, at + open[0].length);
    if (open[2] === '-') this.skipSpace();
    RAW_END.lastIndex = this.pos;
    const close = RAW_END.exec(this.src);
    if (!close) this.fail('Missing end of raw directive');
    let body = this.src.slice(this.pos, close.index);
    if (close[1] === '-') body = body.replace(TRAILING_SPACE, '');
    this.push('data', body, this.pos);
    this.advance(this.pos, close.index);
    this.push('block-start', '{%', close.index);
    this.push('symbol', 'endraw', close.index);
    this.push('block-end', '%}', close.index);
    this.advance(this.pos, close.index + close[0].length);
    if (close[2] === '-') this.skipSpace();
  }

  private comment(from: number): void {
    COMMENT_END.lastIndex = from;
    const end = COMMENT_END.exec(this.src);
    if (!end) this.fail('Missing end of comment tag');
    this.advance(this.pos, end.index + end[0].length);
    if (end[1] === '-') this.skipSpace();
  }

  private tag(kind: 'block' | 'variable', at: number, openLen: number): void {
    const { src } = this;
    this.push(`${kind}-start`, kind === 'block' ? '{%' : '{{', at);
    this.advance(at, at + openLen);
    const stack: string[] = [];
    const endText = kind === 'block' ? '%}' : '}}';
    for (;;) {
      WHITESPACE.lastIndex = this.pos;
      const ws = WHITESPACE.exec(src);
      if (ws) this.advance(this.pos, this.pos + ws[0].length);
      const here = this.pos;
      if (here >= src.length) {
        this.fail(
          kind === 'block'
            ? "unexpected end of template, expected 'end of statement block'."
            : "unexpected end of template, expected 'end of print statement'.",
        );
      }
      if (stack.length === 0) {
        const strip = src[here] === '-' || (kind === 'block' && src[here] === '+');
        const endAt = strip ? here + 1 : here;
        if (src.startsWith(endText, endAt)) {
          this.push(`${kind}-end`, endText, here);
          this.advance(here, endAt + 2);
          if (src[here] === '-') this.skipSpace();
          return;
        }
      }
      if (this.literal(here)) continue;
      OPERATOR.lastIndex = here;
      const op = OPERATOR.exec(src);
      if (!op) this.fail(`unexpected char ${pyCharRepr(src[here] ?? '')} at ${here}`);
      const text = op[0];
      const closer = CLOSERS[text];
      if (closer) stack.push(closer);
      else if (text === ')' || text === ']' || text === '}') {
        const expected = stack.pop();
        if (expected === undefined) this.fail(`unexpected '${text}'`);
        if (expected !== text) this.fail(`unexpected '${text}', expected '${expected}'`);
      }
      this.push(SINGLE[text] ?? 'operator', text, here);
      this.advance(here, here + text.length);
    }
  }

  /** Reads a float, int, name or string at `at`; false when none starts there. */
  private literal(at: number): boolean {
    const { src } = this;
    for (const [re, type] of [
      [FLOAT, 'float'],
      [INTEGER, 'int'],
    ] as const) {
      re.lastIndex = at;
      const m = re.exec(src);
      if (m && !(type === 'float' && src[at - 1] === '.')) {
        const text = m[0].replace(/_/g, '');
        const value = type === 'int' ? String(intValue(text)) : text;
        this.push(type, value, at);
        this.advance(at, at + m[0].length);
        return true;
      }
    }
    NAME.lastIndex = at;
    const name = NAME.exec(src);
    if (name) {
      this.push(LITERAL_NAMES.get(name[0]) ?? 'symbol', name[0], at);
      this.advance(at, at + name[0].length);
      return true;
    }
    STRING.lastIndex = at;
    const str = STRING.exec(src);
    if (str) {
      let value: string;
      try {
        value = decodePyEscapes(str[1] ?? str[2] ?? '');
      } catch (err) {
        this.fail(err instanceof Error ? err.message : String(err));
      }
      this.push('string', value, at);
      this.advance(at, at + str[0].length);
      return true;
    }
    return false;
  }
}

function intValue(text: string): number {
  const lower = text.toLowerCase();
  if (lower.startsWith('0b')) return parseInt(lower.slice(2), 2);
  if (lower.startsWith('0o')) return parseInt(lower.slice(2), 8);
  if (lower.startsWith('0x')) return parseInt(lower.slice(2), 16);
  return Number(text);
}

function pyCharRepr(c: string): string {
  return c === "'" ? `"'"` : `'${c}'`;
}

/** Tokenizes normalised template source (newlines already `\n`). */
export function tokenize(source: string): JinjaToken[] {
  return new Lexer(source).run();
}

/** A token stream with the cursor API the parser reads through. */
export class JinjaTokenStream {
  private i = 0;
  /** Delimiters, for parser code that measures them. */
  readonly tags = {
    BLOCK_START: '{%',
    BLOCK_END: '%}',
    VARIABLE_START: '{{',
    VARIABLE_END: '}}',
    COMMENT_START: '{#',
    COMMENT_END: '#}',
  };

  constructor(private readonly tokens: readonly JinjaToken[]) {}

  nextToken(): JinjaToken | null {
    return this.tokens[this.i++] ?? null;
  }

  /** The token `nextToken()` would return, without consuming it. */
  peek(): JinjaToken | null {
    return this.tokens[this.i] ?? null;
  }
}

/** Lexes `source` into a token stream. */
export function jinjaTokens(source: string): JinjaTokenStream {
  return new JinjaTokenStream(tokenize(source));
}
