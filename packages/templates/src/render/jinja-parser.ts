/**
 * nunjucks' parser, adjusted to read Jinja's syntax where the two differ: `True`/`False`/`None`
 * literals, float literals that keep their floatness (`1.0`), slices (`name[:10]`), `x.0`
 * subscripts, and a record of whether a lookup was written `a.b` (attribute first, as Jinja's
 * `getattr`) or `a['b']` (item first, as Jinja's `getitem`).
 * @internal
 */
import {
  BaseParser,
  lexer,
  nodeClass,
  nodes,
  type NjNode,
  type NjToken,
  type NjTokenizer,
} from './nunjucks-internals.js';
import { PyFloat } from './py-values.js';
import { usePyStrings } from './py-string-literal.js';

const Literal = nodeClass('Literal');
const LookupVal = nodeClass('LookupVal');
const FunCall = nodeClass('FunCall');
const SymbolNode = nodeClass('Symbol');
const NodeList = nodeClass('NodeList');
const Is = nodeClass('Is');
const Not = nodeClass('Not');
const Output = nodeClass('Output');
const Filter = nodeClass('Filter');
const BINARY: Readonly<Record<string, ReturnType<typeof nodeClass>>> = {
  '+': nodeClass('Add'),
  '-': nodeClass('Sub'),
  '~': nodeClass('Concat'),
  '*': nodeClass('Mul'),
  '/': nodeClass('Div'),
  '//': nodeClass('FloorDiv'),
  '%': nodeClass('Mod'),
};
const TemplateData = nodeClass('TemplateData');

/** `start:stop:step` inside a subscript. */
export const SliceNode = nodes.Node.extend('Slice', { fields: ['start', 'stop', 'step'] });

const T_FLOAT = lexer.TOKEN_FLOAT ?? 'float';
const T_INT = lexer.TOKEN_INT ?? 'int';
const T_SYMBOL = lexer.TOKEN_SYMBOL ?? 'symbol';
const T_LPAREN = lexer.TOKEN_LEFT_PAREN ?? 'left-paren';
const T_LBRACKET = lexer.TOKEN_LEFT_BRACKET ?? 'left-bracket';
const T_RBRACKET = lexer.TOKEN_RIGHT_BRACKET ?? 'right-bracket';
const T_COLON = lexer.TOKEN_COLON ?? 'colon';
const T_OPERATOR = lexer.TOKEN_OPERATOR ?? 'operator';
const T_NONE = lexer.TOKEN_NONE ?? 'none';
const T_TILDE = lexer.TOKEN_TILDE ?? 'tilde';
const T_PIPE = lexer.TOKEN_PIPE ?? 'pipe';
const T_BOOLEAN = lexer.TOKEN_BOOLEAN ?? 'boolean';

/** Tokens that start a test argument written without parentheses (`x is sameas true`). */
const ARG_START = new Set([
  T_SYMBOL,
  lexer.TOKEN_STRING ?? 'string',
  T_INT,
  T_FLOAT,
  T_NONE,
  T_BOOLEAN,
  T_LPAREN,
  T_LBRACKET,
  lexer.TOKEN_LEFT_CURLY ?? 'left-curly',
]);

const RAW_END = /^([\s\S]*?)\{%([-+]?)\s*endraw\s*([-+]?)%\}/;

const PY_LITERALS: Readonly<Record<string, unknown>> = { True: true, False: false, None: null };

const ParserClass = BaseParser;

/** The Jinja-flavoured parser. */
export class JinjaParser extends ParserClass {
  override parsePrimary(noPostfix?: boolean): NjNode {
    const tok = this.peekToken();
    let node: NjNode | undefined;
    if (tok?.type === T_FLOAT) {
      this.nextToken();
      node = new Literal(tok.lineno, tok.colno, floatLiteral(tok.value));
    } else if (
      tok?.type === T_SYMBOL &&
      Object.prototype.hasOwnProperty.call(PY_LITERALS, tok.value)
    ) {
      this.nextToken();
      node = new Literal(tok.lineno, tok.colno, PY_LITERALS[tok.value]);
    }
    if (!node) return super.parsePrimary(noPostfix);
    return noPostfix ? node : this.parsePostfix(node);
  }

  override parsePostfix(start: NjNode): NjNode {
    let node = start;
    for (let tok = this.peekToken(); tok; tok = this.peekToken()) {
      if (tok.type === T_LPAREN) {
        node = new FunCall(tok.lineno, tok.colno, node, this.parseSignature());
      } else if (tok.type === T_LBRACKET) {
        node = this.parseSubscript(node, tok);
      } else if (tok.type === T_OPERATOR && tok.value === '.') {
        node = this.parseDotted(node, tok);
      } else {
        break;
      }
    }
    return node;
  }

  /** Jinja has no `is` level between comparisons and arithmetic; tests bind in {@link parseFilter}. */
  override parseIs(): NjNode {
    return this.parseCompare();
  }

  /** Jinja's `parse_math1`: `+` and `-` bind more loosely than `~` (nunjucks has it the other way). */
  override parseConcat(): NjNode {
    return this.parseBinary(['+', '-'], () => this.parseTilde());
  }

  private parseTilde(): NjNode {
    return this.parseBinary(['~'], () => this.parseMath2());
  }

  /** Jinja's `parse_math2`: `*`, `/`, `//`, `%` share one level, left to right. */
  private parseMath2(): NjNode {
    return this.parseBinary(['*', '/', '//', '%'], () => this.parsePow());
  }

  private parseBinary(ops: string[], operand: () => NjNode): NjNode {
    let node = operand();
    for (;;) {
      const tok = this.peekToken();
      const op =
        tok && (tok.type === T_OPERATOR || tok.type === T_TILDE) && ops.includes(tok.value)
          ? tok.value
          : undefined;
      const cls = op === undefined ? undefined : BINARY[op];
      if (!cls) return node;
      this.nextToken();
      node = new cls(node.lineno, node.colno, node, operand());
    }
  }

  /** Jinja's `parse_filter_expr`: `| filter` and `is test` chain left to right on a unary operand. */
  override parseFilter(start: NjNode): NjNode {
    let node = start;
    for (;;) {
      if (this.skip(T_PIPE)) {
        const name = this.parseFilterName();
        const args = new NodeList(name.lineno, name.colno, [node, ...this.parseFilterArgs(node)]);
        node = new Filter(name.lineno, name.colno, name, args);
      } else if (this.skipSymbol('is')) {
        node = this.parseTest(node);
      } else {
        return node;
      }
    }
  }

  /**
   * `x is name`, `x is name(args)` and Jinja's `x is name arg`; `none`, `true` and `false` are
   * test names here even though nunjucks lexes them as literals.
   */
  private parseTest(left: NjNode): NjNode {
    const negated = this.skipSymbol('not');
    const tok = this.nextToken();
    if (!tok || ![T_SYMBOL, T_NONE, T_BOOLEAN].includes(tok.type)) {
      return this.fail('expected a test name after `is`', tok?.lineno, tok?.colno);
    }
    const name = new SymbolNode(tok.lineno, tok.colno, tok.type === T_NONE ? 'none' : tok.value);
    const next = this.peekToken();
    let right: NjNode = name;
    if (next?.type === T_LPAREN) {
      right = new FunCall(tok.lineno, tok.colno, name, this.parseSignature());
    } else if (
      next &&
      ARG_START.has(next.type) &&
      !['else', 'or', 'and', 'is'].includes(next.value)
    ) {
      const arg = this.parsePrimary();
      right = new FunCall(tok.lineno, tok.colno, name, new NodeList(tok.lineno, tok.colno, [arg]));
    }
    const node = new Is(left.lineno, left.colno, left, right);
    return negated ? new Not(left.lineno, left.colno, node) : node;
  }

  /**
   * `{% raw %}` as Jinja reads it: up to the first `{% endraw %}` (no nesting), honouring `-`
   * whitespace control on both tags, which nunjucks' version does not accept.
   */
  override parseRaw(tagName?: string): NjNode {
    if (tagName && tagName !== 'raw') return super.parseRaw(tagName);
    const begun = this.advanceAfterBlockEnd();
    const stripLeading = this.dropLeadingWhitespace;
    this.dropLeadingWhitespace = false;
    const m = this.tokens._extractRegex(RAW_END);
    if (!m)
      return this.fail(
        'unexpected end of template: missing {% endraw %}',
        begun.lineno,
        begun.colno,
      );
    let body = m[1] ?? '';
    if (stripLeading) body = body.replace(/^\s+/, '');
    if (m[2] === '-') body = body.replace(/\s+$/, '');
    if (m[3] === '-') this.dropLeadingWhitespace = true;
    return new Output(begun.lineno, begun.colno, [
      new TemplateData(begun.lineno, begun.colno, body),
    ]);
  }

  private parseDotted(target: NjNode, dot: NjToken): NjNode {
    this.nextToken();
    const val = this.nextToken();
    if (val?.type === T_INT) {
      return new LookupVal(
        dot.lineno,
        dot.colno,
        target,
        new Literal(val.lineno, val.colno, Number(val.value)),
      );
    }
    if (!val || val.type !== T_SYMBOL) {
      return this.fail(
        `expected name as lookup value, got ${val?.value ?? 'end of file'}`,
        val?.lineno,
        val?.colno,
      );
    }
    const node = new LookupVal(
      dot.lineno,
      dot.colno,
      target,
      new Literal(val.lineno, val.colno, val.value),
    );
    node.isDot = true;
    return node;
  }

  private peekType(): string | undefined {
    return this.peekToken()?.type;
  }

  private parseSubscript(target: NjNode, open: NjToken): NjNode {
    this.nextToken();
    const parts: Array<NjNode | null> = [null, null, null];
    let isSlice = false;
    if (this.peekType() !== T_COLON) parts[0] = this.parseExpression();
    for (let i = 1; this.skip(T_COLON); i++) {
      if (i > 2) this.fail('too many slice components', open.lineno, open.colno);
      isSlice = true;
      const next = this.peekType();
      if (next !== T_COLON && next !== T_RBRACKET) parts[i] = this.parseExpression();
    }
    this.expect(T_RBRACKET);
    const key = isSlice ? new SliceNode(open.lineno, open.colno, ...parts) : parts[0];
    if (!key) return this.fail('expected a subscript', open.lineno, open.colno);
    return new LookupVal(open.lineno, open.colno, target, key);
  }
}

function floatLiteral(text: string): number | PyFloat {
  const n = parseFloat(text);
  return Number.isInteger(n) ? new PyFloat(n) : n;
}

/** A nunjucks tokenizer that reads string literals the Python way. */
export function jinjaLex(source: string): NjTokenizer {
  return usePyStrings(lexer.lex(source, {}));
}

/** Parses Jinja source into a nunjucks AST with the Jinja adjustments. */
export function parseJinja(source: string): NjNode {
  return new JinjaParser(jinjaLex(source)).parseAsRoot();
}
