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
import { jinjaTokens, type JinjaTokenStream } from './jinja-lexer.js';

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
const Capture = nodeClass('Capture');
const InlineIf = nodeClass('InlineIf');
const IfNode = nodeClass('If');
const ForNode = nodeClass('For');
const SetNode = nodeClass('Set');
const GroupNode = nodeClass('Group');
const ArrayNode = nodeClass('Array');
const DictNode = nodeClass('Dict');
const PairNode = nodeClass('Pair');

/** `{% with a = 1 %}…{% endwith %}`. */
export const WithNode = nodes.Node.extend('With', { fields: ['targets', 'values', 'body'] });
/** `ns.attr` as an assignment target. */
export const NsRefNode = nodes.Node.extend('NsRef', { fields: ['name', 'attr'] });
/** Where a block `set`'s captured text enters its filter chain. */
export const CaptureSlot = nodes.Node.extend('CaptureSlot', { fields: [] });

/** The names a target binds (`a`, `(a, b)` → a, b; `ns.x` → ns), in order. */
export function leafTargets(target: NjNode): NjNode[] {
  if (target.typename === 'Array' || target.typename === 'Group') {
    return target.children.flatMap(leafTargets);
  }
  return [target];
}

function describeToken(tok: NjToken | null | undefined): string {
  if (!tok) return 'end of template';
  switch (tok.type) {
    case 'block-end':
      return "'end of statement block'";
    case 'variable-end':
      return "'end of print statement'";
    case 'block-start':
      return "'begin of statement block'";
    case 'variable-start':
      return "'begin of print statement'";
    case 'string':
      return `'${tok.value}'`;
    default:
      return `'${tok.value}'`;
  }
}

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
const T_STRING = 'string';
const T_COMMA = 'comma';
const T_RPAREN = 'right-paren';
const T_LCURLY = 'left-curly';
const T_RCURLY = 'right-curly';
const T_BLOCK_END = 'block-end';
const T_VARIABLE_END = 'variable-end';

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

const PY_LITERALS: Readonly<Record<string, unknown>> = { True: true, False: false, None: null };

const ParserClass = BaseParser;

/** The Jinja-flavoured parser. */
export class JinjaParser extends ParserClass {
  override parsePrimary(noPostfix?: boolean): NjNode {
    const tok = this.peekToken();
    let node: NjNode | undefined;
    if (tok?.type === T_STRING) {
      this.nextToken();
      let text = tok.value;
      while (this.peekType() === T_STRING) text += this.nextToken()?.value ?? '';
      node = new Literal(tok.lineno, tok.colno, text);
    } else if (tok?.type === T_FLOAT) {
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

  /** Jinja's `parse_condexpr`: `a if c else b if d else e` chains to the right. */
  override parseInlineIf(): NjNode {
    let node = this.parseOr();
    while (this.skipSymbol('if')) {
      const cond = this.parseOr();
      const inline = new InlineIf(node.lineno, node.colno);
      inline.body = node;
      inline.cond = cond;
      inline.else_ = this.skipSymbol('else') ? this.parseInlineIf() : null;
      node = inline;
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
    if (next?.type === T_SYMBOL && next.value === 'is') {
      return this.fail('You cannot chain multiple tests with is', next.lineno, next.colno);
    }
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

  /** `{% raw %}`: the lexer already cut the body out (whitespace control applied). */
  override parseRaw(tagName?: string): NjNode {
    if (tagName && tagName !== 'raw') return this.fail(`unknown tag '${tagName}'`);
    const begun = this.advanceAfterBlockEnd();
    const body = this.nextToken(true);
    this.nextToken();
    this.advanceAfterBlockEnd();
    return new Output(begun.lineno, begun.colno, [
      new TemplateData(begun.lineno, begun.colno, body?.value ?? ''),
    ]);
  }

  /** Statements nunjucks does not know: `{% with %}`. */
  override parseStatement(): NjNode | null {
    const tok = this.peekToken();
    if (tok?.type === T_SYMBOL && tok.value === 'with') return this.parseWith();
    return super.parseStatement();
  }

  /** `{% with a = 1, b = x %}…{% endwith %}`. */
  private parseWith(): NjNode {
    const tag = this.nextToken() as NjToken;
    const targets: NjNode[] = [];
    const values: NjNode[] = [];
    while (this.peekType() !== T_BLOCK_END) {
      if (targets.length > 0) this.expect(T_COMMA);
      targets.push(this.parseAssignTarget(false));
      if (!this.skipValue(T_OPERATOR, '=')) this.failExpected("'='");
      values.push(this.parseExpression());
    }
    this.advanceAfterBlockEnd('with');
    const body = this.parseUntilBlocks('endwith');
    this.advanceAfterBlockEnd();
    return new WithNode(tag.lineno, tag.colno, targets, values, body);
  }

  /**
   * Jinja's `parse_assign_target`: a name, `ns.attr` (when `withNamespace`), or a tuple of
   * targets, possibly parenthesised. Tuples come back as `Array` nodes.
   */
  parseAssignTarget(withNamespace: boolean, nameOnly = false): NjNode {
    const tok = this.peekToken();
    if (withNamespace && tok?.type === T_SYMBOL) {
      const dot = (this.tokens as unknown as JinjaTokenStream).peek();
      if (dot?.type === T_OPERATOR && dot.value === '.') {
        this.nextToken();
        this.nextToken();
        const attr = this.expect(T_SYMBOL);
        return new NsRefNode(tok.lineno, tok.colno, tok.value, attr.value);
      }
    }
    if (nameOnly) return this.parseTargetName();
    const items = [this.parseTargetItem()];
    let sawComma = false;
    while (this.peekType() === T_COMMA) {
      this.nextToken();
      sawComma = true;
      const after = this.peekToken();
      if (after?.type !== T_SYMBOL && after?.type !== T_LPAREN) break;
      if (after.type === T_SYMBOL && after.value === 'in') break;
      items.push(this.parseTargetItem());
    }
    const [first] = items;
    if (!sawComma && first) return first;
    return new ArrayNode(tok?.lineno ?? 0, tok?.colno ?? 0, items);
  }

  private parseTargetItem(): NjNode {
    if (this.peekType() !== T_LPAREN) return this.parseTargetName();
    this.nextToken();
    const inner = this.parseAssignTarget(false);
    this.expect(T_RPAREN);
    return inner;
  }

  private parseTargetName(): NjNode {
    const tok = this.nextToken();
    if (!tok || tok.type !== T_SYMBOL) {
      return this.fail(`can't assign to ${describeToken(tok)}`, tok?.lineno, tok?.colno);
    }
    if (['true', 'false', 'none', 'True', 'False', 'None'].includes(tok.value)) {
      return this.fail(`can't assign to '${tok.value}'`, tok.lineno, tok.colno);
    }
    return new SymbolNode(tok.lineno, tok.colno, tok.value);
  }

  /** Jinja's `if`/`elif`: the condition is a tuple of `or` expressions (no inline `if`). */
  override parseIf(): NjNode {
    const tag = this.nextToken() as NjToken;
    const node = new IfNode(tag.lineno, tag.colno);
    node.cond = this.parseTupleOf(() => this.parseOr(), []);
    this.advanceAfterBlockEnd(tag.value);
    node.body = this.parseUntilBlocks('elif', 'else', 'endif');
    const tok = this.peekToken();
    if (tok?.value === 'elif') {
      node.else_ = this.parseIf();
    } else if (tok?.value === 'else') {
      this.advanceAfterBlockEnd();
      node.else_ = this.parseUntilBlocks('endif');
      this.advanceAfterBlockEnd();
    } else if (tok?.value === 'endif') {
      node.else_ = null;
      this.advanceAfterBlockEnd();
    } else {
      this.fail(
        "unexpected end of template, expected 'elif' or 'else' or 'endif'",
        tok?.lineno,
        tok?.colno,
      );
    }
    return node;
  }

  /** Jinja's `for`: tuple targets, a tuple iterable, a loop filter (`if`), `recursive`, `else`. */
  override parseFor(): NjNode {
    const tag = this.nextToken() as NjToken;
    const node = new ForNode(tag.lineno, tag.colno);
    node.name = this.parseAssignTarget(false);
    if (!this.skipSymbol('in')) this.failExpected("'in'");
    node.arr = this.parseTupleOf(() => this.parseOr(), ['recursive', 'if']);
    node.filter = this.skipSymbol('if') ? this.parseExpression() : null;
    node.recursive = this.skipSymbol('recursive');
    this.advanceAfterBlockEnd('for');
    node.body = this.parseUntilBlocks('endfor', 'else');
    node.else_ = null;
    if (this.skipSymbol('else')) {
      this.advanceAfterBlockEnd('else');
      node.else_ = this.parseUntilBlocks('endfor');
    }
    this.advanceAfterBlockEnd();
    return node;
  }

  /** Jinja's `set`: tuple and `ns.attr` targets, tuple values, block sets with filters. */
  override parseSet(): NjNode {
    const tag = this.nextToken() as NjToken;
    const target = this.parseAssignTarget(true);
    const node = new SetNode(tag.lineno, tag.colno, leafTargets(target));
    node.target = target;
    if (this.skipValue(T_OPERATOR, '=')) {
      node.value = this.parseTupleOf(() => this.parseExpression(), []);
      node.body = null;
      this.advanceAfterBlockEnd('set');
      return node;
    }
    if (target.typename !== 'Symbol' && target.typename !== 'NsRef') {
      this.failExpected("'='");
    }
    let filtered: NjNode | null = null;
    if (this.peekType() === T_PIPE) filtered = this.parseFilter(new CaptureSlot(tag.lineno, 0));
    this.advanceAfterBlockEnd('set');
    const capture = new Capture(tag.lineno, tag.colno, this.parseUntilBlocks('endset'));
    this.advanceAfterBlockEnd();
    node.value = null;
    node.body = capture;
    node.filters = filtered;
    return node;
  }

  /** Jinja's `parse_tuple` without parentheses: `a, b` (a trailing comma makes a 1-tuple). */
  private parseTupleOf(item: () => NjNode, endNames: string[]): NjNode {
    const first = item();
    if (this.peekType() !== T_COMMA) return first;
    const items = [first];
    while (this.skip(T_COMMA)) {
      const next = this.peekToken();
      if (!next || next.type === T_BLOCK_END || next.type === T_VARIABLE_END) break;
      if (next.type === T_SYMBOL && endNames.includes(next.value)) break;
      items.push(item());
    }
    const tuple = new GroupNode(first.lineno, first.colno, items);
    tuple.isTuple = true;
    return tuple;
  }

  /** Jinja's literals in brackets: `()`, `(1,)`, `(a)`, lists and dicts with trailing commas. */
  override parseAggregate(): NjNode {
    const open = this.nextToken() as NjToken;
    if (open.type === T_LPAREN) {
      const items: NjNode[] = [];
      let sawComma = false;
      while (!this.skip(T_RPAREN)) {
        if (items.length > 0) {
          if (!this.skip(T_COMMA)) this.failExpected("')'", "','");
          sawComma = true;
          if (this.skip(T_RPAREN)) break;
        }
        items.push(this.parseExpression());
      }
      const node = new GroupNode(open.lineno, open.colno, items);
      node.isTuple = sawComma || items.length === 0;
      return node;
    }
    if (open.type === T_LBRACKET) {
      const node = new ArrayNode(open.lineno, open.colno, []);
      while (!this.skip(T_RBRACKET)) {
        if (node.children.length > 0) {
          if (!this.skip(T_COMMA)) this.failExpected("']'", "','");
          if (this.skip(T_RBRACKET)) break;
        }
        node.children.push(this.parseExpression());
      }
      return node;
    }
    if (open.type === T_LCURLY) {
      const node = new DictNode(open.lineno, open.colno, []);
      while (!this.skip(T_RCURLY)) {
        if (node.children.length > 0) {
          if (!this.skip(T_COMMA)) this.failExpected("'}'", "','");
          if (this.skip(T_RCURLY)) break;
        }
        const key = this.parseExpression();
        if (!this.skip(T_COLON)) this.failExpected("':'");
        const value = this.parseExpression();
        node.children.push(new PairNode(key.lineno, key.colno, key, value));
      }
      return node;
    }
    return this.fail(`unexpected ${describeToken(open)}`, open.lineno, open.colno);
  }

  /** Fails as Jinja does: `expected token 'x', got 'y'`. */
  private failExpected(...expected: string[]): never {
    const tok = this.peekToken();
    const what =
      expected.length === 1 ? `token ${expected[0] ?? ''}` : `one of ${expected.join(', ')}`;
    return this.fail(`expected ${what}, got ${describeToken(tok)}`, tok?.lineno, tok?.colno);
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

/** Jinja's token stream for `source`. */
export function jinjaLex(source: string): NjTokenizer {
  return jinjaTokens(source);
}

/** Parses Jinja source into a nunjucks AST with the Jinja adjustments. */
export function parseJinja(source: string): NjNode {
  return new JinjaParser(jinjaLex(source)).parseAsRoot();
}
