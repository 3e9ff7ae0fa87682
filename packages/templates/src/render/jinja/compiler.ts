/**
 * Compiles the Jinja syntax tree to one JavaScript function over the Python-semantics runtime
 * (`rt.*`). Scoping follows Jinja2: names set at the top level live in the render context (so
 * macros see them when called); `for` iterations, macros, call-block callers, `with`, block
 * `set`/`filter` bodies and blocks are scopes of their own, whose names start with the enclosing
 * value and never leak out; `if` is not a scope. The current template line is kept in `lineno`
 * so runtime errors can name it.
 * @internal
 */
import { FILTER_NAMES } from '../filter-registry.js';
import { isPlainDataKey, memberName } from '../py-lookup.js';
import type { Expr, Params, Stmt, Target } from './ast.js';

const q = (s: string): string => JSON.stringify(s);

const BINARY: Readonly<Record<string, string>> = {
  '+': 'add',
  '-': 'sub',
  '*': 'mul',
  '/': 'div',
  '//': 'floorDiv',
  '%': 'mod',
  '**': 'pow',
  '~': 'concat',
};

/** A readable dotted name for an expression, used in "is undefined" messages. */
function describe(e: Expr): string {
  switch (e.k) {
    case 'name':
      return e.name;
    case 'getattr':
      return memberName(describe(e.obj), e.attr);
    case 'getitem':
      return e.key.k === 'const'
        ? memberName(describe(e.obj), e.key.value)
        : `${describe(e.obj)}[...]`;
    case 'call':
      return `${describe(e.fn)}()`;
    default:
      return 'value';
  }
}

class Scope {
  readonly vars = new Map<string, string>();
  constructor(readonly parent: Scope | null) {}

  lookup(name: string): string | undefined {
    const v = this.vars.get(name);
    if (v) return v;
    return this.parent?.lookup(name);
  }
}

/** Names a statement list assigns in its own scope (`if` bodies included, nested scopes not). */
function assignedNames(body: readonly Stmt[], out: Set<string>): Set<string> {
  const addTarget = (t: Target): void => {
    if (t.k === 'name') out.add(t.name);
    else if (t.k === 'tuple') t.items.forEach(addTarget);
  };
  for (const s of body) {
    if (s.k === 'set' || s.k === 'setblock') addTarget(s.target);
    else if (s.k === 'macro') out.add(s.name);
    else if (s.k === 'if') {
      assignedNames(s.body, out);
      assignedNames(s.else_, out);
    }
  }
  return out;
}

function usesName(node: unknown, name: string): boolean {
  if (Array.isArray(node)) return node.some((n) => usesName(n, name));
  if (!node || typeof node !== 'object') return false;
  const rec = node as Record<string, unknown>;
  if (rec.k === 'name' && rec.name === name) return true;
  return Object.values(rec).some((v) => typeof v === 'object' && usesName(v, name));
}

class Compiler {
  private code: string[] = [];
  private ids = 0;
  private buf = 'o0';
  /** The JS boolean that says whether output is HTML-escaped here (`{% autoescape %}`). */
  private escape: string | undefined;
  /** Filters the template names, resolved once when the template is compiled: name → local. */
  private readonly filters = new Map<string, string>();

  private id(prefix = 't'): string {
    return `${prefix}${++this.ids}`;
  }

  private emit(line: string): void {
    this.code.push(line);
  }

  compileRoot(body: readonly Stmt[]): string {
    this.emit('return function render(ctx) {');
    // $data: the render's top-level names; $o, $v: scratch for inline lookups, each used only
    // between two steps of one lookup (nothing else runs in between).
    this.emit('const $data = ctx.ctx; let $o, $v;');
    this.emit('let lineno = 1;');
    this.emit(`let ${this.buf} = "";`);
    this.emit('try {');
    this.stmts(body, null);
    this.emit('} catch (e) { throw rt.located(e, lineno); }');
    this.emit(`return ${this.buf};`);
    this.emit('};');
    const preamble = [...this.filters].map(([name, id]) => `const ${id} = rt.filter(${q(name)});`);
    return [...preamble, ...this.code].join('\n');
  }

  /**
   * The compiled filter: a local bound once per compiled template for the filters that exist
   * (an unknown name keeps failing only when, and if, the render reaches it).
   */
  private filterRef(name: string): string {
    if (!FILTER_NAMES.has(name)) return `rt.filter(${q(name)})`;
    let id = this.filters.get(name);
    if (!id) {
      id = this.id('f');
      this.filters.set(name, id);
    }
    return id;
  }

  // ---------------------------------------------------------------- names

  private read(name: string, scope: Scope | null): string {
    const local = scope?.lookup(name);
    if (local) return local;
    // A top-level name read at its own property-access site (its own inline cache, so templates
    // with different data never share one megamorphic lookup); a name that is missing, undefined
    // or not a plain key goes through the runtime, which answers globals and Undefined.
    if (!isPlainDataKey(name)) return `rt.name(ctx, ${q(name)})`;
    return `(($v = $data[${q(name)}]) !== undefined ? $v : rt.name(ctx, ${q(name)}))`;
  }

  /** Opens a scope: declares the names `body` assigns, starting from their enclosing value. */
  private openScope(parent: Scope | null, body: readonly Stmt[], params: string[] = []): Scope {
    const scope = new Scope(parent);
    for (const p of params) scope.vars.set(p, '');
    for (const name of assignedNames(body, new Set())) {
      if (params.includes(name)) continue;
      const id = this.id('v');
      this.emit(`let ${id} = ${this.read(name, parent)};`);
      scope.vars.set(name, id);
    }
    return scope;
  }

  private assign(target: Target, value: string, scope: Scope | null): void {
    if (target.k === 'tuple') {
      const parts = this.id();
      this.emit(`const ${parts} = rt.unpack(${value}, ${target.items.length});`);
      target.items.forEach((t, k) => this.assign(t, `${parts}[${k}]`, scope));
      return;
    }
    if (target.k === 'nsref') {
      this.emit(`rt.nsSet(${this.read(target.name, scope)}, ${q(target.attr)}, ${value});`);
      return;
    }
    const id = scope?.lookup(target.name);
    if (id) this.emit(`${id} = ${value};`);
    else this.emit(`rt.setVar(ctx, ${q(target.name)}, ${value});`);
  }

  /** Binds a loop or `with` target as fresh locals of `scope`. */
  private bind(target: Target, value: string, scope: Scope): void {
    if (target.k === 'tuple') {
      const parts = this.id();
      this.emit(`const ${parts} = rt.unpack(${value}, ${target.items.length});`);
      target.items.forEach((t, k) => this.bind(t, `${parts}[${k}]`, scope));
      return;
    }
    const name = target.k === 'name' ? target.name : target.name;
    const id = this.id('v');
    this.emit(`let ${id} = ${value};`);
    scope.vars.set(name, id);
  }

  // ---------------------------------------------------------------- statements

  private stmts(body: readonly Stmt[], scope: Scope | null): void {
    let run: string[] = [];
    const flush = (): void => {
      if (run.length > 0) this.emit(`${this.buf} += ${run.join(' + ')};`);
      run = [];
    };
    // Consecutive text and `{{ … }}` outputs are appended as one concatenation: short pieces
    // join into flat strings right away, so the output has far fewer pieces to flatten at the end.
    for (const s of body) {
      if (s.k === 'data') run.push(q(s.text));
      else if (s.k === 'output') run.push(`(lineno = ${s.line}, ${this.outputOf(s.expr, scope)})`);
      else {
        flush();
        this.stmt(s, scope);
      }
    }
    flush();
  }

  /** The text `{{ e }}` writes (escaped inside an enabled `{% autoescape %}`). */
  private outputOf(e: Expr, scope: Scope | null): string {
    const value = this.expr(e, scope);
    return this.escape
      ? `(${this.escape} ? rt.outputEscaped(${value}) : rt.output(${value}))`
      : `rt.output(${value})`;
  }

  private capture(body: readonly Stmt[], scope: Scope | null): string {
    const saved = this.buf;
    const buf = this.id('o');
    this.buf = buf;
    this.emit(`const ${buf}v = (() => { let ${buf} = "";`);
    const inner = this.openScope(scope, body);
    this.stmts(body, inner);
    this.emit(`return ${buf}; })();`);
    this.buf = saved;
    return `${buf}v`;
  }

  private applyFilters(filter: Expr, input: string, scope: Scope | null): string {
    if (filter.k !== 'filter') return this.expr(filter, scope);
    const inner = filter.node ? this.applyFilters(filter.node, input, scope) : input;
    return this.filterCall(filter, inner, scope);
  }

  private stmt(s: Stmt, scope: Scope | null): void {
    switch (s.k) {
      case 'data':
        this.emit(`${this.buf} += ${q(s.text)};`);
        return;
      case 'output':
        this.emit(`lineno = ${s.line}; ${this.buf} += ${this.outputOf(s.expr, scope)};`);
        return;
      case 'autoescape': {
        const saved = this.escape;
        this.escape = this.id('e');
        this.emit(
          `lineno = ${s.line}; const ${this.escape} = rt.truthy(${this.expr(s.enabled, scope)});`,
        );
        this.emit('{');
        this.stmts(s.body, this.openScope(scope, s.body));
        this.emit('}');
        this.escape = saved;
        return;
      }
      case 'if':
        this.emit(`lineno = ${s.line}; if (rt.truthy(${this.expr(s.test, scope)})) {`);
        this.stmts(s.body, scope);
        if (s.else_.length > 0) {
          this.emit('} else {');
          this.stmts(s.else_, scope);
        }
        this.emit('}');
        return;
      case 'for':
        this.forLoop(s, scope);
        return;
      case 'set':
        this.emit(`lineno = ${s.line};`);
        this.assignValue(s.target, this.expr(s.value, scope), scope);
        return;
      case 'setblock': {
        this.emit(`lineno = ${s.line};`);
        const text = this.capture(s.body, scope);
        this.assignValue(
          s.target,
          s.filter ? this.applyFilters(s.filter, text, scope) : text,
          scope,
        );
        return;
      }
      case 'filterblock': {
        this.emit(`lineno = ${s.line};`);
        const text = this.capture(s.body, scope);
        this.emit(
          `lineno = ${s.line}; ${this.buf} += rt.output(${this.applyFilters(s.filter, text, scope)});`,
        );
        return;
      }
      case 'macro': {
        const fn = this.macro(s.name, s.params, s.body, scope);
        this.assignValue({ k: 'name', line: s.line, name: s.name }, fn, scope);
        return;
      }
      case 'callblock': {
        if (s.call.k !== 'call') return;
        const caller = this.macro('caller', s.params, s.body, scope);
        const call: Expr = s.call;
        this.emit(
          `lineno = ${s.line}; ${this.buf} += rt.output(${this.callExpr(call, scope, `["caller"]: ${caller}`)});`,
        );
        return;
      }
      case 'with': {
        const values = s.values.map((v) => {
          const id = this.id();
          this.emit(`lineno = ${s.line}; const ${id} = ${this.expr(v, scope)};`);
          return id;
        });
        this.emit('{');
        const inner = new Scope(scope);
        s.targets.forEach((t, k) => this.bind(t, values[k] ?? 'null', inner));
        const bodyScope = this.openScope(inner, s.body, [...inner.vars.keys()]);
        for (const [k, v] of inner.vars) bodyScope.vars.set(k, v);
        this.stmts(s.body, bodyScope);
        this.emit('}');
        return;
      }
      case 'block': {
        this.emit('{');
        const inner = this.openScope(scope, s.body);
        this.stmts(s.body, inner);
        this.emit('}');
        return;
      }
    }
  }

  /** Assigns an already-compiled JS expression to a target (via a temporary for tuples). */
  private assignValue(target: Target, value: string, scope: Scope | null): void {
    if (target.k === 'name' && !scope?.lookup(target.name)) {
      this.emit(`rt.setVar(ctx, ${q(target.name)}, ${value});`);
      return;
    }
    const tmp = this.id();
    this.emit(`const ${tmp} = ${value};`);
    this.assign(target, tmp, scope);
  }

  private macro(name: string, params: Params, body: readonly Stmt[], scope: Scope | null): string {
    const fn = this.id('m');
    const saved = this.buf;
    const buf = this.id('o');
    this.buf = buf;
    const argIds = params.names.map(() => this.id('a'));
    const [va, kw, caller] = [this.id('a'), this.id('a'), this.id('a')];
    const catchVarargs = usesName(body, 'varargs');
    const catchKwargs = usesName(body, 'kwargs');
    this.emit(
      `const ${fn} = rt.macro(${q(name)}, ${JSON.stringify(params.names)}, ${catchVarargs}, ${catchKwargs}, (${[...argIds, va, kw, caller].join(', ')}) => {`,
    );
    this.emit(`let ${buf} = "";`);
    const inner = new Scope(scope);
    params.names.forEach((p, k) => inner.vars.set(p, argIds[k] ?? ''));
    inner.vars.set('varargs', va);
    inner.vars.set('kwargs', kw);
    inner.vars.set('caller', caller);
    params.names.forEach((p, k) => {
      const dflt = params.defaults[k];
      const value = dflt ? this.expr(dflt, inner) : `rt.missingParam(${q(p)})`;
      this.emit(`if (${argIds[k] ?? ''} === rt.MISSING) ${argIds[k] ?? ''} = ${value};`);
    });
    const bodyScope = this.openScope(inner, body, [...params.names, 'varargs', 'kwargs', 'caller']);
    for (const [k, v] of inner.vars) bodyScope.vars.set(k, v);
    this.stmts(body, bodyScope);
    this.emit(`return ${buf};`);
    this.emit('});');
    this.buf = saved;
    return fn;
  }

  private forLoop(s: Extract<Stmt, { k: 'for' }>, scope: Scope | null): void {
    const out = this.buf;
    if (!s.recursive) {
      this.emit(`lineno = ${s.line};`);
      this.loopBody(s, scope, `rt.iterate(${this.expr(s.iter, scope)})`, null);
      return;
    }
    const fn = this.id('r');
    const buf = this.id('o');
    this.emit(`const ${fn} = (${fn}items, ${fn}depth) => { let ${buf} = "";`);
    this.buf = buf;
    this.loopBody(s, scope, `${fn}items`, fn);
    this.emit(`return ${buf}; };`);
    this.buf = out;
    this.emit(`lineno = ${s.line}; ${out} += ${fn}(rt.iterate(${this.expr(s.iter, scope)}), 1);`);
  }

  private loopBody(
    s: Extract<Stmt, { k: 'for' }>,
    scope: Scope | null,
    source: string,
    recursiveFn: string | null,
  ): void {
    const items = this.id('i');
    this.emit('{');
    this.emit(`let ${items} = ${source};`);
    if (s.filter) {
      const src = this.id('i');
      const x = this.id();
      this.emit(`const ${src} = ${items}; ${items} = [];`);
      this.emit(`for (const ${x} of ${src}) {`);
      const fscope = new Scope(scope);
      this.bind(s.target, x, fscope);
      this.emit(
        `lineno = ${s.line}; if (rt.truthy(${this.expr(s.filter, fscope)})) ${items}.push(${x});`,
      );
      this.emit('}');
    }
    const [n, i, st] = [this.id(), this.id(), this.id()];
    this.emit(`const ${n} = ${items}.length; const ${st} = {};`);
    this.emit(`for (let ${i} = 0; ${i} < ${n}; ${i}++) {`);
    const iter = new Scope(scope);
    this.bind(s.target, `${items}[${i}]`, iter);
    const loopVar = this.id('v');
    const extra = recursiveFn ? `, ${recursiveFn}, ${recursiveFn}depth` : '';
    // The loop object costs an allocation per iteration: built only when the body can name it
    // (any "loop" string in its syntax tree, a conservative test) or the loop is recursive.
    if (recursiveFn || JSON.stringify(s.body).includes('"loop"')) {
      this.emit(`const ${loopVar} = rt.loop(${items}, ${i}, ${st}${extra});`);
      iter.vars.set('loop', loopVar);
    } else {
      this.emit('rt.tick();');
    }
    const bodyScope = this.openScope(iter, s.body, [...iter.vars.keys()]);
    for (const [k, v] of iter.vars) bodyScope.vars.set(k, v);
    this.stmts(s.body, bodyScope);
    this.emit('}');
    if (s.else_.length > 0) {
      this.emit(`if (${n} === 0) {`);
      const elseScope = this.openScope(scope, s.else_);
      this.stmts(s.else_, elseScope);
      this.emit('}');
    }
    this.emit('}');
  }

  // ---------------------------------------------------------------- expressions

  private args(
    args: readonly Expr[],
    kwargs: ReadonlyArray<[string, Expr]>,
    scope: Scope | null,
    extraKw?: string,
  ): string[] {
    const out = args.map((a) => this.expr(a, scope));
    const kw = kwargs.map(([k, v]) => `[${q(k)}]: ${this.expr(v, scope)}`);
    if (extraKw) kw.push(extraKw);
    // Keyword arguments travel as a trailing object flagged `__keywords` (see filter-args.ts).
    if (kw.length > 0) out.push(`{__keywords: true, ${kw.join(', ')}}`);
    return out;
  }

  private callExpr(e: Extract<Expr, { k: 'call' }>, scope: Scope | null, extraKw?: string): string {
    const args = this.args(e.args, e.kwargs, scope, extraKw);
    return `(lineno = ${e.line}, rt.call(${this.expr(e.fn, scope)}, ${q(describe(e.fn))}, ctx, [${args.join(', ')}]))`;
  }

  private filterCall(
    e: Extract<Expr, { k: 'filter' }>,
    input: string,
    scope: Scope | null,
  ): string {
    const args = [input, ...this.args(e.args, e.kwargs, scope)];
    return `(lineno = ${e.line}, ${this.filterRef(e.name)}.call(ctx, ${args.join(', ')}))`;
  }

  expr(e: Expr, scope: Scope | null): string {
    switch (e.k) {
      case 'const': {
        const v = e.value;
        if (typeof v === 'string') return q(v);
        if (typeof v === 'number') {
          const text = Number.isFinite(v) ? String(v) : 'Infinity';
          return e.float && Number.isInteger(v) ? `rt.float(${text})` : text;
        }
        if (typeof v === 'boolean') return v ? 'true' : 'false';
        return 'null';
      }
      case 'name':
        return this.read(e.name, scope);
      case 'getattr':
        if (isPlainDataKey(e.attr)) {
          // A dict's own value read at this site (see read()); anything else — a missing key,
          // a list, a string, a loop — goes through the runtime lookup.
          const obj = this.expr(e.obj, scope);
          return `(lineno = ${e.line}, ($o = ${obj}) !== null && typeof $o === "object" && ($v = $o[${q(e.attr)}]) !== undefined && rt.isDict($o) ? $v : rt.attr($o, ${q(e.attr)}, ${q(describe(e.obj))}))`;
        }
        return `(lineno = ${e.line}, rt.getattr(${this.expr(e.obj, scope)}, ${q(e.attr)}, ${q(describe(e.obj))}, true))`;
      case 'getitem':
        return `(lineno = ${e.line}, rt.getattr(${this.expr(e.obj, scope)}, ${this.expr(e.key, scope)}, ${q(describe(e.obj))}, false))`;
      case 'slice': {
        const part = (p: Expr | null): string => (p ? this.expr(p, scope) : 'null');
        return `(lineno = ${e.line}, rt.slice(${this.expr(e.obj, scope)}, ${part(e.start)}, ${part(e.stop)}, ${part(e.step)}))`;
      }
      case 'call':
        return this.callExpr(e, scope);
      case 'filter':
        return this.filterCall(e, e.node ? this.expr(e.node, scope) : 'null', scope);
      case 'test': {
        const args = this.args(e.args, e.kwargs, scope);
        return `(lineno = ${e.line}, rt.test(${q(e.name)}, ${this.expr(e.node, scope)}, [${args.join(', ')}]))`;
      }
      case 'bin': {
        const l = this.expr(e.left, scope);
        const r = this.expr(e.right, scope);
        if (e.op === 'and' || e.op === 'or') return `rt.${e.op}(${l}, () => ${r})`;
        return `rt.${BINARY[e.op] ?? 'add'}(${l}, ${r})`;
      }
      case 'unary': {
        const x = this.expr(e.expr, scope);
        if (e.op === 'not') return `!rt.truthy(${x})`;
        return e.op === '-' ? `rt.neg(${x})` : `rt.pos(${x})`;
      }
      case 'compare': {
        const [[op, right] = ['==', e.first]] = e.ops;
        if (e.ops.length === 1) {
          return `rt.compare(${this.expr(e.first, scope)}, ${q(op)}, ${this.expr(right, scope)})`;
        }
        const vals = [e.first, ...e.ops.map(([, v]) => v)].map(
          (v) => `() => ${this.expr(v, scope)}`,
        );
        return `rt.compareChain([${vals.join(', ')}], ${JSON.stringify(e.ops.map(([o]) => o))})`;
      }
      case 'cond':
        return `(rt.truthy(${this.expr(e.test, scope)}) ? ${this.expr(e.then, scope)} : ${e.else_ ? this.expr(e.else_, scope) : 'rt.undefLenient()'})`;
      case 'list':
        return `[${e.items.map((x) => this.expr(x, scope)).join(', ')}]`;
      case 'tuple':
        return `rt.tuple([${e.items.map((x) => this.expr(x, scope)).join(', ')}])`;
      case 'dict':
        return `rt.dict([${e.pairs.map(([k, v]) => `[${this.expr(k, scope)}, ${this.expr(v, scope)}]`).join(', ')}])`;
    }
  }
}

/**
 * The JavaScript body of `function (rt)`: it binds the template's filters once and returns the
 * `render(ctx)` function that renders `body` and returns the text.
 */
export function compileToJs(body: readonly Stmt[]): string {
  return new Compiler().compileRoot(body);
}
