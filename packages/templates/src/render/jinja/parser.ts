/**
 * Jinja's parser, re-expressed from Jinja2 3.1's grammar (read from its source, not
 * transliterated): statements `if/elif/else`, `for … in … if … recursive`/`else`, `set` (names,
 * tuples, `ns.attr`, block sets with filters), `macro`, `call`, `filter`, `with`, `block`, `raw`;
 * expressions with Jinja's precedence (conditional, or, and, not, comparisons, `+ -`, `~`,
 * `* / // %`, `**`, unary, postfix, filters and tests), literals, tuples and implicit string
 * concatenation. Errors read like Jinja2's (`expected token 'end of statement block', got 'x'`).
 * @internal
 */
import { JinjaSyntaxError, tokenize, type JinjaToken } from '../jinja-lexer.js';
import type { Expr, Params, Stmt, Target } from './ast.js';

const DESCRIBE: Readonly<Record<string, string>> = {
  'block-end': 'end of statement block',
  'variable-end': 'end of print statement',
  'block-start': 'begin of statement block',
  'variable-start': 'begin of print statement',
  data: 'template data / text',
};

function describe(tok: JinjaToken | undefined): string {
  if (!tok) return 'end of template';
  return DESCRIBE[tok.type] ?? tok.value;
}

const COMPARE_OPS = new Set(['==', '!=', '<', '<=', '>', '>=']);
const MATH2 = new Set(['*', '/', '//', '%']);
const LITERALS = new Map<string, unknown>([
  ['true', true],
  ['True', true],
  ['false', false],
  ['False', false],
  ['none', null],
  ['None', null],
]);
const TEST_ARG_START = new Set([
  'symbol',
  'boolean',
  'none',
  'string',
  'int',
  'float',
  'left-paren',
  'left-bracket',
  'left-curly',
]);

class Parser {
  private i = 0;
  constructor(private readonly toks: readonly JinjaToken[]) {}

  private get cur(): JinjaToken | undefined {
    return this.toks[this.i];
  }

  private peek(n = 1): JinjaToken | undefined {
    return this.toks[this.i + n];
  }

  private line(): number {
    const t = this.cur ?? this.toks[this.toks.length - 1];
    return (t?.lineno ?? 0) + 1;
  }

  private fail(message: string, tok: JinjaToken | undefined = this.cur): never {
    const t = tok ?? this.toks[this.toks.length - 1];
    throw new JinjaSyntaxError(message, (t?.lineno ?? 0) + 1);
  }

  private next(): JinjaToken {
    const t = this.cur;
    if (!t) this.fail('unexpected end of template');
    this.i++;
    return t;
  }

  private is(type: string, value?: string): boolean {
    const t = this.cur;
    return t !== undefined && t.type === type && (value === undefined || t.value === value);
  }

  private isName(value?: string): boolean {
    return this.isNameTok(this.cur, value);
  }

  private isNameTok(t: JinjaToken | undefined, value?: string): boolean {
    if (!t) return false;
    const nameLike = t.type === 'symbol' || t.type === 'boolean' || t.type === 'none';
    return nameLike && (value === undefined || t.value === value);
  }

  private skip(type: string, value?: string): boolean {
    if (!this.is(type, value)) return false;
    this.i++;
    return true;
  }

  private skipName(value: string): boolean {
    if (!this.isName(value)) return false;
    this.i++;
    return true;
  }

  private expect(type: string, what: string, value?: string): JinjaToken {
    if (!this.is(type, value)) {
      if (!this.cur) this.fail(`unexpected end of template, expected '${what}'.`);
      this.fail(`expected token '${what}', got '${describe(this.cur)}'`);
    }
    return this.next();
  }

  private expectName(value?: string): JinjaToken {
    if (!this.isName(value)) {
      if (!this.cur) this.fail(`unexpected end of template, expected '${value ?? 'name'}'.`);
      this.fail(`expected token '${value ?? 'name'}', got '${describe(this.cur)}'`);
    }
    return this.next();
  }

  private blockEnd(): void {
    this.expect('block-end', 'end of statement block');
  }

  // ---------------------------------------------------------------- statements

  /** Statements until `{% <one of end> %}` (left unconsumed at the tag name) or the end. */
  subparse(end: readonly string[] | null): Stmt[] {
    const body: Stmt[] = [];
    for (;;) {
      const t = this.cur;
      if (!t) {
        if (end) {
          this.fail(
            `Unexpected end of template. Jinja was looking for the following tags: ${end.map((e) => `'${e}'`).join(' or ')}. The innermost block that needs to be closed is '${end[0]?.replace(/^end/, '') ?? ''}'.`,
            this.toks[this.toks.length - 1],
          );
        }
        return body;
      }
      if (t.type === 'data') {
        this.i++;
        body.push({ k: 'data', line: t.lineno + 1, text: t.value });
      } else if (t.type === 'variable-start') {
        this.i++;
        const expr = this.parseTuple(true);
        this.expect('variable-end', 'end of print statement');
        body.push({ k: 'output', line: t.lineno + 1, expr });
      } else if (t.type === 'block-start') {
        const name = this.peek();
        if (end && name && this.isNameTok(name) && end.includes(name.value)) {
          this.i++;
          return body;
        }
        this.i++;
        body.push(...this.statement(end));
      } else {
        this.fail(`unexpected '${describe(t)}'`);
      }
    }
  }

  /** Consumes `{% endname %}` after subparse stopped at it. */
  private endTag(name: string): void {
    this.expectName(name);
    this.blockEnd();
  }

  private statement(end: readonly string[] | null): Stmt[] {
    const t = this.cur;
    if (!t || !this.isNameTok(t)) this.fail('tag name expected');
    const line = t.lineno + 1;
    switch (t.value) {
      case 'if':
        this.i++;
        return [this.parseIf(line)];
      case 'for':
        this.i++;
        return [this.parseFor(line)];
      case 'set':
        this.i++;
        return [this.parseSet(line)];
      case 'macro':
        this.i++;
        return [this.parseMacro(line)];
      case 'call':
        this.i++;
        return [this.parseCallBlock(line)];
      case 'filter':
        this.i++;
        return [this.parseFilterBlock(line)];
      case 'with':
        this.i++;
        return [this.parseWith(line)];
      case 'block':
        this.i++;
        return [this.parseBlock(line)];
      case 'autoescape': {
        this.i++;
        const enabled = this.parseExpression();
        this.blockEnd();
        const body = this.subparse(['endautoescape']);
        this.endTag('endautoescape');
        return [{ k: 'autoescape', line, enabled, body }];
      }
      case 'raw': {
        this.i++;
        this.blockEnd();
        const data = this.next();
        this.expect('block-start', 'begin of statement block');
        this.endTag('endraw');
        return data.value === '' ? [] : [{ k: 'data', line: data.lineno + 1, text: data.value }];
      }
      default:
        if (end && end.length > 0) {
          this.fail(
            `Encountered unknown tag '${t.value}'. Jinja was looking for the following tags: ${end.map((e) => `'${e}'`).join(' or ')}. The innermost block that needs to be closed is '${end[0]?.replace(/^end/, '') ?? ''}'.`,
          );
        }
        return this.fail(`Encountered unknown tag '${t.value}'.`);
    }
  }

  private parseIf(line: number): Stmt {
    const test = this.parseTuple(false);
    this.blockEnd();
    const body = this.subparse(['elif', 'else', 'endif']);
    const tag = this.next();
    if (tag.value === 'elif')
      return { k: 'if', line, test, body, else_: [this.parseIf(tag.lineno + 1)] };
    if (tag.value === 'else') {
      this.blockEnd();
      const else_ = this.subparse(['endif']);
      this.endTag('endif');
      return { k: 'if', line, test, body, else_ };
    }
    this.blockEnd();
    return { k: 'if', line, test, body, else_: [] };
  }

  private parseFor(line: number): Stmt {
    const target = this.parseAssignTarget(false, ['in']);
    this.expectName('in');
    const iter = this.parseTuple(false, ['recursive']);
    const filter = this.skipName('if') ? this.parseExpression() : null;
    const recursive = this.skipName('recursive');
    this.blockEnd();
    const body = this.subparse(['endfor', 'else']);
    let else_: Stmt[] = [];
    if (this.next().value === 'else') {
      this.blockEnd();
      else_ = this.subparse(['endfor']);
      this.endTag('endfor');
    } else {
      this.blockEnd();
    }
    return { k: 'for', line, target, iter, filter, recursive, body, else_ };
  }

  private parseSet(line: number): Stmt {
    const target = this.parseAssignTarget(true);
    if (this.skip('operator', '=')) {
      const value = this.parseTuple(true);
      this.blockEnd();
      return { k: 'set', line, target, value };
    }
    const filter = this.is('pipe') ? this.parseFilterChain(null) : null;
    this.blockEnd();
    const body = this.subparse(['endset']);
    this.endTag('endset');
    return { k: 'setblock', line, target, filter, body };
  }

  private parseParams(): Params {
    const params: Params = { names: [], defaults: [] };
    this.expect('left-paren', '(');
    while (!this.skip('right-paren')) {
      if (params.names.length > 0) this.expect('comma', ',');
      if (this.skip('right-paren')) break;
      const name = this.expectName();
      params.names.push(name.value);
      params.defaults.push(this.skip('operator', '=') ? this.parseExpression() : undefined);
      const last = params.defaults.length;
      if (params.defaults[last - 1] === undefined && params.defaults.some((d) => d !== undefined)) {
        this.fail('non-default argument follows default argument', name);
      }
    }
    return params;
  }

  private parseMacro(line: number): Stmt {
    const name = this.expectName().value;
    const params = this.parseParams();
    this.blockEnd();
    const body = this.subparse(['endmacro']);
    this.endTag('endmacro');
    return { k: 'macro', line, name, params, body };
  }

  private parseCallBlock(line: number): Stmt {
    const params = this.is('left-paren') ? this.parseParams() : { names: [], defaults: [] };
    const call = this.parseExpression();
    if (call.k !== 'call') this.fail('expected call');
    this.blockEnd();
    const body = this.subparse(['endcall']);
    this.endTag('endcall');
    return { k: 'callblock', line, call, params, body };
  }

  private parseFilterBlock(line: number): Stmt {
    const filter = this.parseFilterChain(null, true);
    this.blockEnd();
    const body = this.subparse(['endfilter']);
    this.endTag('endfilter');
    return { k: 'filterblock', line, filter, body };
  }

  private parseWith(line: number): Stmt {
    const targets: Target[] = [];
    const values: Expr[] = [];
    while (!this.is('block-end')) {
      if (targets.length > 0) this.expect('comma', ',');
      targets.push(this.parseAssignTarget(false));
      this.expect('operator', '=', '=');
      values.push(this.parseExpression());
    }
    this.blockEnd();
    const body = this.subparse(['endwith']);
    this.endTag('endwith');
    return { k: 'with', line, targets, values, body };
  }

  private parseBlock(line: number): Stmt {
    const name = this.expectName().value;
    this.skipName('scoped');
    this.skipName('required');
    this.blockEnd();
    const body = this.subparse(['endblock']);
    this.expectName('endblock');
    if (this.isName()) this.expectName(name);
    this.blockEnd();
    return { k: 'block', line, name, body };
  }

  private parseAssignTarget(withNamespace: boolean, endNames: string[] = []): Target {
    const t = this.cur;
    const line = this.line();
    if (
      withNamespace &&
      this.isNameTok(t) &&
      this.peek()?.value === '.' &&
      this.peek()?.type === 'operator'
    ) {
      this.i += 2;
      const attr = this.expectName();
      return { k: 'nsref', line, name: t?.value ?? '', attr: attr.value };
    }
    const items: Target[] = [this.parseTargetItem()];
    let tuple = false;
    while (this.skip('comma')) {
      tuple = true;
      const c = this.cur;
      if (!c || (!this.isNameTok(c) && c.type !== 'left-paren')) break;
      if (this.isNameTok(c) && endNames.includes(c.value)) break;
      items.push(this.parseTargetItem());
    }
    const [first] = items;
    if (!tuple && first) return first;
    return { k: 'tuple', line, items };
  }

  private parseTargetItem(): Target {
    const line = this.line();
    if (this.skip('left-paren')) {
      const inner = this.parseAssignTarget(false);
      this.expect('right-paren', ')');
      return inner;
    }
    const t = this.cur;
    if (!this.isNameTok(t) || LITERALS.has(t?.value ?? '')) {
      this.fail(`can't assign to ${t ? `'${describe(t)}'` : 'end of template'}`);
    }
    this.i++;
    return { k: 'name', line, name: t?.value ?? '' };
  }

  // --------------------------------------------------------------- expressions

  /** Jinja's `parse_tuple`: one expression, or a tuple when commas follow. */
  parseTuple(withCondexpr: boolean, endNames: string[] = []): Expr {
    const line = this.line();
    const item = (): Expr => (withCondexpr ? this.parseExpression() : this.parseOr());
    const items: Expr[] = [];
    let tuple = false;
    for (;;) {
      if (items.length > 0) {
        if (!this.skip('comma')) break;
        tuple = true;
      }
      const c = this.cur;
      if (
        items.length > 0 &&
        (!c ||
          c.type === 'block-end' ||
          c.type === 'variable-end' ||
          c.type === 'right-paren' ||
          (this.isNameTok(c) && endNames.includes(c.value)))
      ) {
        break;
      }
      items.push(item());
    }
    const [first] = items;
    if (!tuple && first) return first;
    return { k: 'tuple', line, items };
  }

  parseExpression(): Expr {
    let node = this.parseOr();
    while (this.skipName('if')) {
      const test = this.parseOr();
      const else_ = this.skipName('else') ? this.parseExpression() : null;
      node = { k: 'cond', line: node.line, test, then: node, else_ };
    }
    return node;
  }

  private parseOr(): Expr {
    let node = this.parseAnd();
    while (this.skipName('or'))
      node = { k: 'bin', line: node.line, op: 'or', left: node, right: this.parseAnd() };
    return node;
  }

  private parseAnd(): Expr {
    let node = this.parseNot();
    while (this.skipName('and'))
      node = { k: 'bin', line: node.line, op: 'and', left: node, right: this.parseNot() };
    return node;
  }

  private parseNot(): Expr {
    const line = this.line();
    if (this.skipName('not')) return { k: 'unary', line, op: 'not', expr: this.parseNot() };
    return this.parseCompare();
  }

  private parseCompare(): Expr {
    const first = this.parseMath1();
    const ops: Array<[string, Expr]> = [];
    for (;;) {
      const t = this.cur;
      if (t?.type === 'operator' && COMPARE_OPS.has(t.value)) {
        this.i++;
        ops.push([t.value, this.parseMath1()]);
      } else if (this.skipName('in')) {
        ops.push(['in', this.parseMath1()]);
      } else if (this.isName('not') && this.isNameTok(this.peek(), 'in')) {
        this.i += 2;
        ops.push(['notin', this.parseMath1()]);
      } else {
        break;
      }
    }
    return ops.length === 0 ? first : { k: 'compare', line: first.line, first, ops };
  }

  private binaryLevel(ops: ReadonlySet<string>, operand: () => Expr): Expr {
    let node = operand();
    for (;;) {
      const t = this.cur;
      if (!t || !((t.type === 'operator' || t.type === 'tilde') && ops.has(t.value))) return node;
      this.i++;
      node = { k: 'bin', line: node.line, op: t.value, left: node, right: operand() };
    }
  }

  private parseMath1(): Expr {
    return this.binaryLevel(new Set(['+', '-']), () => this.parseConcat());
  }

  private parseConcat(): Expr {
    return this.binaryLevel(new Set(['~']), () => this.parseMath2());
  }

  private parseMath2(): Expr {
    return this.binaryLevel(MATH2, () => this.parsePow());
  }

  private parsePow(): Expr {
    return this.binaryLevel(new Set(['**']), () => this.parseUnary(true));
  }

  private parseUnary(withFilter: boolean): Expr {
    const t = this.cur;
    const line = this.line();
    let node: Expr;
    if (t?.type === 'operator' && (t.value === '-' || t.value === '+')) {
      this.i++;
      node = { k: 'unary', line, op: t.value, expr: this.parseUnary(false) };
    } else {
      node = this.parsePrimary();
    }
    node = this.parsePostfix(node);
    return withFilter ? this.parseFilterExpr(node) : node;
  }

  private parsePrimary(): Expr {
    const t = this.cur;
    if (!t) return this.fail('unexpected end of template, expected expression.');
    const line = t.lineno + 1;
    if (this.isNameTok(t)) {
      this.i++;
      if (LITERALS.has(t.value)) return { k: 'const', line, value: LITERALS.get(t.value) };
      return { k: 'name', line, name: t.value };
    }
    if (t.type === 'string') {
      this.i++;
      let text = t.value;
      while (this.is('string')) text += this.next().value;
      return { k: 'const', line, value: text };
    }
    if (t.type === 'int') {
      this.i++;
      return { k: 'const', line, value: Number(t.value) };
    }
    if (t.type === 'float') {
      this.i++;
      return { k: 'const', line, value: Number(t.value), float: true };
    }
    if (t.type === 'left-paren') {
      this.i++;
      if (this.skip('right-paren')) return { k: 'tuple', line, items: [] };
      const inner = this.parseTuple(true);
      this.expect('right-paren', ')');
      return inner.k === 'tuple' ? { ...inner, line } : inner;
    }
    if (t.type === 'left-bracket') {
      this.i++;
      const items: Expr[] = [];
      while (!this.skip('right-bracket')) {
        if (items.length > 0) this.expect('comma', ',');
        if (this.skip('right-bracket')) break;
        items.push(this.parseExpression());
      }
      return { k: 'list', line, items };
    }
    if (t.type === 'left-curly') {
      this.i++;
      const pairs: Array<[Expr, Expr]> = [];
      while (!this.skip('right-curly')) {
        if (pairs.length > 0) this.expect('comma', ',');
        if (this.skip('right-curly')) break;
        const key = this.parseExpression();
        this.expect('colon', ':');
        pairs.push([key, this.parseExpression()]);
      }
      return { k: 'dict', line, pairs };
    }
    return this.fail(`unexpected '${describe(t)}'`);
  }

  private parsePostfix(start: Expr): Expr {
    let node = start;
    for (;;) {
      const t = this.cur;
      if (t?.type === 'operator' && t.value === '.') {
        this.i++;
        const attr = this.cur;
        const line = t.lineno + 1;
        if (attr && this.isNameTok(attr)) {
          this.i++;
          node = { k: 'getattr', line, obj: node, attr: attr.value };
        } else if (attr?.type === 'int') {
          this.i++;
          node = {
            k: 'getitem',
            line,
            obj: node,
            key: { k: 'const', line, value: Number(attr.value) },
          };
        } else {
          this.fail(`expected name or number`);
        }
      } else if (t?.type === 'left-bracket') {
        node = this.parseSubscript(node);
      } else if (t?.type === 'left-paren') {
        node = this.parseCall(node);
      } else {
        return node;
      }
    }
  }

  private parseSubscript(obj: Expr): Expr {
    const line = this.line();
    this.i++;
    const parts: Array<Expr | null> = [null, null, null];
    let slice = false;
    if (!this.is('colon')) parts[0] = this.parseExpression();
    for (let k = 1; this.skip('colon'); k++) {
      if (k > 2) this.fail("expected token ']', got ':'");
      slice = true;
      if (!this.is('colon') && !this.is('right-bracket')) parts[k] = this.parseExpression();
    }
    if (!slice && this.is('comma')) {
      const items = [parts[0] as Expr];
      while (this.skip('comma')) {
        if (this.is('right-bracket')) break;
        items.push(this.parseExpression());
      }
      parts[0] = { k: 'tuple', line, items };
    }
    this.expect('right-bracket', ']');
    if (slice)
      return {
        k: 'slice',
        line,
        obj,
        start: parts[0] ?? null,
        stop: parts[1] ?? null,
        step: parts[2] ?? null,
      };
    return { k: 'getitem', line, obj, key: parts[0] as Expr };
  }

  private parseArgs(): { args: Expr[]; kwargs: Array<[string, Expr]> } {
    this.expect('left-paren', '(');
    const args: Expr[] = [];
    const kwargs: Array<[string, Expr]> = [];
    let first = true;
    while (!this.skip('right-paren')) {
      if (!first) {
        this.expect('comma', ',');
        if (this.skip('right-paren')) break;
      }
      first = false;
      if (this.is('operator', '*') || this.is('operator', '**')) {
        this.fail('*args and **kwargs in calls are not supported; pass the arguments one by one');
      }
      if (this.isName() && this.peek()?.type === 'operator' && this.peek()?.value === '=') {
        const key = this.next().value;
        this.i++;
        kwargs.push([key, this.parseExpression()]);
      } else {
        if (kwargs.length > 0) this.fail('invalid syntax for function call expression');
        args.push(this.parseExpression());
      }
    }
    return { args, kwargs };
  }

  private parseCall(fn: Expr): Expr {
    const line = this.line();
    const { args, kwargs } = this.parseArgs();
    return { k: 'call', line, fn, args, kwargs };
  }

  private parseFilterExpr(start: Expr): Expr {
    let node = start;
    for (;;) {
      if (this.is('pipe')) node = this.parseFilterChain(node);
      else if (this.isName('is')) node = this.parseTest(node);
      else if (this.is('left-paren')) node = this.parseCall(node);
      else return node;
    }
  }

  /** `| name(args)` (one or, with `chain`, several); `node` null for filter blocks. */
  private parseFilterChain(start: Expr | null, startInline = false): Expr {
    let node = start;
    let inline = startInline;
    while (inline || this.is('pipe')) {
      if (!inline) this.i++;
      inline = false;
      const line = this.line();
      let name = this.expectName().value;
      while (this.is('operator', '.')) {
        this.i++;
        name += `.${this.expectName().value}`;
      }
      const { args, kwargs } = this.is('left-paren') ? this.parseArgs() : { args: [], kwargs: [] };
      node = { k: 'filter', line, name, node, args, kwargs };
      if (start !== null && !this.is('pipe')) break;
    }
    return node as Expr;
  }

  private parseTest(node: Expr): Expr {
    const line = this.line();
    this.i++;
    const negated = this.skipName('not');
    let name = this.expectName().value;
    while (this.is('operator', '.')) {
      this.i++;
      name += `.${this.expectName().value}`;
    }
    let args: Expr[] = [];
    let kwargs: Array<[string, Expr]> = [];
    const c = this.cur;
    if (c?.type === 'left-paren') {
      ({ args, kwargs } = this.parseArgs());
    } else if (
      c &&
      TEST_ARG_START.has(c.type) &&
      !(this.isNameTok(c) && ['else', 'or', 'and'].includes(c.value))
    ) {
      if (this.isNameTok(c, 'is')) this.fail('You cannot chain multiple tests with is');
      args = [this.parsePostfix(this.parsePrimary())];
    }
    const test: Expr = { k: 'test', line, name, node, args, kwargs };
    return negated ? { k: 'unary', line, op: 'not', expr: test } : test;
  }
}

/** Parses normalised template source into statements; throws {@link JinjaSyntaxError}. */
export function parseTemplate(source: string): Stmt[] {
  const parser = new Parser(tokenize(source));
  return parser.subparse(null);
}
