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
  type NjParser,
  type NjToken,
  type NjTokenizer,
} from './nunjucks-internals.js';
import { PyFloat } from './py-values.js';

const Literal = nodeClass('Literal');
const LookupVal = nodeClass('LookupVal');
const FunCall = nodeClass('FunCall');

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

const PY_LITERALS: Readonly<Record<string, unknown>> = { True: true, False: false, None: null };

const ParserClass = BaseParser as unknown as new (tokens: NjTokenizer) => NjParser;

/** The Jinja-flavoured parser. */
export class JinjaParser extends ParserClass {
  override parsePrimary(noPostfix?: boolean): NjNode {
    const tok = this.peekToken();
    let node: NjNode | undefined;
    if (tok?.type === T_FLOAT) {
      this.nextToken();
      node = new Literal(tok.lineno, tok.colno, floatLiteral(tok.value));
    } else if (tok?.type === T_SYMBOL && Object.prototype.hasOwnProperty.call(PY_LITERALS, tok.value)) {
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

  private parseDotted(target: NjNode, dot: NjToken): NjNode {
    this.nextToken();
    const val = this.nextToken();
    if (val?.type === T_INT) {
      return new LookupVal(dot.lineno, dot.colno, target, new Literal(val.lineno, val.colno, Number(val.value)));
    }
    if (!val || val.type !== T_SYMBOL) {
      return this.fail(`expected name as lookup value, got ${val?.value ?? 'end of file'}`, val?.lineno, val?.colno);
    }
    const node = new LookupVal(dot.lineno, dot.colno, target, new Literal(val.lineno, val.colno, val.value));
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

/** Parses Jinja source into a nunjucks AST with the Jinja adjustments. */
export function parseJinja(source: string): NjNode {
  return new JinjaParser(lexer.lex(source, {})).parseAsRoot();
}
