/**
 * Typed access to the nunjucks internals the Jinja layer builds on: the lexer, the parser and
 * compiler classes, and the AST node classes. `@types/nunjucks` describes only the public
 * Environment API, so the few internal shapes used here are declared by hand. Pinned to
 * nunjucks 3.2.4; a nunjucks upgrade must re-run the differential test.
 * @internal
 */
import { createRequire } from 'node:module';

/** One lexer token. */
export interface NjToken {
  type: string;
  value: string;
  lineno: number;
  colno: number;
}

/** The lexer's token stream. */
export interface NjTokenizer {
  nextToken(): NjToken | null;
}

/** An AST node (fields vary by node type). */
export interface NjNode {
  readonly typename: string;
  lineno: number;
  colno: number;
  fields: string[];
  children: NjNode[];
  [field: string]: unknown;
}

/** A node class (`new nodes.Literal(lineno, colno, value)`). */
export type NjNodeClass = new (lineno: number, colno: number, ...fields: unknown[]) => NjNode;

/** The node classes by name, plus `Node.extend` to declare new node types. */
export type NjNodes = Record<string, NjNodeClass> & {
  Node: NjNodeClass & { extend(name: string, props: { fields: string[] }): NjNodeClass };
};

/** The parser methods the Jinja parser overrides or calls. */
export interface NjParser {
  tokens: NjTokenizer;
  dropLeadingWhitespace: boolean;
  advanceAfterBlockEnd(name?: string): NjToken;
  skipSymbol(name: string): boolean;
  skipValue(type: string, value: string): boolean;
  parseCompare(): NjNode;
  parseConcat(): NjNode;
  parsePow(): NjNode;
  parseFilter(node: NjNode): NjNode;
  parseFilterName(): NjNode;
  parseFilterArgs(node: NjNode): NjNode[];
  parseIs(): NjNode;
  parseRaw(tagName?: string): NjNode;
  parseStatement(): NjNode | null;
  parseFor(): NjNode;
  parseIf(): NjNode;
  parseSet(): NjNode;
  parseOr(): NjNode;
  parseInlineIf(): NjNode;
  parseUntilBlocks(...names: string[]): NjNode;
  peekToken(): NjToken | null;
  nextToken(withWhitespace?: boolean): NjToken | null;
  pushToken(tok: NjToken | null): void;
  skip(type: string): boolean;
  expect(type: string): NjToken;
  fail(msg: string, lineno?: number, colno?: number): never;
  parseAsRoot(): NjNode;
  parseExpression(): NjNode;
  parseSignature(tolerant?: boolean, noParens?: boolean): NjNode;
  parseAggregate(): NjNode;
  parsePostfix(node: NjNode): NjNode;
  parsePrimary(noPostfix?: boolean): NjNode;
}

/** A compile-time scope: maps template names to generated JS variables. */
export interface NjFrame {
  parent: NjFrame | undefined;
  isolateWrites: boolean;
  variables: Record<string, string>;
  set(name: string, val: string, resolveUp?: boolean): void;
  lookup(name: string): string | undefined | null;
  resolve(name: string, forWrite?: boolean): NjFrame | undefined;
  push(isolateWrites?: boolean): NjFrame;
  pop(): NjFrame;
}

/** The compiler methods the Jinja compiler overrides or calls. */
export interface NjCompiler {
  buffer: string;
  codebuf: string[];
  _emit(code: string): void;
  _emitLine(code: string): void;
  _tmpid(): string;
  _withScopedSyntax(fn: () => void): void;
  _compileExpression(node: NjNode, frame: NjFrame): void;
  _compileAggregate(node: NjNode, frame: NjFrame, start?: string, end?: string): void;
  _scopeClosers: string;
  compile(node: NjNode, frame?: NjFrame): void;
  _compileMacro(node: NjNode, frame?: NjFrame): string;
  compileDict(node: NjNode, frame: NjFrame): void;
  compileLiteral(node: NjNode, frame?: NjFrame): void;
  compileSymbol(node: NjNode, frame: NjFrame): void;
  fail(msg: string, lineno?: number, colno?: number): never;
  getCode(): string;
}

interface NunjucksModule {
  lexer: { lex(src: string, opts?: object): NjTokenizer; [token: `TOKEN_${string}`]: string };
  parser: { Parser: new (tokens: NjTokenizer) => NjParser };
  compiler: { Compiler: new (name: string, throwOnUndefined?: boolean) => NjCompiler };
  transformer: { transform: (ast: NjNode, asyncFilters: string[], name?: string) => NjNode };
  nodes: NjNodes;
  runtime: {
    Frame: new () => NjFrame & { topLevel: boolean };
    makeMacro: unknown;
    makeKeywordArgs: unknown;
    SafeString: new (s: string) => { val: string; toString(): string };
    markSafe: unknown;
    isArray: unknown;
    keys: unknown;
  };
}

const require = createRequire(import.meta.url);
const nunjucks = require('nunjucks') as NunjucksModule;
const transformer = require('nunjucks/src/transformer') as NunjucksModule['transformer'];

/** nunjucks' lexer module (token type constants and `lex`). */
export const lexer = nunjucks.lexer;
/** nunjucks' AST node classes. */
export const nodes = nunjucks.nodes;
/** nunjucks' Parser class. */
export const BaseParser = nunjucks.parser.Parser;
/** nunjucks' Compiler class. */
export const BaseCompiler = nunjucks.compiler.Compiler;
/** nunjucks' AST transformer (lowers filter blocks). */
export const transform = transformer.transform;
/** nunjucks' runtime module (Frame, macros, SafeString). */
export const njRuntime = nunjucks.runtime;

/** Fetches a node class by name, failing loudly if nunjucks renamed it. */
export function nodeClass(name: string): NjNodeClass {
  const cls = nodes[name];
  if (!cls) throw new Error(`nunjucks has no node class ${name}`);
  return cls;
}
