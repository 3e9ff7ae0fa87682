/**
 * nunjucks' compiler, re-targeted at Python semantics. nunjucks turns `a == b`, `a + b`,
 * `if a`, `a ~ b`, `{{ a }}` and `a.b` into the JavaScript operators of the same spelling; this
 * subclass routes every one of them through the Jinja runtime (`runtime.cmp`, `runtime.add`,
 * `runtime.truthy`, `runtime.output`, `runtime.getattr`...), gives `{% for %}` Jinja's scoping
 * (a `set` inside a loop does not leak out), and keeps the current template line up to date so
 * runtime errors can name it.
 * @internal
 */
import { SliceNode } from './jinja-parser.js';
import { memberName } from './py-lookup.js';
import { PyFloat } from './py-values.js';
import { BaseCompiler, nodeClass, type NjFrame, type NjNode } from './nunjucks-internals.js';

const SymbolNode = nodeClass('Symbol');

const CompilerClass = BaseCompiler;

const q = (s: string): string => JSON.stringify(s);

function field(node: NjNode, name: string): NjNode {
  return node[name] as NjNode;
}

/** A readable dotted name for an expression, used in "is undefined" messages. */
export function describeNode(n: NjNode): string {
  switch (n.typename) {
    case 'Symbol':
      return String(n.value);
    case 'LookupVal': {
      const key = field(n, 'val');
      const base = describeNode(field(n, 'target'));
      return key.typename === 'Literal' ? memberName(base, key.value) : `${base}[...]`;
    }
    case 'FunCall':
      return `${describeNode(field(n, 'name'))}()`;
    default:
      return 'value';
  }
}

function collectSymbols(node: NjNode | null | undefined, out: Set<string>): void {
  if (!node || typeof node !== 'object') return;
  if (node.typename === 'Symbol') out.add(String(node.value));
  for (const key of [...node.fields, 'children', 'body', 'filter', 'else_']) {
    const v = node[key];
    if (Array.isArray(v)) v.forEach((c) => collectSymbols(c as NjNode, out));
    else if (v && typeof v === 'object' && 'typename' in v) collectSymbols(v as NjNode, out);
  }
}

/** The compiler subclass; see the module comment. */
export class JinjaCompiler extends CompilerClass {
  _emitFuncBegin(node: NjNode, name: string): void {
    this.buffer = 'output';
    this._scopeClosers = '';
    this._emitLine(`function ${name}(env, context, frame, _runtime, cb) {`);
    this._emitLine(`var lineno = ${node.lineno};`);
    this._emitLine(`var colno = ${node.colno};`);
    this._emitLine(`var ${this.buffer} = "";`);
    this._emitLine('try {');
  }

  override _emitLine(code: string): void {
    const m = /^return new runtime\.SafeString\((t_\d+)\);$/.exec(code);
    if (m) {
      super._emitLine(`return runtime.macroResult(${m[1] ?? ''});`);
    } else if (this.macroCatchAll && code.endsWith(' = runtime.makeMacro(')) {
      super._emitLine(`${code}${JSON.stringify(this.macroCatchAll)}, `);
    } else if (this.macroCatchAll && code === 'kwargs = kwargs || {};') {
      super._emitLine(code);
      if (this.macroCatchAll.varargs) super._emitLine('frame.set("varargs", kwargs.__varargs);');
      if (this.macroCatchAll.kwargs) super._emitLine('frame.set("kwargs", kwargs.__kwargs);');
      this.macroCatchAll = undefined;
    } else {
      super._emitLine(code);
    }
  }

  /** Whether the macro being compiled takes extra positional/keyword arguments. */
  private macroCatchAll: { varargs: boolean; kwargs: boolean } | undefined;

  /**
   * A macro (or call-block caller) as Jinja defines it: when its body reads `varargs` or
   * `kwargs`, extra positional or keyword arguments are collected there instead of refused.
   */
  override _compileMacro(node: NjNode, frame?: NjFrame): string {
    const names = new Set<string>();
    collectSymbols(field(node, 'body'), names);
    this.macroCatchAll = { varargs: names.has('varargs'), kwargs: names.has('kwargs') };
    return super._compileMacro(node, frame);
  }

  override compileLiteral(node: NjNode, frame?: NjFrame): void {
    const v = node.value;
    if (v instanceof PyFloat) this._emit(`runtime.float(${v.value})`);
    else if (typeof v === 'number') this._emit(Number.isFinite(v) ? String(v) : 'NaN');
    else super.compileLiteral(node, frame);
  }

  override compileSymbol(node: NjNode, frame: NjFrame): void {
    const name = String(node.value);
    const v = frame.lookup(name);
    if (v) this._emit(`(${v} === undefined ? runtime.undef(${q(name)}) : ${v})`);
    else this._emit(`runtime.lookup(context, frame, ${q(name)})`);
  }

  compileLookupVal(node: NjNode, frame: NjFrame): void {
    const target = field(node, 'target');
    const key = field(node, 'val');
    this._emit(`(lineno = ${node.lineno}, `);
    if (key instanceof SliceNode) {
      this._emit('runtime.slice(');
      this._compileExpression(target, frame);
      for (const part of ['start', 'stop', 'step']) {
        this._emit(', ');
        const p = key[part] as NjNode | null;
        if (p) this._compileExpression(p, frame);
        else this._emit('null');
      }
      this._emit('))');
      return;
    }
    this._emit('runtime.getattr(');
    this._compileExpression(target, frame);
    this._emit(', ');
    this._compileExpression(key, frame);
    this._emit(`, ${q(describeNode(target))}, ${node.isDot === true}))`);
  }

  compileFunCall(node: NjNode, frame: NjFrame): void {
    const name = field(node, 'name');
    this._emit(`(lineno = ${node.lineno}, colno = ${node.colno}, runtime.call(`);
    this._compileExpression(name, frame);
    this._emit(`, ${q(describeNode(name))}, context, `);
    this._compileAggregate(field(node, 'args'), frame, '[', ']');
    this._emit('))');
  }

  compileKeywordArgs(node: NjNode, frame: NjFrame): void {
    this._emit('runtime.makeKeywordArgs({');
    node.children.forEach((pair, i) => {
      if (i > 0) this._emit(', ');
      this._emit(`${q(String(field(pair, 'key').value))}: `);
      this._compileExpression(field(pair, 'value'), frame);
    });
    this._emit('})');
  }

  override compileDict(node: NjNode, frame: NjFrame): void {
    this._emit('runtime.dict([');
    node.children.forEach((pair, i) => {
      if (i > 0) this._emit(', ');
      this._emit('[');
      this._compileExpression(field(pair, 'key'), frame);
      this._emit(', ');
      this._compileExpression(field(pair, 'value'), frame);
      this._emit(']');
    });
    this._emit('])');
  }

  compileGroup(node: NjNode, frame: NjFrame): void {
    if (node.children.length === 1 && node.isTuple !== true) {
      this._compileAggregate(node, frame, '(', ')');
    } else this._compileAggregate(node, frame, 'runtime.tuple([', '])');
  }

  compileInlineIf(node: NjNode, frame: NjFrame): void {
    this._emit('(runtime.truthy(');
    this.compile(field(node, 'cond'), frame);
    this._emit(') ? ');
    this.compile(field(node, 'body'), frame);
    this._emit(' : ');
    const otherwise = node.else_ as NjNode | null;
    if (otherwise) this.compile(otherwise, frame);
    else this._emit('runtime.undefLenient()');
    this._emit(')');
  }

  private lazyBinary(fn: string, node: NjNode, frame: NjFrame): void {
    this._emit(`runtime.${fn}(`);
    this.compile(field(node, 'left'), frame);
    this._emit(', function () { return ');
    this.compile(field(node, 'right'), frame);
    this._emit('; })');
  }

  compileOr(node: NjNode, frame: NjFrame): void {
    this.lazyBinary('or', node, frame);
  }

  compileAnd(node: NjNode, frame: NjFrame): void {
    this.lazyBinary('and', node, frame);
  }

  compileNot(node: NjNode, frame: NjFrame): void {
    this._emit('!runtime.truthy(');
    this.compile(field(node, 'target'), frame);
    this._emit(')');
  }

  compileCompare(node: NjNode, frame: NjFrame): void {
    const ops = node.ops as NjNode[];
    if (ops.length === 1 && ops[0]) {
      this._emit('runtime.cmp(');
      this.compile(field(node, 'expr'), frame);
      this._emit(`, ${q(String(ops[0].type))}, `);
      this.compile(field(ops[0], 'expr'), frame);
      this._emit(')');
      return;
    }
    this._emit('runtime.cmpChain([');
    this.compile(field(node, 'expr'), frame);
    for (const op of ops) {
      this._emit(', ');
      this.compile(field(op, 'expr'), frame);
    }
    this._emit(`], ${JSON.stringify(ops.map((op) => String(op.type)))})`);
  }

  compileIn(node: NjNode, frame: NjFrame): void {
    this.binary('inOp', node, frame);
  }

  compileIs(node: NjNode, frame: NjFrame): void {
    const right = field(node, 'right');
    const nameNode = right.name as NjNode | undefined;
    const name = String(nameNode ? nameNode.value : right.value);
    this._emit(`(lineno = ${node.lineno}, runtime.test(${q(name)}, `);
    this.compile(field(node, 'left'), frame);
    this._emit(', ');
    const args = right.args as NjNode | undefined;
    if (args) this._compileAggregate(args, frame, '[', ']');
    else this._emit('[]');
    this._emit('))');
  }

  private binary(fn: string, node: NjNode, frame: NjFrame): void {
    this._emit(`runtime.${fn}(`);
    this.compile(field(node, 'left'), frame);
    this._emit(', ');
    this.compile(field(node, 'right'), frame);
    this._emit(')');
  }

  compileAdd(node: NjNode, frame: NjFrame): void {
    this.binary('add', node, frame);
  }
  compileSub(node: NjNode, frame: NjFrame): void {
    this.binary('sub', node, frame);
  }
  compileMul(node: NjNode, frame: NjFrame): void {
    this.binary('mul', node, frame);
  }
  compileDiv(node: NjNode, frame: NjFrame): void {
    this.binary('div', node, frame);
  }
  compileFloorDiv(node: NjNode, frame: NjFrame): void {
    this.binary('floorDiv', node, frame);
  }
  compileMod(node: NjNode, frame: NjFrame): void {
    this.binary('mod', node, frame);
  }
  compilePow(node: NjNode, frame: NjFrame): void {
    this.binary('pow', node, frame);
  }
  compileConcat(node: NjNode, frame: NjFrame): void {
    this.binary('concat', node, frame);
  }

  compileNeg(node: NjNode, frame: NjFrame): void {
    this._emit('runtime.neg(');
    this.compile(field(node, 'target'), frame);
    this._emit(')');
  }

  compilePos(node: NjNode, frame: NjFrame): void {
    this._emit('runtime.pos(');
    this.compile(field(node, 'target'), frame);
    this._emit(')');
  }

  compileFilter(node: NjNode, frame: NjFrame): void {
    const name = String(field(node, 'name').value);
    this._emit(`(lineno = ${node.lineno}, runtime.filter(${q(name)}).call(context, `);
    this._compileAggregate(field(node, 'args'), frame);
    this._emit('))');
  }

  compileOutput(node: NjNode, frame: NjFrame): void {
    for (const child of node.children) {
      if (child.typename === 'TemplateData') {
        if (child.value) {
          this._emit(`${this.buffer} += `);
          this.compileLiteral(child);
          this._emitLine(';');
        }
        continue;
      }
      this._emit(`${this.buffer} += (lineno = ${node.lineno}, runtime.output(`);
      this.compile(child, frame);
      this._emitLine('));');
    }
  }

  compileIf(node: NjNode, frame: NjFrame): void {
    this._emit(`if ((lineno = ${node.lineno}, runtime.truthy(`);
    this._compileExpression(field(node, 'cond'), frame);
    this._emitLine('))) {');
    this._withScopedSyntax(() => this.compile(field(node, 'body'), frame));
    const otherwise = node.else_ as NjNode | null;
    if (otherwise) {
      this._emitLine('}\nelse {');
      this._withScopedSyntax(() => this.compile(otherwise, frame));
    }
    this._emitLine('}');
  }

  /**
   * `{% for %}` as Jinja runs it: targets unpack like Python's, a loop filter (`if`) drops items
   * before `loop` counts them, `else` runs when nothing was iterated, and a `recursive` loop is
   * a function that `loop(items)` calls again one level deeper.
   */
  compileFor(node: NjNode, outer: NjFrame): void {
    if (node.recursive !== true) {
      this.emitLoop(node, outer, null);
      return;
    }
    const fn = this._tmpid();
    const saved = this.buffer;
    this._emitLine(`var ${fn} = function (${fn}_items, ${fn}_depth) {`);
    this.buffer = `${fn}_out`;
    this._emitLine(`var ${this.buffer} = "";`);
    this.emitLoop(node, outer, fn);
    this._emitLine(`return ${this.buffer};`);
    this._emitLine('};');
    this.buffer = saved;
    this._emit(`${this.buffer} += ${fn}(runtime.iterate((lineno = ${node.lineno}, `);
    this._compileExpression(field(node, 'arr'), outer);
    this._emitLine(')), 1);');
  }

  private emitLoop(node: NjNode, outer: NjFrame, recursiveFn: string | null): void {
    const [i, len, arr, state] = [this._tmpid(), this._tmpid(), this._tmpid(), this._tmpid()];
    const loopFrame = outer.push();
    this._emitLine('frame = frame.push();');
    if (recursiveFn) {
      this._emitLine(`var ${arr} = ${recursiveFn}_items;`);
    } else {
      this._emit(`var ${arr} = runtime.iterate((lineno = ${node.lineno}, `);
      this._compileExpression(field(node, 'arr'), loopFrame);
      this._emitLine('));');
    }
    const filter = node.filter as NjNode | null | undefined;
    if (filter) {
      const [src, k] = [this._tmpid(), this._tmpid()];
      this._emitLine(`var ${src} = ${arr}; ${arr} = [];`);
      this._emitLine(`for (var ${k} = 0; ${k} < ${src}.length; ${k}++) {`);
      this._emitLine('frame = frame.push(true);');
      const filterFrame = loopFrame.push(true);
      this.bindTarget(field(node, 'name'), `${src}[${k}]`, filterFrame);
      this._emit(`if ((lineno = ${filter.lineno}, runtime.truthy(`);
      this._compileExpression(filter, filterFrame);
      this._emitLine(`))) ${arr}.push(${src}[${k}]);`);
      this._emitLine('frame = frame.pop();');
      this._emitLine('}');
    }
    this._emitLine(`var ${len} = ${arr}.length;`);
    this._emitLine(`var ${state} = {};`);
    this._emitLine(`for (var ${i} = 0; ${i} < ${len}; ${i}++) {`);
    this._emitLine('frame = frame.push(true);');
    const iterFrame = loopFrame.push(true);
    this.bindTarget(field(node, 'name'), `${arr}[${i}]`, iterFrame);
    const extra = recursiveFn ? `, ${recursiveFn}, ${recursiveFn}_depth` : '';
    this._emitLine(`frame.set("loop", runtime.loop(${arr}, ${i}, ${state}${extra}));`);
    this._withScopedSyntax(() => this.compile(field(node, 'body'), iterFrame));
    this._emitLine('frame = frame.pop();');
    this._emitLine('}');
    const otherwise = node.else_ as NjNode | null;
    if (otherwise) {
      this._emitLine(`if (!${len}) {`);
      this.compile(otherwise, loopFrame);
      this._emitLine('}');
    }
    this._emitLine('frame = frame.pop();');
  }

  /** Binds a loop or `with` target (a name or a nested tuple of names) to the JS value `item`. */
  private bindTarget(target: NjNode, item: string, frame: NjFrame): void {
    if (target.typename === 'Array' || target.typename === 'Group') {
      const parts = this._tmpid();
      this._emitLine(`var ${parts} = runtime.unpack(${item}, ${target.children.length});`);
      target.children.forEach((child, k) => this.bindTarget(child, `${parts}[${k}]`, frame));
      return;
    }
    const v = this._tmpid();
    this._emitLine(`var ${v} = ${item};`);
    this._emitLine(`frame.set(${q(String(target.value))}, ${v});`);
    frame.set(String(target.value), v);
  }

  /** `{% with a = x %}…{% endwith %}`: values are read outside, names bound in a new scope. */
  compileWith(node: NjNode, frame: NjFrame): void {
    const targets = node.targets as NjNode[];
    const values = node.values as NjNode[];
    const ids = values.map((value) => {
      const id = this._tmpid();
      this._emit(`var ${id} = (lineno = ${node.lineno}, `);
      this._compileExpression(value, frame);
      this._emitLine(');');
      return id;
    });
    this._emitLine('frame = frame.push(true);');
    const inner = frame.push(true);
    targets.forEach((target, k) => this.bindTarget(target, ids[k] ?? 'null', inner));
    this._withScopedSyntax(() => this.compile(field(node, 'body'), inner));
    this._emitLine('frame = frame.pop();');
  }

  private captureSlot: string | undefined;

  /** The captured text of a block `set`, where its filters read it. */
  compileCaptureSlot(): void {
    this._emit(this.captureSlot ?? '""');
  }

  /**
   * The body of `{% set x %}…{% endset %}` and `{% filter %}…{% endfilter %}`: Jinja gives it its
   * own scope, so a `set` inside does not leak out (nunjucks shares the enclosing one).
   */
  compileCapture(node: NjNode, frame: NjFrame): void {
    const saved = this.buffer;
    const outer = this._tmpid();
    this.buffer = 'output';
    this._emitLine('(function() {');
    this._emitLine('var output = "";');
    this._emitLine(`var ${outer} = frame; frame = frame.push(true);`);
    this._withScopedSyntax(() => this.compile(field(node, 'body'), frame.push(true)));
    this._emitLine(`frame = ${outer};`);
    this._emitLine('return output;');
    this._emitLine('})()');
    this.buffer = saved;
  }

  /**
   * `{% set %}`: a name, a tuple of names (unpacked as Python would), or `ns.attr` on a
   * namespace; the value is an expression or a captured block, optionally through filters.
   */
  compileSet(node: NjNode, frame: NjFrame): void {
    const targets = node.targets as NjNode[];
    const target =
      (node.target as NjNode | undefined) ?? (targets.length === 1 ? targets[0] : undefined);
    const value = node.value as NjNode | null;
    const tmp = this._tmpid();
    if (value) {
      this._emit(`lineno = ${node.lineno}; var ${tmp} = `);
      this._compileExpression(value, frame);
      this._emitLine(';');
    } else {
      this._emit(`lineno = ${node.lineno}; var ${tmp} = `);
      this.compile(field(node, 'body'), frame);
      this._emitLine(';');
      const filters = node.filters as NjNode | null | undefined;
      if (filters) {
        const saved = this.captureSlot;
        this.captureSlot = tmp;
        this._emit(`${tmp} = `);
        this._compileExpression(filters, frame);
        this._emitLine(';');
        this.captureSlot = saved;
      }
    }
    if (target) this.assignTarget(target, tmp, frame);
    else targets.forEach((t) => this.assignTarget(t, tmp, frame));
  }

  private assignTarget(target: NjNode, value: string, frame: NjFrame): void {
    if (target.typename === 'Array' || target.typename === 'Group') {
      const parts = this._tmpid();
      this._emitLine(`var ${parts} = runtime.unpack(${value}, ${target.children.length});`);
      target.children.forEach((child, k) => this.assignTarget(child, `${parts}[${k}]`, frame));
      return;
    }
    if (target.typename === 'NsRef') {
      const ref = new SymbolNode(target.lineno, target.colno, String(target.name));
      this._emit('runtime.nsSet(');
      this.compileSymbol(ref, frame);
      this._emitLine(`, ${q(String(target.attr))}, ${value});`);
      return;
    }
    const name = String(target.value);
    const scope = frame.resolve(name, true);
    let id = scope?.variables[name];
    if (!id) {
      id = this._tmpid();
      this._emitLine(`var ${id};`);
      if (frame.lookup(name)) frame.set(name, id);
    }
    this._emitLine(`${id} = ${value};`);
    this._emitLine(`frame.set(${q(name)}, ${id}, true);`);
    this._emitLine(`if (frame.topLevel) { context.setVariable(${q(name)}, ${id}); }`);
  }
}
